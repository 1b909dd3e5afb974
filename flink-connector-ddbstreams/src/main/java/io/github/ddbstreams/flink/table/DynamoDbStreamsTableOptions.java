package io.github.ddbstreams.flink.table;

import java.time.Duration;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * The options of the {@code 'connector' = 'dynamodb-streams'} table source. The tuning options of
 * the DataStream source ({@link io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions},
 * e.g. {@code source.shard.discovery-interval}) are accepted under their own keys as well, and
 * {@code scan.parallelism} sets the source's parallelism.
 */
@PublicEvolving
public final class DynamoDbStreamsTableOptions {

    private DynamoDbStreamsTableOptions() {}

    public static final ConfigOption<String> STREAM_ARN =
            ConfigOptions.key("stream-arn")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The ARN of the stream to read (DescribeTable's LatestStreamArn). Set "
                                    + "exactly one of 'stream-arn' and 'table-name'.");

    public static final ConfigOption<String> TABLE_NAME =
            ConfigOptions.key("table-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The DynamoDB table whose current stream to read; resolved when the "
                                    + "job starts. Set exactly one of 'stream-arn' and "
                                    + "'table-name'.");

    public static final ConfigOption<String> AWS_REGION =
            ConfigOptions.key("aws.region")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The AWS region id, e.g. 'eu-west-1'. Default: the AWS SDK's region "
                                    + "chain (AWS_REGION, the aws.region system property, the "
                                    + "profile file).");

    public static final ConfigOption<String> AWS_ENDPOINT =
            ConfigOptions.key("aws.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "An http(s) endpoint that replaces the region's DynamoDB and DynamoDB "
                                    + "Streams endpoints, e.g. 'http://localhost:8000' for "
                                    + "DynamoDB Local or a VPC endpoint.");

    public static final ConfigOption<String> AWS_CREDENTIALS_PROVIDER =
            ConfigOptions.key("aws.credentials.provider")
                    .stringType()
                    .defaultValue("default")
                    .withDescription(
                            "Where the credentials come from: 'default' (the AWS SDK's default "
                                    + "chain), 'static' (needs 'aws.credentials.access-key-id' "
                                    + "and 'aws.credentials.secret-access-key'), 'profile' "
                                    + "(needs 'aws.credentials.profile-name') or 'web-identity' "
                                    + "(needs 'aws.credentials.role-arn' and "
                                    + "'aws.credentials.web-identity-token-file'). "
                                    + "'aws.assume-role.arn' adds a role assumed on top of any "
                                    + "of them.");

    public static final ConfigOption<String> AWS_ACCESS_KEY_ID =
            ConfigOptions.key("aws.credentials.access-key-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The access key id of 'static' credentials.");

    public static final ConfigOption<String> AWS_SECRET_ACCESS_KEY =
            ConfigOptions.key("aws.credentials.secret-access-key")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The secret access key of 'static' credentials. It becomes part of "
                                    + "the job graph; prefer 'default' or 'profile' in "
                                    + "production.");

    public static final ConfigOption<String> AWS_SESSION_TOKEN =
            ConfigOptions.key("aws.credentials.session-token")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("The session token of temporary 'static' credentials.");

    public static final ConfigOption<String> AWS_PROFILE_NAME =
            ConfigOptions.key("aws.credentials.profile-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The profile of the shared AWS config and credentials files that "
                                    + "'profile' credentials use.");

    /** The role session name used when none is set: STS requires one. */
    static final String DEFAULT_ROLE_SESSION_NAME = "flink-dynamodb-streams";

    public static final ConfigOption<String> AWS_PROFILE_FILE =
            ConfigOptions.key("aws.credentials.profile-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A file in the shared credentials file format ([name] sections) that "
                                    + "'profile' credentials read instead of the shared AWS "
                                    + "files; it must exist on every JobManager and TaskManager.");

    public static final ConfigOption<String> AWS_WEB_IDENTITY_ROLE_ARN =
            ConfigOptions.key("aws.credentials.role-arn")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The IAM role that 'web-identity' credentials assume with STS "
                                    + "AssumeRoleWithWebIdentity, e.g. "
                                    + "'arn:aws:iam::123456789012:role/streams-reader'.");

    public static final ConfigOption<String> AWS_WEB_IDENTITY_TOKEN_FILE =
            ConfigOptions.key("aws.credentials.web-identity-token-file")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The OIDC token file of 'web-identity' credentials (e.g. the "
                                    + "Kubernetes service account token that AWS_WEB_IDENTITY_"
                                    + "TOKEN_FILE names); read again at every refresh, on the "
                                    + "machines where the tasks run.");

    public static final ConfigOption<String> AWS_WEB_IDENTITY_SESSION_NAME =
            ConfigOptions.key("aws.credentials.role-session-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The role session name of 'web-identity' credentials (2 to 64 of "
                                    + "letters, digits and _+=,.@-). Default: '"
                                    + DEFAULT_ROLE_SESSION_NAME
                                    + "'.");

    public static final ConfigOption<String> AWS_ASSUME_ROLE_ARN =
            ConfigOptions.key("aws.assume-role.arn")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "A role to assume with STS AssumeRole, signed with the credentials "
                                    + "of 'aws.credentials.provider'; refreshed before it "
                                    + "expires.");

    public static final ConfigOption<String> AWS_ASSUME_ROLE_SESSION_NAME =
            ConfigOptions.key("aws.assume-role.session-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The session name of 'aws.assume-role.arn' (2 to 64 of letters, "
                                    + "digits and _+=,.@-). Default: '"
                                    + DEFAULT_ROLE_SESSION_NAME
                                    + "'.");

    public static final ConfigOption<String> AWS_ASSUME_ROLE_EXTERNAL_ID =
            ConfigOptions.key("aws.assume-role.external-id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The external id that the trust policy of 'aws.assume-role.arn' "
                                    + "demands. Treated as a secret: never shown in messages.");

    public static final ConfigOption<Duration> AWS_ASSUME_ROLE_DURATION =
            ConfigOptions.key("aws.assume-role.duration")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "The session length of 'aws.assume-role.arn', 15 min to 12 h and at "
                                    + "most the role's maximum. Default: STS's (1 h).");

    public static final ConfigOption<String> AWS_STS_ENDPOINT =
            ConfigOptions.key("aws.sts.endpoint")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "An http(s) endpoint for the STS calls of 'web-identity' and "
                                    + "'aws.assume-role.arn' (e.g. an STS VPC endpoint); only "
                                    + "allowed when one of them is used.");

    public static final ConfigOption<Duration> AWS_API_CALL_ATTEMPT_TIMEOUT =
            ConfigOptions.key("aws.api-call-attempt-timeout")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "The longest a single HTTP attempt of an AWS call may take, e.g. "
                                    + "'10 s'; a stalled attempt is abandoned and retried with "
                                    + "back-off. Default: no limit besides the HTTP client's "
                                    + "connection and socket timeouts.");

    public static final ConfigOption<String> SCAN_STARTUP_MODE =
            ConfigOptions.key("scan.startup.mode")
                    .stringType()
                    .defaultValue("latest")
                    .withDescription(
                            "Where a job without a checkpoint starts: 'latest' (records written "
                                    + "after the job started), 'trim-horizon' (every record the "
                                    + "stream retains, up to 24 h), 'timestamp' (records "
                                    + "created at or after 'scan.startup.timestamp-millis') or "
                                    + "'snapshot' (the table's contents, read by a parallel Scan "
                                    + "as +I rows, then the source finishes) or 'initial' (the "
                                    + "contents, then every change, merged per item into one "
                                    + "valid changelog); see 'source.snapshot.*'.");

    public static final ConfigOption<Long> SCAN_STARTUP_TIMESTAMP_MILLIS =
            ConfigOptions.key("scan.startup.timestamp-millis")
                    .longType()
                    .noDefaultValue()
                    .withDescription(
                            "The start of 'timestamp' startup mode, in milliseconds since the "
                                    + "epoch; compared with the records' "
                                    + "ApproximateCreationDateTime (whole seconds).");

    public static final ConfigOption<Boolean> SCAN_BOUNDED =
            ConfigOptions.key("scan.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "If true, the source reads every record that exists when the job "
                                    + "starts and then finishes (a bounded scan of the stream).");

    public static final ConfigOption<String> CHANGELOG_MODE =
            ConfigOptions.key("changelog.mode")
                    .stringType()
                    .defaultValue("changelog")
                    .withDescription(
                            "How stream records become rows. 'changelog': INSERT -> +I(new "
                                    + "image), MODIFY -> -U(old image), +U(new image), REMOVE -> "
                                    + "-D(old image); needs stream view type NEW_AND_OLD_IMAGES. "
                                    + "'upsert': INSERT -> +I, MODIFY -> +U (new image), REMOVE "
                                    + "-> -D (old image, or only the keys); needs NEW_IMAGE or "
                                    + "NEW_AND_OLD_IMAGES and a PRIMARY KEY of the table's key "
                                    + "attributes. 'append': one +I row per record (new image, "
                                    + "else old image, else keys) for any view type; read the "
                                    + "event name from the 'event_name' metadata column.");

    public static final ConfigOption<String> CONVERSION_ON_ERROR =
            ConfigOptions.key("conversion.on-error")
                    .stringType()
                    .defaultValue("fail")
                    .withDescription(
                            "What an attribute that does not fit its column's type does: 'fail' "
                                    + "(the job fails with the attribute, the item's key and both "
                                    + "types named) or 'null' (the column becomes NULL and the "
                                    + "numConversionErrors metric counts it).");

    public static final ConfigOption<String> ATTRIBUTE_MAPPING =
            ConfigOptions.key("attribute-mapping")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Top-level columns whose DynamoDB attribute has another name, as "
                                    + "'column:attribute' pairs separated by ';', e.g. "
                                    + "'order_id:pk;created:createdAt'. Unlisted columns read the "
                                    + "attribute of their own name; ROW fields always do.");
}
