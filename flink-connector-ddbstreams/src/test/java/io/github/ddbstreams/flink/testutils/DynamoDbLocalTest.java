package io.github.ddbstreams.flink.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** The test utility's own promises: tables, writes, and the engine hooks reached by reflection. */
class DynamoDbLocalTest {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @Test
    void endpointAndAwsConfigPointAtTheRunningServer() {
        assertThat(DYNAMODB.endpoint().toString())
                .isEqualTo("http://localhost:" + DYNAMODB.get().port());
        assertThat(DYNAMODB.awsConfig().getEndpointOverride()).contains(DYNAMODB.endpoint());
        assertThat(DYNAMODB.awsConfig().getRegion()).contains(DynamoDbLocal.REGION);
    }

    @Test
    void createsTablesWithAndWithoutSortKey() {
        String arn = DYNAMODB.createTable("hash-only", StreamViewType.NEW_IMAGE);
        DYNAMODB.createTable("hash-and-sort", null, true);

        TableDescription hashAndSort =
                DYNAMODB.dynamoDbClient().describeTable(r -> r.tableName("hash-and-sort")).table();
        assertThat(arn).isEqualTo(DYNAMODB.streamArn("hash-only"));
        assertThat(DYNAMODB.streamArn("hash-and-sort")).isNull();
        assertThat(hashAndSort.keySchema())
                .extracting(k -> k.attributeName() + ":" + k.keyType())
                .containsExactly("pk:" + KeyType.HASH, "sk:" + KeyType.RANGE);
    }

    @Test
    void putItemsWritesEveryItemInBatches() {
        DYNAMODB.createTable("batched", StreamViewType.KEYS_ONLY);
        DYNAMODB.putItems("batched", "k", 60);
        DYNAMODB.putItem("batched", Map.of("pk", AttributeValue.fromS("single")));

        assertThat(DYNAMODB.dynamoDbClient().scan(r -> r.tableName("batched")).count())
                .isEqualTo(61);
    }

    @Test
    void triggerShardRolloversClosesEveryOpenShardOfEveryStream() {
        String first = DYNAMODB.createTable("rolled-1", StreamViewType.KEYS_ONLY);
        String second = DYNAMODB.createTable("rolled-2", StreamViewType.KEYS_ONLY);

        DYNAMODB.triggerShardRollovers();

        for (String arn : List.of(first, second)) {
            List<Shard> shards = shards(arn);
            assertThat(shards).hasSize(2);
            assertThat(shards.get(0).sequenceNumberRange().endingSequenceNumber()).isNotNull();
            assertThat(shards.get(1).parentShardId()).isEqualTo(shards.get(0).shardId());
        }
    }

    @Test
    void dilateEventTimesPastTheRolloverPeriodRollsShardsOver() {
        String arn = DYNAMODB.createTable("dilated", StreamViewType.KEYS_ONLY);
        assertThat(shards(arn)).hasSize(1);

        DYNAMODB.dilateEventTimes(Duration.ofHours(5).toMillis());

        assertThat(shards(arn)).hasSizeGreaterThan(1);
    }

    @Test
    void secondInstanceRunsBesideTheFirstOnItsOwnPort() {
        try (DynamoDbLocal other = DynamoDbLocal.start()) {
            assertThat(other.port()).isNotEqualTo(DYNAMODB.get().port());
            other.createTable("only-there", null);
            assertThat(other.dynamoDbClient().listTables().tableNames())
                    .containsExactly("only-there");
            assertThat(DYNAMODB.dynamoDbClient().listTables().tableNames())
                    .doesNotContain("only-there");
        }
    }

    private static List<Shard> shards(String arn) {
        return DYNAMODB.streamsClient()
                .describeStream(r -> r.streamArn(arn))
                .streamDescription()
                .shards();
    }
}
