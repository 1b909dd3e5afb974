package io.github.ddbstreams.flink.source.enumerator.discovery;

import io.github.ddbstreams.flink.source.client.AwsErrors;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Retries a call the enumerator makes once at start (a stream's first listing, DescribeTable for a
 * table given by name) through transient AWS errors (5xx, network errors, throttling the pacer let
 * through) with jittered, doubling back-off, as the readers do: a stream or table that is briefly
 * unavailable at job start must not fail the job. Later listings need none of this: they run again
 * at the next discovery interval. Runs on the enumerator's worker thread, which has nothing else to
 * do before these calls answer.
 */
@Internal
public final class InitialListingRetry {
    private static final Logger LOG = LoggerFactory.getLogger(InitialListingRetry.class);

    private InitialListingRetry() {}

    /**
     * @param what the call, as the log names it: "First listing of stream ..."
     * @throws SdkException a non-retryable error at once, or the last retryable one once errors
     *     lasted longer than {@code source.retry.give-up-after}
     */
    public static <T> T call(String what, EnumeratorSettings settings, Supplier<T> call)
            throws InterruptedException {
        long failingSince = 0;
        for (int failures = 0; ; failures++) {
            try {
                return call.get();
            } catch (SdkException e) {
                long now = System.nanoTime();
                if (failures == 0) {
                    failingSince = now;
                }
                long giveUpAfter = settings.retryGiveUpAfterMillis();
                if (!AwsErrors.isRetryable(e)
                        || (giveUpAfter >= 0 && now - failingSince >= giveUpAfter * 1_000_000)) {
                    throw e;
                }
                long wait = backOffMillis(settings, failures + 1);
                if (failures == 0) {
                    LOG.warn("{} failed ({}); retrying with back-off", what, e.toString());
                } else {
                    LOG.debug("{} failed again: {}", what, e.toString());
                }
                Thread.sleep(wait);
            }
        }
    }

    private static long backOffMillis(EnumeratorSettings settings, int failures) {
        long ceiling = settings.retryInitialBackoffMillis() << Math.min(failures - 1, 20);
        if (ceiling <= 0 || ceiling > settings.retryMaxBackoffMillis()) {
            ceiling = settings.retryMaxBackoffMillis();
        }
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }
}
