package io.github.ddbstreams.flink.source.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

class AwsErrorsTest {

    @Test
    void aScansThrottlingErrorsAreThrottlingAndRetried() {
        // What Scan answers on a provisioned table over its capacity, and on an on-demand one.
        AwsServiceException provisioned =
                ProvisionedThroughputExceededException.builder()
                        .statusCode(400)
                        .awsErrorDetails(details("ProvisionedThroughputExceededException"))
                        .build();
        AwsServiceException throttling =
                DynamoDbException.builder()
                        .statusCode(400)
                        .awsErrorDetails(details("ThrottlingException"))
                        .build();

        assertThat(AwsErrors.isThrottling(provisioned)).isTrue();
        assertThat(AwsErrors.isRetryable(provisioned)).isTrue();
        assertThat(AwsErrors.isThrottling(throttling)).isTrue();
        assertThat(AwsErrors.isRetryable(throttling)).isTrue();
    }

    @Test
    void streamLimitsServerAndNetworkErrorsAreRetriedOthersAreNot() {
        assertThat(AwsErrors.isThrottling(LimitExceededException.builder().build())).isTrue();
        assertThat(
                        AwsErrors.isRetryable(
                                DynamoDbException.builder()
                                        .statusCode(503)
                                        .awsErrorDetails(details("ServiceUnavailable"))
                                        .build()))
                .isTrue();
        assertThat(AwsErrors.isRetryable(SdkClientException.create("connection reset"))).isTrue();

        AwsServiceException notFound =
                ResourceNotFoundException.builder()
                        .statusCode(400)
                        .awsErrorDetails(details("ResourceNotFoundException"))
                        .build();
        assertThat(AwsErrors.isRetryable(notFound)).isFalse();
        assertThat(AwsErrors.isThrottling(notFound)).isFalse();
    }

    private static AwsErrorDetails details(String code) {
        return AwsErrorDetails.builder().errorCode(code).build();
    }
}
