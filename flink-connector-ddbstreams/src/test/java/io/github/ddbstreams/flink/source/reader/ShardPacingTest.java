package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When {@link ShardPacing} polls a shard next, on a fake clock. */
class ShardPacingTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long IDLE = SECOND;
    private static final long NOW_MILLIS = 1_800_000_000_000L;

    private final ShardPacing pacing = new ShardPacing();

    @Test
    void aCaughtUpShardWaitsTheIdleIntervalAfterAnEmptyPage() {
        pacing.recordsPage(Instant.ofEpochMilli(NOW_MILLIS - 300), 0, NOW_MILLIS, 1000);
        assertThat(pacing.nextPollAtNanos()).isZero();
        assertThat(pacing.millisBehindLatest()).isEqualTo(300);

        pacing.emptyPage(5 * SECOND, IDLE);

        assertThat(pacing.nextPollAtNanos()).isEqualTo(6 * SECOND);
        assertThat(pacing.millisBehindLatest()).isZero();
    }

    @Test
    void aShardBehindFollowsAFewEmptyPagesAtOnceThenWaits() {
        pacing.recordsPage(Instant.ofEpochMilli(NOW_MILLIS - 60_000), 0, NOW_MILLIS, 1000);

        for (int i = 1; i <= ShardPacing.MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE; i++) {
            pacing.emptyPage(i, IDLE);
            assertThat(pacing.nextPollAtNanos()).as("empty page %s", i).isEqualTo(i);
        }
        pacing.emptyPage(100, IDLE);

        assertThat(pacing.nextPollAtNanos()).isEqualTo(100 + IDLE);
    }

    @Test
    void aNewIteratorIsTakenAsBehindAndAClosedShardNeverWaits() {
        pacing.iteratorObtained();
        pacing.emptyPage(1, IDLE);
        assertThat(pacing.nextPollAtNanos()).isEqualTo(1);

        pacing.knownClosed(2);
        for (int i = 0; i < 20; i++) {
            pacing.emptyPage(10 + i, IDLE);
        }
        assertThat(pacing.nextPollAtNanos()).isEqualTo(29);
        assertThat(pacing.caughtUpFor(100 * SECOND, 1, 0)).isFalse();
    }

    @Test
    void failuresCountUntilASuccess() {
        assertThat(pacing.failing()).isFalse();
        assertThat(pacing.failed(10, n -> n * 1000L)).isEqualTo(1);
        assertThat(pacing.failed(20, n -> n * 1000L)).isEqualTo(2);

        assertThat(pacing.nextPollAtNanos()).isEqualTo(2020);
        assertThat(pacing.failingForNanos(50)).isEqualTo(40);
        pacing.succeeded();
        assertThat(pacing.failing()).isFalse();
        assertThat(pacing.failed(60, n -> n * 1000L)).isEqualTo(1);
    }
}
