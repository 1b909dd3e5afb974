package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.SnapshotRecords;
import io.github.ddbstreams.flink.source.client.SdkStreamsClient;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * A parallel Scan read through {@link SegmentCursor} and {@link SdkStreamsClient} against DynamoDB
 * Local over real HTTP, each segment's progress passed through its checkpoint bytes after every
 * page, as a restore after any page would.
 */
class SegmentScanDynamoDbLocalTest {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @Test
    void segmentsTogetherReadEveryItemExactlyOnceAcrossRestores() throws IOException {
        String table = "segment-scan";
        String streamArn = DYNAMODB.createTable(table, StreamViewType.NEW_AND_OLD_IMAGES);
        DYNAMODB.putItems(table, "k", 1_000);
        int totalSegments = 4;
        Map<String, Integer> timesRead = new HashMap<>();
        List<Integer> itemsPerSegment = new ArrayList<>();
        double units = 0;

        try (SdkStreamsClient client = SdkStreamsClient.create(DYNAMODB.awsConfig())) {
            TableDescription description = client.describeTable(table);
            List<String> keys =
                    description.keySchema().stream()
                            .map(KeySchemaElement::attributeName)
                            .collect(Collectors.toList());
            assertThat(keys).containsExactly("pk");

            for (int segment = 0; segment < totalSegments; segment++) {
                ScanSegmentSplit split =
                        ScanSegmentSplit.unread(streamArn, table, segment, totalSegments);
                int read = 0;
                int pages = 0;
                while (!split.isDone()) {
                    assertThat(++pages).as("pages of segment %s", segment).isLessThan(100);
                    // A new cursor from the checkpointed bytes for every page.
                    SegmentCursor cursor =
                            new SegmentCursor(
                                    restore(split), keys, StreamViewType.NEW_AND_OLD_IMAGES);
                    SegmentCursor.Page page =
                            cursor.onPage(client.scan(cursor.nextRequest(37)), Instant.now());
                    for (Record row : page.rows()) {
                        assertThat(SnapshotRecords.isSnapshot(row)).isTrue();
                        timesRead.merge(row.dynamodb().keys().get("pk").s(), 1, Integer::sum);
                    }
                    read += page.rows().size();
                    units += page.consumedUnits();
                    split = cursor.progress();
                }
                itemsPerSegment.add(read);
            }
        }

        assertThat(timesRead).hasSize(1_000);
        assertThat(timesRead.values()).containsOnly(1);
        // The key space is shared out: no segment reads everything.
        assertThat(itemsPerSegment).allSatisfy(n -> assertThat(n).isBetween(1, 999));
        assertThat(units).isPositive();
    }

    @Test
    void describingAMissingTableIsTheSdksNotFoundError() {
        try (SdkStreamsClient client = SdkStreamsClient.create(DYNAMODB.awsConfig())) {
            assertThatThrownBy(() -> client.describeTable("no-such-table"))
                    .isInstanceOf(ResourceNotFoundException.class);
        }
    }

    private static ScanSegmentSplit restore(ScanSegmentSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ScanSegmentSplit.write(split, out);
        return ScanSegmentSplit.read(new DataInputDeserializer(out.getCopyOfBuffer()));
    }
}
