package io.github.ddbstreams.flink.source;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * How the source reaches AWS: the region, an optional endpoint override and the credentials.
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
 *         .build();
 * }</pre>
 *
 * <p>Instances are immutable and serializable: they travel with the job graph to every task. Static
 * credentials are therefore part of the job graph; prefer the default chain or a profile in
 * production. {@link #toString()} never shows the secret key or session token.
 */
@PublicEvolving
public final class AwsConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The region id shape of every AWS partition: {@code us-east-1}, {@code us-gov-west-1}. */
    private static final Pattern REGION_ID = Pattern.compile("[a-z]{2,}(-[a-z]+)+-[0-9]+");

    private static final String MASK = "****";

    /** Where the credentials come from. */
    @PublicEvolving
    public enum CredentialsSource {
        /** The AWS SDK's default credentials provider chain. */
        DEFAULT_CHAIN,
        /** A fixed access key id and secret access key, optionally with a session token. */
        STATIC,
        /** A named profile of the shared AWS config and credentials files. */
        PROFILE
    }

    @Nullable private final String region;
    @Nullable private final URI endpointOverride;
    private final CredentialsSource credentialsSource;
    @Nullable private final String accessKeyId;
    @Nullable private final String secretAccessKey;
    @Nullable private final String sessionToken;
    @Nullable private final String profileName;

    private AwsConfig(Builder builder) {
        this.region = builder.region;
        this.endpointOverride = builder.endpointOverride;
        this.credentialsSource = builder.credentialsSource;
        this.accessKeyId = builder.accessKeyId;
        this.secretAccessKey = builder.secretAccessKey;
        this.sessionToken = builder.sessionToken;
        this.profileName = builder.profileName;
    }

    /** A configuration that leaves region and credentials to the SDK's default chains. */
    public static AwsConfig defaults() {
        return builder().build();
    }

    /** Starts a configuration; every setting is optional. */
    public static Builder builder() {
        return new Builder();
    }

    /** The configured region id; empty means the SDK's default region provider chain. */
    public Optional<String> getRegion() {
        return Optional.ofNullable(region);
    }

    /** The endpoint that replaces the region's DynamoDB and DynamoDB Streams endpoints. */
    public Optional<URI> getEndpointOverride() {
        return Optional.ofNullable(endpointOverride);
    }

    /** Where the credentials come from. */
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

    /**
     * Builds the SDK credentials provider for this configuration. Kept internal so that the secret
     * key is handed only to the SDK, never through a public getter.
     */
    @Internal
    public AwsCredentialsProvider createCredentialsProvider() {
        switch (credentialsSource) {
            case STATIC:
                return StaticCredentialsProvider.create(
                        sessionToken == null
                                ? AwsBasicCredentials.create(accessKeyId, secretAccessKey)
                                : AwsSessionCredentials.create(
                                        accessKeyId, secretAccessKey, sessionToken));
            case PROFILE:
                return ProfileCredentialsProvider.builder().profileName(profileName).build();
            case DEFAULT_CHAIN:
            default:
                return DefaultCredentialsProvider.builder().build();
        }
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
                && credentialsSource == that.credentialsSource
                && Objects.equals(accessKeyId, that.accessKeyId)
                && Objects.equals(secretAccessKey, that.secretAccessKey)
                && Objects.equals(sessionToken, that.sessionToken)
                && Objects.equals(profileName, that.profileName);
    }

    @Override
    public int hashCode() {
        // The secret stays out of the hash: equal access keys with different secrets are rare,
        // and a hash must not become a way to probe a secret.
        return Objects.hash(region, endpointOverride, credentialsSource, accessKeyId, profileName);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("AwsConfig{region=");
        sb.append(region == null ? "<default chain>" : region);
        if (endpointOverride != null) {
            sb.append(", endpointOverride=").append(endpointOverride);
        }
        sb.append(", credentials=").append(credentialsSource);
        if (credentialsSource == CredentialsSource.STATIC) {
            sb.append(", accessKeyId=").append(maskAccessKeyId(accessKeyId));
            sb.append(", secretAccessKey=").append(MASK);
            if (sessionToken != null) {
                sb.append(", sessionToken=").append(MASK);
            }
        } else if (credentialsSource == CredentialsSource.PROFILE) {
            sb.append(", profileName=").append(profileName);
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

    /** Builds an {@link AwsConfig}; each setter validates its argument at once. */
    @PublicEvolving
    public static final class Builder {
        @Nullable private String region;
        @Nullable private URI endpointOverride;
        private CredentialsSource credentialsSource = CredentialsSource.DEFAULT_CHAIN;
        @Nullable private String accessKeyId;
        @Nullable private String secretAccessKey;
        @Nullable private String sessionToken;
        @Nullable private String profileName;

        private Builder() {}

        /** The AWS region id, for example {@code eu-west-1}. */
        public Builder region(String region) {
            Objects.requireNonNull(region, "awsConfig.region must not be null");
            if (!REGION_ID.matcher(region).matches()) {
                String hint =
                        region.toLowerCase(Locale.ROOT).equals(region)
                                ? ""
                                : " (region ids are lower case)";
                throw new IllegalArgumentException(
                        "awsConfig.region: '"
                                + region
                                + "' is not a valid AWS region id; expected an id such as"
                                + " 'us-east-1' or 'eu-west-1'"
                                + hint);
            }
            this.region = region;
            return this;
        }

        /**
         * Sends every DynamoDB and DynamoDB Streams request to this endpoint instead of the
         * region's, for example {@code http://localhost:8000} for DynamoDB Local or a VPC endpoint.
         * Must be an absolute {@code http} or {@code https} URI with a host.
         */
        public Builder endpointOverride(URI endpoint) {
            Objects.requireNonNull(endpoint, "awsConfig.endpointOverride must not be null");
            String scheme = endpoint.getScheme();
            boolean web =
                    scheme != null
                            && (scheme.equalsIgnoreCase("http")
                                    || scheme.equalsIgnoreCase("https"));
            if (!endpoint.isAbsolute() || !web || endpoint.getHost() == null) {
                throw new IllegalArgumentException(
                        "awsConfig.endpointOverride: '"
                                + endpoint
                                + "' is not an absolute http or https URI with a host; expected"
                                + " for example 'http://localhost:8000' or"
                                + " 'https://streams.dynamodb.eu-west-1.amazonaws.com'");
            }
            this.endpointOverride = endpoint;
            return this;
        }

        /** Same as {@link #endpointOverride(URI)}, parsing the string first. */
        public Builder endpointOverride(String endpoint) {
            Objects.requireNonNull(endpoint, "awsConfig.endpointOverride must not be null");
            try {
                return endpointOverride(new URI(endpoint));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(
                        "awsConfig.endpointOverride: '"
                                + endpoint
                                + "' is not a valid URI: "
                                + e.getReason(),
                        e);
            }
        }

        /** Uses the AWS SDK's default credentials provider chain (the default). */
        public Builder defaultCredentials() {
            setCredentials(CredentialsSource.DEFAULT_CHAIN, null, null, null, null);
            return this;
        }

        /** Uses a fixed access key; replaces any credentials chosen before. */
        public Builder staticCredentials(String accessKeyId, String secretAccessKey) {
            return staticCredentials(accessKeyId, secretAccessKey, null);
        }

        /**
         * Uses fixed temporary credentials; {@code sessionToken} may be null for long-term keys.
         * Replaces any credentials chosen before.
         */
        public Builder staticCredentials(
                String accessKeyId, String secretAccessKey, @Nullable String sessionToken) {
            requireNonBlank(accessKeyId, "awsConfig.accessKeyId");
            // The secret's value must never reach a message: only its name is reported.
            requireNonBlank(secretAccessKey, "awsConfig.secretAccessKey");
            if (sessionToken != null) {
                requireNonBlank(sessionToken, "awsConfig.sessionToken");
            }
            setCredentials(
                    CredentialsSource.STATIC, accessKeyId, secretAccessKey, sessionToken, null);
            return this;
        }

        /**
         * Uses a named profile of the shared AWS config and credentials files; replaces any
         * credentials chosen before.
         */
        public Builder profileCredentials(String profileName) {
            requireNonBlank(profileName, "awsConfig.profileName");
            setCredentials(CredentialsSource.PROFILE, null, null, null, profileName);
            return this;
        }

        /** Creates the immutable configuration. */
        public AwsConfig build() {
            return new AwsConfig(this);
        }

        private void setCredentials(
                CredentialsSource source,
                @Nullable String keyId,
                @Nullable String secret,
                @Nullable String token,
                @Nullable String profile) {
            this.credentialsSource = source;
            this.accessKeyId = keyId;
            this.secretAccessKey = secret;
            this.sessionToken = token;
            this.profileName = profile;
        }

        private static void requireNonBlank(@Nullable String value, String option) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(option + " must not be null or blank");
            }
        }
    }
}
