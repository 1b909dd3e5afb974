package io.github.ddbstreams.flink.source.aws;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * The argument checks of {@link AwsConfigBuilder}. Every message starts with the option's name;
 * values of secret options are never echoed, only their names.
 */
final class AwsConfigChecks {

    /** The region id shape of every AWS partition: {@code us-east-1}, {@code us-gov-west-1}. */
    private static final Pattern REGION_ID = Pattern.compile("[a-z]{2,}(-[a-z]+)+-[0-9]+");

    /** IAM role ARNs in every partition (aws, aws-cn, aws-us-gov, ...), with optional paths. */
    private static final Pattern ROLE_ARN =
            Pattern.compile("arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}");

    /** STS's own constraint on RoleSessionName. */
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");

    /** STS's own constraint on ExternalId. */
    private static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]{2,1224}");

    /** STS accepts 15 minutes to 12 hours; the role's own maximum may be lower. */
    static final Duration MIN_ROLE_DURATION = Duration.ofMinutes(15);

    static final Duration MAX_ROLE_DURATION = Duration.ofHours(12);

    private AwsConfigChecks() {}

    static String region(String region) {
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
        return region;
    }

    static Duration positive(String option, Duration duration) {
        Objects.requireNonNull(duration, option + " must not be null");
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(
                    option + ": " + duration + " is not positive; use a duration such as 10 s");
        }
        return duration;
    }

    static URI endpoint(String option, URI endpoint, String example) {
        Objects.requireNonNull(endpoint, option + " must not be null");
        String scheme = endpoint.getScheme();
        boolean web =
                scheme != null
                        && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"));
        if (!endpoint.isAbsolute() || !web || endpoint.getHost() == null) {
            throw new IllegalArgumentException(
                    option
                            + ": '"
                            + endpoint
                            + "' is not an absolute http or https URI with a host; expected"
                            + " for example "
                            + example);
        }
        return endpoint;
    }

    static URI endpoint(String option, String endpoint, String example) {
        Objects.requireNonNull(endpoint, option + " must not be null");
        try {
            return endpoint(option, new URI(endpoint), example);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    option + ": '" + endpoint + "' is not a valid URI: " + e.getReason(), e);
        }
    }

    static String roleArn(String option, String roleArn) {
        nonBlank(roleArn, option);
        if (!ROLE_ARN.matcher(roleArn).matches()) {
            throw new IllegalArgumentException(
                    option
                            + ": '"
                            + roleArn
                            + "' is not an IAM role ARN; expected"
                            + " 'arn:aws:iam::<12-digit account id>:role/<name or path/name>',"
                            + " e.g. 'arn:aws:iam::123456789012:role/streams-reader'");
        }
        return roleArn;
    }

    static String sessionName(String option, String sessionName) {
        nonBlank(sessionName, option);
        if (!SESSION_NAME.matcher(sessionName).matches()) {
            throw new IllegalArgumentException(
                    option
                            + ": '"
                            + sessionName
                            + "' is not a valid role session name; expected 2 to 64 letters,"
                            + " digits or any of _+=,.@-");
        }
        return sessionName;
    }

    /** Never echoes the value: the external id is treated as sensitive. */
    static String externalId(String option, String externalId) {
        nonBlank(externalId, option);
        if (!EXTERNAL_ID.matcher(externalId).matches()) {
            throw new IllegalArgumentException(
                    option
                            + " is not a valid external id; expected 2 to 1224 letters, digits"
                            + " or any of _+=,.@:/-");
        }
        return externalId;
    }

    static Duration roleDuration(String option, Duration duration) {
        Objects.requireNonNull(duration, option + " must not be null");
        if (duration.compareTo(MIN_ROLE_DURATION) < 0
                || duration.compareTo(MAX_ROLE_DURATION) > 0
                || duration.getNano() != 0) {
            throw new IllegalArgumentException(
                    option
                            + ": "
                            + duration
                            + " is outside what STS accepts; expected whole seconds from "
                            + MIN_ROLE_DURATION
                            + " (15 minutes) to "
                            + MAX_ROLE_DURATION
                            + " (12 hours), and at most the role's maximum session duration");
        }
        return duration;
    }

    /**
     * Secrets are checked for characters no signer accepts in a header value, without showing the
     * value: an SDK or HTTP client error about a bad header could otherwise print it.
     */
    static String secret(@Nullable String value, String option) {
        nonBlank(value, option);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                throw new IllegalArgumentException(
                        option
                                + " contains whitespace, a control character or a non-ASCII"
                                + " character at index "
                                + i
                                + "; check for a stray newline or space from copying");
            }
        }
        return value;
    }

    static String nonBlank(@Nullable String value, String option) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(option + " must not be null or blank");
        }
        return value;
    }
}
