package io.github.ddbstreams.flink.source.aws;

import io.github.ddbstreams.flink.source.aws.AwsConfig.CredentialsSource;
import java.net.URI;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Builds an {@link AwsConfig}. Each setter checks its argument at once and {@link #build()} checks
 * the combination; every message names the option ({@code awsConfig.xxx}), never the value of a
 * secret.
 */
@PublicEvolving
public final class AwsConfigBuilder {
    // Package-private: AwsConfig's constructor copies them.
    @Nullable String region;
    @Nullable URI endpointOverride;
    @Nullable URI stsEndpointOverride;
    CredentialsSource credentialsSource = CredentialsSource.DEFAULT_CHAIN;
    @Nullable String accessKeyId;
    @Nullable String secretAccessKey;
    @Nullable String sessionToken;
    @Nullable String profileName;
    @Nullable String profileFile;
    @Nullable String webIdentityRoleArn;
    @Nullable String webIdentityTokenFile;
    @Nullable String webIdentitySessionName;
    @Nullable String assumeRoleArn;
    @Nullable String assumeRoleSessionName;
    @Nullable String assumeRoleExternalId;
    @Nullable Duration assumeRoleDuration;
    @Nullable Duration apiCallAttemptTimeout;

    AwsConfigBuilder() {}

    /** The AWS region id, for example {@code eu-west-1}; STS calls use it too. */
    public AwsConfigBuilder region(String region) {
        this.region = AwsConfigChecks.region(region);
        return this;
    }

    /**
     * Sends every DynamoDB and DynamoDB Streams request to this endpoint instead of the region's,
     * for example {@code http://localhost:8000} for DynamoDB Local or a VPC endpoint.
     */
    public AwsConfigBuilder endpointOverride(URI endpoint) {
        this.endpointOverride =
                AwsConfigChecks.endpoint("awsConfig.endpointOverride", endpoint, DDB_EXAMPLE);
        return this;
    }

    /** Same as {@link #endpointOverride(URI)}, parsing the string first. */
    public AwsConfigBuilder endpointOverride(String endpoint) {
        this.endpointOverride =
                AwsConfigChecks.endpoint("awsConfig.endpointOverride", endpoint, DDB_EXAMPLE);
        return this;
    }

    /**
     * Sends the STS calls of {@link #assumeRole} and {@link #webIdentityCredentials} to this
     * endpoint instead of the region's, e.g. an STS VPC endpoint or a test stub.
     */
    public AwsConfigBuilder stsEndpointOverride(URI endpoint) {
        this.stsEndpointOverride =
                AwsConfigChecks.endpoint("awsConfig.stsEndpointOverride", endpoint, STS_EXAMPLE);
        return this;
    }

    /** Same as {@link #stsEndpointOverride(URI)}, parsing the string first. */
    public AwsConfigBuilder stsEndpointOverride(String endpoint) {
        this.stsEndpointOverride =
                AwsConfigChecks.endpoint("awsConfig.stsEndpointOverride", endpoint, STS_EXAMPLE);
        return this;
    }

    /**
     * Abandons any single HTTP attempt of an AWS call that takes longer than this, so that a
     * stalled connection is retried (by the SDK, then with the source's own back-off) instead of
     * holding its shard until the HTTP client's socket timeout. Unset: no attempt timeout, only the
     * HTTP client's own connection and socket timeouts. Choose it well above the endpoint's normal
     * latency: {@code GetRecords} of 1 MB usually answers in well under a second.
     */
    public AwsConfigBuilder apiCallAttemptTimeout(Duration timeout) {
        this.apiCallAttemptTimeout =
                AwsConfigChecks.positive("awsConfig.apiCallAttemptTimeout", timeout);
        return this;
    }

    /** Uses the AWS SDK's default credentials provider chain (the default). */
    public AwsConfigBuilder defaultCredentials() {
        setBase(CredentialsSource.DEFAULT_CHAIN);
        return this;
    }

    /** Uses a fixed access key; replaces any base credentials chosen before. */
    public AwsConfigBuilder staticCredentials(String accessKeyId, String secretAccessKey) {
        return staticCredentials(accessKeyId, secretAccessKey, null);
    }

    /**
     * Uses fixed temporary credentials; {@code sessionToken} may be null for long-term keys.
     * Replaces any base credentials chosen before.
     */
    public AwsConfigBuilder staticCredentials(
            String accessKeyId, String secretAccessKey, @Nullable String sessionToken) {
        AwsConfigChecks.nonBlank(accessKeyId, "awsConfig.accessKeyId");
        AwsConfigChecks.secret(secretAccessKey, "awsConfig.secretAccessKey");
        if (sessionToken != null) {
            AwsConfigChecks.secret(sessionToken, "awsConfig.sessionToken");
        }
        setBase(CredentialsSource.STATIC);
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.sessionToken = sessionToken;
        return this;
    }

    /**
     * Uses a named profile of the shared AWS config and credentials files ({@code ~/.aws/config},
     * {@code ~/.aws/credentials}, or where {@code AWS_CONFIG_FILE} and {@code
     * AWS_SHARED_CREDENTIALS_FILE} point); replaces any base credentials chosen before.
     */
    public AwsConfigBuilder profileCredentials(String profileName) {
        return profileCredentials(profileName, null);
    }

    /**
     * Uses a named profile of the given file, in the format of the shared credentials file ({@code
     * [name]} sections), read on every TaskManager and JobManager; null means the shared files.
     * Replaces any base credentials chosen before.
     */
    public AwsConfigBuilder profileCredentials(
            String profileName, @Nullable String credentialsFile) {
        AwsConfigChecks.nonBlank(profileName, "awsConfig.profileName");
        if (credentialsFile != null) {
            AwsConfigChecks.nonBlank(credentialsFile, "awsConfig.profileFile");
        }
        setBase(CredentialsSource.PROFILE);
        this.profileName = profileName;
        this.profileFile = credentialsFile;
        return this;
    }

    /**
     * Uses STS {@code AssumeRoleWithWebIdentity} with the OIDC token in {@code tokenFile}, read
     * again at every refresh (as Kubernetes rotates it). The file must exist where the tasks run,
     * not where the job is built. Replaces any base credentials chosen before.
     */
    public AwsConfigBuilder webIdentityCredentials(
            String roleArn, String tokenFile, String sessionName) {
        String arn = AwsConfigChecks.roleArn("awsConfig.webIdentityRoleArn", roleArn);
        AwsConfigChecks.nonBlank(tokenFile, "awsConfig.webIdentityTokenFile");
        String session =
                AwsConfigChecks.sessionName("awsConfig.webIdentitySessionName", sessionName);
        setBase(CredentialsSource.WEB_IDENTITY);
        this.webIdentityRoleArn = arn;
        this.webIdentityTokenFile = tokenFile;
        this.webIdentitySessionName = session;
        return this;
    }

    /** Same as {@link #assumeRole(String, String, String, Duration)} with STS's defaults. */
    public AwsConfigBuilder assumeRole(String roleArn, String sessionName) {
        return assumeRole(roleArn, sessionName, null, null);
    }

    /**
     * Assumes this role through STS {@code AssumeRole}, signed with the base credentials (the
     * default chain unless another kind is chosen), and refreshes it before it expires.
     *
     * @param externalId the external id the role's trust policy demands, or null
     * @param duration the session length, 15 minutes to 12 hours, or null for STS's default
     */
    public AwsConfigBuilder assumeRole(
            String roleArn,
            String sessionName,
            @Nullable String externalId,
            @Nullable Duration duration) {
        String arn = AwsConfigChecks.roleArn("awsConfig.assumeRoleArn", roleArn);
        String session =
                AwsConfigChecks.sessionName("awsConfig.assumeRoleSessionName", sessionName);
        if (externalId != null) {
            AwsConfigChecks.externalId("awsConfig.assumeRoleExternalId", externalId);
        }
        if (duration != null) {
            AwsConfigChecks.roleDuration("awsConfig.assumeRoleDuration", duration);
        }
        this.assumeRoleArn = arn;
        this.assumeRoleSessionName = session;
        this.assumeRoleExternalId = externalId;
        this.assumeRoleDuration = duration;
        return this;
    }

    /** Creates the immutable configuration, checking that the options fit together. */
    public AwsConfig build() {
        AwsConfig config = new AwsConfig(this);
        if (stsEndpointOverride != null && !config.usesSts()) {
            throw new IllegalArgumentException(
                    "awsConfig.stsEndpointOverride is set, but no credentials use STS; it"
                            + " applies only with assumeRole(...) or"
                            + " webIdentityCredentials(...)");
        }
        return config;
    }

    private void setBase(CredentialsSource source) {
        this.credentialsSource = source;
        this.accessKeyId = null;
        this.secretAccessKey = null;
        this.sessionToken = null;
        this.profileName = null;
        this.profileFile = null;
        this.webIdentityRoleArn = null;
        this.webIdentityTokenFile = null;
        this.webIdentitySessionName = null;
    }

    private static final String DDB_EXAMPLE =
            "'http://localhost:8000' or 'https://streams.dynamodb.eu-west-1.amazonaws.com'";
    private static final String STS_EXAMPLE =
            "'https://sts.eu-west-1.amazonaws.com' or 'http://localhost:4566'";
}
