package io.github.ddbstreams.flink.source.aws;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import software.amazon.awssdk.regions.Region;

/**
 * How the source reaches AWS: the region, optional endpoint overrides and the credentials.
 *
 * <p>Everything is optional. By default the AWS SDK's own provider chains decide: the region comes
 * from {@code AWS_REGION}, the {@code aws.region} system property or the profile file, and the
 * credentials from the default credentials chain (environment, system properties, web identity,
 * profile, container or instance role). Set only what must differ:
 *
 * <pre>{@code
 * AwsConfig aws = AwsConfig.builder()
 *         .region("eu-west-1")
 *         .profileCredentials("streams-reader")
 *         .assumeRole("arn:aws:iam::123456789012:role/streams-reader", "flink-orders")
 *         .build();
 * }</pre>
 *
 * <p>The <em>base</em> credentials are one of {@link CredentialsSource}; the last one chosen on the
 * builder wins. A role to assume through STS is an independent layer on top of them: when set, the
 * base credentials only sign the {@code AssumeRole} call.
 *
 * <p>Instances are immutable and serializable: they travel with the job graph to every task. Static
 * credentials are therefore part of the job graph; prefer the default chain, a profile, web
 * identity or a role in production. {@link #toString()} never shows the secret access key, the
 * session token or the external id, and shows only the first four characters of an access key id.
 */
@PublicEvolving
public final class AwsConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final String MASK = "****";

    /** Where the base credentials come from. */
    @PublicEvolving
    public enum CredentialsSource {
        /** The AWS SDK's default credentials provider chain. */
        DEFAULT_CHAIN,
        /** A fixed access key id and secret access key, optionally with a session token. */
        STATIC,
        /** A named profile of the shared AWS config and credentials files, or of a given file. */
        PROFILE,
        /** STS {@code AssumeRoleWithWebIdentity} with an OIDC token read from a file. */
        WEB_IDENTITY
    }

    // Package-private: AwsCredentialsProviders reads them, so that secrets need no getter.
    @Nullable final String region;
    @Nullable final URI endpointOverride;
    @Nullable final URI stsEndpointOverride;
    final CredentialsSource credentialsSource;
    @Nullable final String accessKeyId;
    @Nullable final String secretAccessKey;
    @Nullable final String sessionToken;
    @Nullable final String profileName;
    @Nullable final String profileFile;
    @Nullable final String webIdentityRoleArn;
    @Nullable final String webIdentityTokenFile;
    @Nullable final String webIdentitySessionName;
    @Nullable final String assumeRoleArn;
    @Nullable final String assumeRoleSessionName;
    @Nullable final String assumeRoleExternalId;
    @Nullable final Duration assumeRoleDuration;
    @Nullable final Duration apiCallAttemptTimeout;

    AwsConfig(AwsConfigBuilder b) {
        this.region = b.region;
        this.endpointOverride = b.endpointOverride;
        this.stsEndpointOverride = b.stsEndpointOverride;
        this.credentialsSource = b.credentialsSource;
        this.accessKeyId = b.accessKeyId;
        this.secretAccessKey = b.secretAccessKey;
        this.sessionToken = b.sessionToken;
        this.profileName = b.profileName;
        this.profileFile = b.profileFile;
        this.webIdentityRoleArn = b.webIdentityRoleArn;
        this.webIdentityTokenFile = b.webIdentityTokenFile;
        this.webIdentitySessionName = b.webIdentitySessionName;
        this.assumeRoleArn = b.assumeRoleArn;
        this.assumeRoleSessionName = b.assumeRoleSessionName;
        this.assumeRoleExternalId = b.assumeRoleExternalId;
        this.assumeRoleDuration = b.assumeRoleDuration;
        this.apiCallAttemptTimeout = b.apiCallAttemptTimeout;
    }

    /** A configuration that leaves region and credentials to the SDK's default chains. */
    public static AwsConfig defaults() {
        return builder().build();
    }

    /** Starts a configuration; every setting is optional. */
    public static AwsConfigBuilder builder() {
        return new AwsConfigBuilder();
    }

    /** The configured region id; empty means the SDK's default region provider chain. */
    public Optional<String> getRegion() {
        return Optional.ofNullable(region);
    }

    /** The endpoint that replaces the region's DynamoDB and DynamoDB Streams endpoints. */
    public Optional<URI> getEndpointOverride() {
        return Optional.ofNullable(endpointOverride);
    }

    /** The endpoint that replaces the region's STS endpoint for assume-role and web identity. */
    public Optional<URI> getStsEndpointOverride() {
        return Optional.ofNullable(stsEndpointOverride);
    }

    /** Where the base credentials come from. */
    public CredentialsSource getCredentialsSource() {
        return credentialsSource;
    }

    /** The access key id of static credentials; empty for the other credentials sources. */
    public Optional<String> getAccessKeyId() {
        return Optional.ofNullable(accessKeyId);
    }

    /** The profile name of profile credentials; empty for the other credentials sources. */
    public Optional<String> getProfileName() {
        return Optional.ofNullable(profileName);
    }

    /** The role assumed through web identity; empty for the other credentials sources. */
    public Optional<String> getWebIdentityRoleArn() {
        return Optional.ofNullable(webIdentityRoleArn);
    }

    /** The role assumed on top of the base credentials; empty if none. */
    public Optional<String> getAssumeRoleArn() {
        return Optional.ofNullable(assumeRoleArn);
    }

    /** The longest any single HTTP attempt of an AWS call may take; empty means no such limit. */
    public Optional<Duration> getApiCallAttemptTimeout() {
        return Optional.ofNullable(apiCallAttemptTimeout);
    }

    /** Whether building credentials needs an STS client. */
    boolean usesSts() {
        return assumeRoleArn != null || credentialsSource == CredentialsSource.WEB_IDENTITY;
    }

    /**
     * Builds the SDK credentials provider for this configuration; the caller closes it, which
     * closes every provider and STS client behind it. Kept internal so that the secret key is
     * handed only to the SDK, never through a public getter.
     *
     * @param stsRegion the region of the STS client, used only for assume-role and web identity
     */
    @Internal
    public CloseableCredentialsProvider createCredentialsProvider(Region stsRegion) {
        return AwsCredentialsProviders.create(this, stsRegion);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AwsConfig)) {
            return false;
        }
        AwsConfig that = (AwsConfig) o;
        return Objects.equals(region, that.region)
                && Objects.equals(endpointOverride, that.endpointOverride)
                && Objects.equals(stsEndpointOverride, that.stsEndpointOverride)
                && credentialsSource == that.credentialsSource
                && Objects.equals(accessKeyId, that.accessKeyId)
                && Objects.equals(secretAccessKey, that.secretAccessKey)
                && Objects.equals(sessionToken, that.sessionToken)
                && Objects.equals(profileName, that.profileName)
                && Objects.equals(profileFile, that.profileFile)
                && Objects.equals(webIdentityRoleArn, that.webIdentityRoleArn)
                && Objects.equals(webIdentityTokenFile, that.webIdentityTokenFile)
                && Objects.equals(webIdentitySessionName, that.webIdentitySessionName)
                && Objects.equals(assumeRoleArn, that.assumeRoleArn)
                && Objects.equals(assumeRoleSessionName, that.assumeRoleSessionName)
                && Objects.equals(assumeRoleExternalId, that.assumeRoleExternalId)
                && Objects.equals(assumeRoleDuration, that.assumeRoleDuration)
                && Objects.equals(apiCallAttemptTimeout, that.apiCallAttemptTimeout);
    }

    @Override
    public int hashCode() {
        // Secrets stay out of the hash: equal settings with different secrets are rare, and a
        // hash must not become a way to probe a secret.
        return Objects.hash(
                region,
                endpointOverride,
                credentialsSource,
                accessKeyId,
                profileName,
                webIdentityRoleArn,
                assumeRoleArn);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AwsConfig{region=");
        sb.append(region == null ? "<default chain>" : region);
        if (endpointOverride != null) {
            sb.append(", endpointOverride=").append(endpointOverride);
        }
        sb.append(", credentials=").append(credentialsSource);
        switch (credentialsSource) {
            case STATIC:
                sb.append(", accessKeyId=").append(maskAccessKeyId(accessKeyId));
                sb.append(", secretAccessKey=").append(MASK);
                if (sessionToken != null) {
                    sb.append(", sessionToken=").append(MASK);
                }
                break;
            case PROFILE:
                sb.append(", profileName=").append(profileName);
                if (profileFile != null) {
                    sb.append(", profileFile=").append(profileFile);
                }
                break;
            case WEB_IDENTITY:
                sb.append(", webIdentityRoleArn=").append(webIdentityRoleArn);
                sb.append(", webIdentityTokenFile=").append(webIdentityTokenFile);
                sb.append(", webIdentitySessionName=").append(webIdentitySessionName);
                break;
            case DEFAULT_CHAIN:
            default:
                break;
        }
        if (assumeRoleArn != null) {
            sb.append(", assumeRoleArn=").append(assumeRoleArn);
            sb.append(", assumeRoleSessionName=").append(assumeRoleSessionName);
            if (assumeRoleExternalId != null) {
                sb.append(", assumeRoleExternalId=").append(MASK);
            }
            if (assumeRoleDuration != null) {
                sb.append(", assumeRoleDuration=").append(assumeRoleDuration);
            }
        }
        if (stsEndpointOverride != null) {
            sb.append(", stsEndpointOverride=").append(stsEndpointOverride);
        }
        if (apiCallAttemptTimeout != null) {
            sb.append(", apiCallAttemptTimeout=").append(apiCallAttemptTimeout);
        }
        return sb.append('}').toString();
    }

    /** Shows the first four characters (the key type, e.g. AKIA or ASIA), never the whole key. */
    private static String maskAccessKeyId(@Nullable String keyId) {
        if (keyId == null || keyId.length() <= 8) {
            return MASK;
        }
        return keyId.substring(0, 4) + MASK;
    }
}
