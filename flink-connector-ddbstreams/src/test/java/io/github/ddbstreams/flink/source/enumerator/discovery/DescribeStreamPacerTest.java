package io.github.ddbstreams.flink.source.enumerator.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** DescribeStream pacing and throttling back-off, on simulated time. */
class DescribeStreamPacerTest {

    private final SimulatedClock clock = new SimulatedClock();

    @Test
    void startsCallsNoFasterThanTheConfiguredRate() {
        DescribeStreamPacer pacer = new DescribeStreamPacer(5, 200, 10_000, clock, () -> 0.5);
        List<Long> callMillis = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            pacer.call(() -> callMillis.add(clock.millis()));
        }

        assertThat(callsPerSecond(callMillis).values()).allMatch(n -> n <= 5);
        // Paced, not stalled: 100 calls take 99 intervals of 200 ms.
        assertThat(callMillis.get(99) - callMillis.get(0)).isEqualTo(99 * 200);
    }

    @Test
    void anIdleSpellDoesNotBuildUpABurst() {
        DescribeStreamPacer pacer = new DescribeStreamPacer(2, 200, 10_000, clock, () -> 0.5);
        List<Long> callMillis = new ArrayList<>();
        pacer.call(() -> callMillis.add(clock.millis()));
        clock.advanceMillis(60_000);
        for (int i = 0; i < 6; i++) {
            pacer.call(() -> callMillis.add(clock.millis()));
        }

        assertThat(callsPerSecond(callMillis).values()).allMatch(n -> n <= 2);
    }

    @Test
    void retriesAThrottledCallWithGrowingJitteredBackOff() {
        DescribeStreamPacer pacer = new DescribeStreamPacer(10, 200, 500, clock, () -> 0.5);
        int[] attempts = {0};

        String result =
                pacer.call(
                        () -> {
                            if (attempts[0]++ < 4) {
                                throw LimitExceededException.builder().message("slow down").build();
                            }
                            return "page";
                        });

        assertThat(result).isEqualTo("page");
        assertThat(pacer.throttledCalls()).isEqualTo(4);
        // Half the back-off plus half of the other half (random 0.5): 200, 400, 500 (capped), 500.
        assertThat(clock.sleeps())
                .containsExactly(150_000_000L, 300_000_000L, 375_000_000L, 375_000_000L);
    }

    @Test
    void treatsAnyThrottlingServiceErrorAsThrottling() {
        DescribeStreamPacer pacer = new DescribeStreamPacer(10, 10, 10, clock, () -> 0.0);
        int[] attempts = {0};
        pacer.call(
                () -> {
                    if (attempts[0]++ == 0) {
                        throw AwsServiceException.builder()
                                .statusCode(400)
                                .awsErrorDetails(
                                        AwsErrorDetails.builder()
                                                .errorCode("ThrottlingException")
                                                .build())
                                .build();
                    }
                    return null;
                });
        assertThat(pacer.throttledCalls()).isEqualTo(1);
    }

    @Test
    void passesOtherErrorsOnAtOnce() {
        DescribeStreamPacer pacer = new DescribeStreamPacer(10, 200, 500, clock, () -> 0.5);
        assertThatThrownBy(
                        () ->
                                pacer.call(
                                        () -> {
                                            throw ResourceNotFoundException.builder()
                                                    .message("no such stream")
                                                    .build();
                                        }))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(pacer.throttledCalls()).isZero();
        assertThat(clock.sleeps()).isEmpty();
    }

    private static Map<Long, Integer> callsPerSecond(List<Long> callMillis) {
        Map<Long, Integer> perSecond = new TreeMap<>();
        for (long t : callMillis) {
            perSecond.merge(t / 1000, 1, Integer::sum);
        }
        return perSecond;
    }
}
