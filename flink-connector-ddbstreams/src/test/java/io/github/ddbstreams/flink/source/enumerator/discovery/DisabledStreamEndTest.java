package io.github.ddbstreams.flink.source.enumerator.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/** When a disabled stream's listing shows every shard it will ever have. */
class DisabledStreamEndTest {

    private static final long SECOND = 1_000_000_000L;

    private final DisabledStreamEnd end = new DisabledStreamEnd(60_000);

    @Test
    void anEnabledStreamNeedsNoConfirmingListing() {
        assertThat(end.listingApplied(StreamStatus.ENABLED, true, 0, 0)).isFalse();
        assertThat(end.confirmingListingDueNanos()).isEqualTo(DisabledStreamEnd.NO_LISTING_DUE);
        assertThat(end.confirmed()).isFalse();
    }

    @Test
    void onlyACompleteDisabledListingStartedAfterTheSettleTimeConfirms() {
        // First seen DISABLING when the listing is applied at 10 s (it started at 9 s).
        assertThat(end.listingApplied(StreamStatus.DISABLING, true, 9 * SECOND, 10 * SECOND))
                .isFalse();
        assertThat(end.confirmingListingDueNanos()).isEqualTo(70 * SECOND);

        assertThat(end.listingApplied(StreamStatus.DISABLED, true, 69 * SECOND, 71 * SECOND))
                .as("started within the settle time")
                .isFalse();
        assertThat(end.listingApplied(StreamStatus.DISABLED, false, 70 * SECOND, 71 * SECOND))
                .as("incremental: says nothing of the shards before its cursor")
                .isFalse();
        assertThat(end.listingApplied(null, false, 80 * SECOND, 81 * SECOND))
                .as("a child lookup")
                .isFalse();
        assertThat(end.listingApplied(StreamStatus.DISABLING, true, 80 * SECOND, 81 * SECOND))
                .as("still disabling: shards may still be open")
                .isFalse();
        assertThat(end.confirmed()).isFalse();

        assertThat(end.listingApplied(StreamStatus.DISABLED, true, 70 * SECOND, 72 * SECOND))
                .isTrue();
        assertThat(end.confirmed()).isTrue();
        assertThat(end.confirmingListingDueNanos()).isEqualTo(DisabledStreamEnd.NO_LISTING_DUE);
        assertThat(end.listingApplied(StreamStatus.DISABLED, true, 90 * SECOND, 91 * SECOND))
                .as("confirmed once")
                .isFalse();
    }
}
