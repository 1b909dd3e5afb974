package io.github.ddbstreams.flink.source.enumerator.assign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChildLookupRetriesTest {

    private static final String ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/s";

    private static List<String> due(ChildLookupRetries retries, long now) {
        List<String> shards = new ArrayList<>();
        retries.takeDue(now).forEach(d -> shards.add(d.shardId));
        return shards;
    }

    @Test
    void repeatsBackOffByDoublingAndEndWithinTheInterval() {
        ChildLookupRetries retries = new ChildLookupRetries(10_000);
        List<Long> lookups = new ArrayList<>();
        long now = 1_000;
        lookups.add(now);
        boolean scheduled = retries.lookupFoundNothing(ARN + "/a", ARN, "a", now);
        while (scheduled) {
            now += 10;
            if (due(retries, now).contains("a")) {
                lookups.add(now);
                scheduled = retries.lookupFoundNothing(ARN + "/a", ARN, "a", now);
            }
        }

        assertThat(lookups).containsExactly(1_000L, 1_250L, 1_750L, 2_750L, 4_750L, 8_750L);
        assertThat(retries.size()).isZero();
    }

    @Test
    void aLookupInFlightIsNotDueTwiceAndAFoundShardIsDropped() {
        ChildLookupRetries retries = new ChildLookupRetries(10_000);
        retries.lookupFoundNothing(ARN + "/a", ARN, "a", 0);
        retries.lookupFoundNothing(ARN + "/b", ARN, "b", 100);

        assertThat(due(retries, 249)).isEmpty();
        assertThat(due(retries, 250)).containsExactly("a");
        assertThat(due(retries, 400)).as("a is in flight").containsExactly("b");
        assertThat(due(retries, 5_000)).isEmpty();

        retries.childrenFound(ARN + "/a");
        assertThat(retries.size()).isEqualTo(1);
    }
}
