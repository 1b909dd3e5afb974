package io.github.ddbstreams.flink.source.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.ResolveIdentityRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * A credentials provider together with everything built to serve it (base providers, STS clients).
 * SDK clients never close a provider they were given, and an STS provider never closes its STS
 * client: this object owns them all and closes them, newest first.
 */
@Internal
public final class CloseableCredentialsProvider
        implements AwsCredentialsProvider, SdkAutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CloseableCredentialsProvider.class);

    private final AwsCredentialsProvider provider;
    private final List<SdkAutoCloseable> resources;
    private boolean closed;

    CloseableCredentialsProvider(
            AwsCredentialsProvider provider, List<SdkAutoCloseable> resources) {
        this.provider = provider;
        this.resources = new ArrayList<>(resources);
    }

    /** The SDK provider that answers, for tests that check which kind was built. */
    @VisibleForTesting
    public AwsCredentialsProvider provider() {
        return provider;
    }

    /** What this object closes, oldest first. */
    @VisibleForTesting
    List<SdkAutoCloseable> resources() {
        return List.copyOf(resources);
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return provider.resolveCredentials();
    }

    @Override
    public CompletableFuture<AwsCredentialsIdentity> resolveIdentity(
            ResolveIdentityRequest request) {
        // Delegated rather than inherited so that a provider's own async refresh is kept.
        return provider.resolveIdentity(request);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = resources.size() - 1; i >= 0; i--) {
            closeQuietly(resources.get(i));
        }
    }

    static void closeAll(List<SdkAutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            closeQuietly(resources.get(i));
        }
    }

    private static void closeQuietly(SdkAutoCloseable resource) {
        try {
            resource.close();
        } catch (RuntimeException e) {
            // Best effort: one failure must not keep the other resources open.
            LOG.debug("Ignoring failure while closing {}", resource.getClass().getName(), e);
        }
    }

    @Override
    public String toString() {
        // Only the kind: the SDK's own toString of static credentials shows the access key id.
        return "CloseableCredentialsProvider{" + provider.getClass().getSimpleName() + "}";
    }
}
