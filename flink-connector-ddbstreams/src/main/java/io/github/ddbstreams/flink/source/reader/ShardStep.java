package io.github.ddbstreams.flink.source.reader;

import java.util.List;

/**
 * What a shard's cursor decided after a page: the elements to hand to the emitter, and what the
 * split reader does next.
 *
 * @param elements records to emit (or a fresher LATEST iterator), in order; may be empty
 * @param next what to do next
 * @param emptyPage whether the page was an empty page of a shard that goes on (for the emptyPolls
 *     metric)
 */
record ShardStep(List<ShardElement> elements, Next next, boolean emptyPage) {

    /** The split reader's next move for the shard. */
    enum Next {
        /** Poll again when the cursor's pacing says. */
        POLL,
        /** The shard is read to its end (or to the bounded end): finish the split. */
        FINISHED,
        /**
         * Bounded mode: an open shard looks caught up; ask whether it has children ({@link
         * ShardCursor#onChildren}) before ending it.
         */
        ASK_IF_OPEN
    }
}
