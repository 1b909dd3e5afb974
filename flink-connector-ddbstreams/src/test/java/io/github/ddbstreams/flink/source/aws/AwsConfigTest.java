package io.github.ddbstreams.flink.source.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.aws.AwsConfig.CredentialsSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.regions.Region;

class AwsConfigTest {

    private static final String KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final String TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";
    private static final Region REGION = Region.US_EAST_1;

    @Test
    void defaultsLeaveEverythingToTheSdkChains() {
        AwsConfig config = AwsConfig.defaults();

        assertThat(config.getRegion()).isEmpty();
        assertThat(config.getEndpointOverride()).isEmpty();
        assertThat(config.getCredentialsSource()).isEqualTo(CredentialsSource.DEFAULT_CHAIN);
        assertThat(config.createCredentialsProvider(REGION).provider())
                .isInstanceOf(DefaultCredentialsProvider.class);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"us-east-1", "eu-west-1", "ap-southeast-5", "us-gov-west-1", "cn-north-1"})
    void acceptsRegionIds(String region) {
        assertThat(AwsConfig.builder().region(region).build().getRegion()).contains(region);
    }

    @ParameterizedTest
    @ValueSource(strings = {"eu west 1", "eu-west", "", "us-east-1 ", "eu-west-1a", "westeurope"})
    void rejectsMalformedRegionIdsNamingTheOption(String region) {
        assertThatThrownBy(() -> AwsConfig.builder().region(region))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "awsConfig.region: '" + region + "' is not a valid AWS region id");
    }

    @Test
    void hintsThatRegionIdsAreLowerCase() {
        assertThatThrownBy(() -> AwsConfig.builder().region("EU-WEST-1"))
                .hasMessageContaining("lower case");
    }

    @Test
    void acceptsHttpAndHttpsEndpoints() {
        assertThat(
                        AwsConfig.builder()
                                .endpointOverride("http://localhost:8000")
                                .build()
                                .getEndpointOverride())
                .contains(URI.create("http://localhost:8000"));
        assertThat(
                        AwsConfig.builder()
                                .endpointOverride(URI.create("https://vpce.example.com"))
                                .build()
                                .getEndpointOverride())
                .contains(URI.create("https://vpce.example.com"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"localhost:8000", "/just/a/path", "ftp://localhost:8000", "http:opaque"})
    void rejectsEndpointsThatAreNotAbsoluteHttpUris(String endpoint) {
        assertThatThrownBy(() -> AwsConfig.builder().endpointOverride(endpoint))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("awsConfig.endpointOverride: '" + endpoint + "'")
                .hasMessageContaining("absolute http or https URI");
    }

    @Test
    void rejectsUnparsableEndpoint() {
        assertThatThrownBy(() -> AwsConfig.builder().endpointOverride("http://local host"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "awsConfig.endpointOverride: 'http://local host' is not a valid URI");
    }

    @Test
    void staticCredentialsReachTheSdkProvider() {
        AwsConfig config = AwsConfig.builder().staticCredentials(KEY_ID, SECRET, TOKEN).build();

        AwsCredentials credentials = config.createCredentialsProvider(REGION).resolveCredentials();

        assertThat(config.getCredentialsSource()).isEqualTo(CredentialsSource.STATIC);
        assertThat(config.getAccessKeyId()).contains(KEY_ID);
        assertThat(credentials.accessKeyId()).isEqualTo(KEY_ID);
        assertThat(credentials.secretAccessKey()).isEqualTo(SECRET);
        assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
        assertThat(((AwsSessionCredentials) credentials).sessionToken()).isEqualTo(TOKEN);
    }

    @Test
    void staticCredentialsWithoutTokenAreNotSessionCredentials() {
        AwsCredentials credentials =
                AwsConfig.builder()
                        .staticCredentials(KEY_ID, SECRET)
                        .build()
                        .createCredentialsProvider(REGION)
                        .resolveCredentials();

        assertThat(credentials).isNotInstanceOf(AwsSessionCredentials.class);
        assertThat(credentials.secretAccessKey()).isEqualTo(SECRET);
    }

    @Test
    void rejectsBlankCredentialsNamingTheOptionNotTheValue() {
        assertThatThrownBy(() -> AwsConfig.builder().staticCredentials(" ", SECRET))
                .hasMessage("awsConfig.accessKeyId must not be null or blank");
        assertThatThrownBy(() -> AwsConfig.builder().staticCredentials(KEY_ID, ""))
                .hasMessage("awsConfig.secretAccessKey must not be null or blank");
        assertThatThrownBy(() -> AwsConfig.builder().staticCredentials(KEY_ID, SECRET, " "))
                .hasMessage("awsConfig.sessionToken must not be null or blank")
                .message()
                .doesNotContain(SECRET);
        assertThatThrownBy(() -> AwsConfig.builder().profileCredentials(""))
                .hasMessage("awsConfig.profileName must not be null or blank");
    }

    @Test
    void profileCredentials() {
        AwsConfig config = AwsConfig.builder().profileCredentials("reader").build();

        assertThat(config.getCredentialsSource()).isEqualTo(CredentialsSource.PROFILE);
        assertThat(config.getProfileName()).contains("reader");
        assertThat(config.getAccessKeyId()).isEmpty();
        assertThat(config.createCredentialsProvider(REGION).provider())
                .isInstanceOf(ProfileCredentialsProvider.class);
        assertThat(config.toString()).contains("profileName=reader");
    }

    @Test
    void laterCredentialsChoiceReplacesTheEarlierOne() {
        AwsConfig config =
                AwsConfig.builder()
                        .staticCredentials(KEY_ID, SECRET)
                        .profileCredentials("reader")
                        .build();

        assertThat(config.getCredentialsSource()).isEqualTo(CredentialsSource.PROFILE);
        assertThat(config.getAccessKeyId()).isEmpty();
        assertThat(config).isEqualTo(AwsConfig.builder().profileCredentials("reader").build());
        assertThat(
                        AwsConfig.builder()
                                .staticCredentials(KEY_ID, SECRET)
                                .defaultCredentials()
                                .build())
                .isEqualTo(AwsConfig.defaults());
    }

    @Test
    void toStringMasksTheSecretAndToken() {
        AwsConfig config =
                AwsConfig.builder()
                        .region("eu-west-1")
                        .endpointOverride("http://localhost:8000")
                        .staticCredentials(KEY_ID, SECRET, TOKEN)
                        .build();

        String text = config.toString();

        assertThat(text)
                .contains("region=eu-west-1")
                .contains("endpointOverride=http://localhost:8000")
                .contains("accessKeyId=AKIA****")
                .contains("secretAccessKey=****")
                .contains("sessionToken=****")
                .doesNotContain(SECRET)
                .doesNotContain(TOKEN)
                .doesNotContain(KEY_ID)
                .doesNotContain(SECRET.substring(0, 6));
    }

    @Test
    void toStringHidesShortKeysEntirely() {
        String text =
                AwsConfig.builder().staticCredentials("fakeKey", "fakeSecret").build().toString();

        assertThat(text).contains("accessKeyId=****").doesNotContain("fake");
    }

    @Test
    void survivesJavaSerializationWithItsCredentials() throws Exception {
        AwsConfig config =
                AwsConfig.builder()
                        .region("us-east-1")
                        .endpointOverride("http://localhost:8000")
                        .staticCredentials(KEY_ID, SECRET)
                        .build();

        AwsConfig copy = roundTrip(config);

        assertThat(copy).isEqualTo(config).hasSameHashCodeAs(config);
        assertThat(copy.createCredentialsProvider(REGION).resolveCredentials().secretAccessKey())
                .isEqualTo(SECRET);
    }

    @Test
    void equalityCoversTheSecret() {
        AwsConfig a = AwsConfig.builder().staticCredentials(KEY_ID, SECRET).build();
        AwsConfig b = AwsConfig.builder().staticCredentials(KEY_ID, SECRET + "x").build();

        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void apiCallAttemptTimeoutIsKeptComparedAndShown() throws Exception {
        AwsConfig config = AwsConfig.builder().apiCallAttemptTimeout(Duration.ofSeconds(5)).build();

        assertThat(config.getApiCallAttemptTimeout()).contains(Duration.ofSeconds(5));
        assertThat(AwsConfig.defaults().getApiCallAttemptTimeout()).isEmpty();
        assertThat(config).isNotEqualTo(AwsConfig.defaults()).isEqualTo(roundTrip(config));
        assertThat(config.toString()).contains("apiCallAttemptTimeout=PT5S");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void rejectsAnApiCallAttemptTimeoutThatIsNotPositive(long millis) {
        assertThatThrownBy(
                        () -> AwsConfig.builder().apiCallAttemptTimeout(Duration.ofMillis(millis)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("awsConfig.apiCallAttemptTimeout: ")
                .hasMessageContaining("is not positive");
    }

    private static AwsConfig roundTrip(AwsConfig config) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(config);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (AwsConfig) in.readObject();
        }
    }
}
