package io.github.ddbstreams.flink.testutils;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.SequenceNumberRange;
import software.amazon.awssdk.services.dynamodb.model.Shard;

/** One shard of a {@link FakeStreamsClient}: its records, whether it is closed, its trim point. */
final class FakeShard {
    final String id;
    final String parentId;

    /**
     * The shard's positions in order: a record, or null for a stretch that GetRecords answers with
     * an empty page and a next iterator past it (see {@link FakeStreamsClient#addEmptyPages}).
     */
    final List<Record> records = new ArrayList<>();

    boolean closed;

    /** Records below this index are trimmed. */
    int trimmedBefore;

    FakeShard(String id, String parentId) {
        this.id = id;
        this.parentId = parentId;
    }

    /** The position of the record with {@code sequenceNumber}. */
    int indexOf(String sequenceNumber) {
        for (int i = 0; i < records.size(); i++) {
            Record record = records.get(i);
            if (record != null && record.dynamodb().sequenceNumber().equals(sequenceNumber)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no record " + sequenceNumber + " in " + id);
    }

    /** The shard as DescribeStream lists it. */
    Shard toShard() {
        SequenceNumberRange.Builder range = SequenceNumberRange.builder();
        List<Record> present = new ArrayList<>(records);
        present.removeIf(Objects::isNull);
        if (!present.isEmpty()) {
            range.startingSequenceNumber(present.get(0).dynamodb().sequenceNumber());
            if (closed) {
                range.endingSequenceNumber(
                        present.get(present.size() - 1).dynamodb().sequenceNumber());
            }
        } else if (closed) {
            range.endingSequenceNumber("0");
        }
        return Shard.builder()
                .shardId(id)
                .parentShardId(parentId)
                .sequenceNumberRange(range.build())
                .build();
    }
}
