package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.reader.AwsErrors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Retries a stream's first listing through transient AWS errors (5xx, network errors, throttling
 * the pacer let through) with jittered, doubling back-off, as the readers do: a stream that is
 * briefly unavailable at job start must not fail the job. Later listings need none of this: they
 * run again at the next discovery interval. Runs on the enumerator's worker thread, which has
 * nothing else to do before the first listing.
 */
final class InitialListingRetry {
    private static final Logger LOG = LoggerFactory.getLogger(InitialListingRetry.class);

    private InitialListingRetry() {}

    /**
     * @throws SdkException a non-retryable error at once, or the last retryable one once errors
     *     lasted longer than {@code source.retry.give-up-after}
     */
    static <T> T call(String streamArn, EnumeratorSettings settings, Supplier<T> listing)
            throws InterruptedException {
        long failingSince = 0;
        for (int failures = 0; ; failures++) {
            try {
                return listing.get();
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
                    LOG.warn(
                            "First listing of stream {} failed ({}); retrying with back-off",
                            streamArn,
                            e.toString());
                } else {
                    LOG.debug(
                            "First listing of stream {} failed again: {}", streamArn, e.toString());
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
