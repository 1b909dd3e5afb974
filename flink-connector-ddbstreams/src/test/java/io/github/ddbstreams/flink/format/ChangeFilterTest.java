package io.github.ddbstreams.flink.format;

import static io.github.ddbstreams.flink.format.ChangeEvent.EventName.INSERT;
import static io.github.ddbstreams.flink.format.ChangeEvent.EventName.MODIFY;
import static io.github.ddbstreams.flink.format.ChangeEvent.EventName.REMOVE;
import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.reader.IdleAwareReaderOutput;
import io.github.ddbstreams.flink.source.reader.ShardElement;
import io.github.ddbstreams.flink.source.reader.ShardRecordEmitter;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.source.split.ShardSplitState;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import io.github.ddbstreams.flink.testutils.TestInitializationContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

class ChangeFilterTest {

    private static final Map<String, AttributeValue> KEY = SampleRecords.key("a", 1);
    private static final Record INSERTED = SampleRecords.insert("1", KEY, item("open"));
    private static final Record MODIFIED =
            SampleRecords.modify("2", KEY, item("open"), item("shipped"));
    private static final Record REMOVED = SampleRecords.remove("3", KEY, item("shipped"));
    private static final Record EXPIRED = SampleRecords.ttlRemove("4", KEY, item("shipped"));
    private static final List<Record> ALL = List.of(INSERTED, MODIFIED, REMOVED, EXPIRED);

    @Test
    void acceptsEverythingByDefault() {
        assertThat(passing(ChangeFilter.builder().build())).containsExactlyElementsOf(ALL);
    }

    @Test
    void byEventName() {
        assertThat(passing(ChangeFilter.builder().eventNames(INSERT, MODIFY).build()))
                .containsExactly(INSERTED, MODIFIED);
        assertThat(passing(ChangeFilter.builder().eventNames(REMOVE).build()))
                .containsExactly(REMOVED, EXPIRED);
        assertThatThrownBy(() -> ChangeFilter.builder().eventNames())
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void byTtl() {
        assertThat(
                        passing(
                                ChangeFilter.builder()
                                        .ttlDeletes(ChangeFilter.TtlDeletes.EXCLUDE)
                                        .build()))
                .containsExactly(INSERTED, MODIFIED, REMOVED);
        assertThat(passing(ChangeFilter.builder().ttlDeletes(ChangeFilter.TtlDeletes.ONLY).build()))
                .containsExactly(EXPIRED);
    }

    @Test
    void byPredicatesOnImagesAllOfWhichMustHold() {
        ChangeFilter shipped =
                ChangeFilter.builder()
                        .where(c -> status(c.getNewImage()).equals("shipped"))
                        .build();
        assertThat(passing(shipped)).containsExactly(MODIFIED);

        ChangeFilter keyAndOld =
                ChangeFilter.builder()
                        .where(c -> c.getKeys().get("pk").s().equals("a"))
                        .where(c -> status(c.getOldImage()).equals("shipped"))
                        .ttlDeletes(ChangeFilter.TtlDeletes.EXCLUDE)
                        .build();
        assertThat(passing(keyAndOld)).containsExactly(REMOVED);
    }

    @Test
    void predicatesOnlySeeRecordsThatPassedTheCheapTests() {
        List<ChangeEvent> seen = new ArrayList<>();
        ChangeFilter filter =
                ChangeFilter.builder()
                        .eventNames(REMOVE)
                        .where(
                                c -> {
                                    seen.add(c);
                                    return true;
                                })
                        .build();
        passing(filter);
        assertThat(seen).extracting(ChangeEvent::getSequenceNumber).containsExactly("3", "4");
    }

    @Test
    void wrappedDeserializerEmitsNothingForDroppedRecords() throws Exception {
        CountingDeserializer counting = new CountingDeserializer();
        DynamoDbStreamsDeserializer<String> filtered =
                InstantiationUtil.clone(
                        ChangeFilter.builder()
                                .eventNames(INSERT)
                                .where(c -> c.getKeys().containsKey("pk"))
                                .build()
                                .wrap(JsonChangeDeserializer.plain()));
        List<String> out = new ArrayList<>();
        filtered.open(new TestInitializationContext());
        for (Record record : ALL) {
            filtered.deserialize(record, STREAM_ARN, SHARD_ID, new ListCollector<>(out));
        }
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).contains("\"eventName\":\"INSERT\"");
        assertThat(filtered.getProducedType())
                .isEqualTo(JsonChangeDeserializer.plain().getProducedType());

        DynamoDbStreamsDeserializer<String> wrapped =
                ChangeFilter.builder().eventNames(MODIFY).build().wrap(counting);
        wrapped.open(new TestInitializationContext());
        for (Record record : ALL) {
            wrapped.deserialize(record, STREAM_ARN, SHARD_ID, new ListCollector<>(out));
        }
        assertThat(counting.opened).as("open reaches the wrapped deserializer").isTrue();
        assertThat(counting.calls).as("dropped records are never deserialized").isEqualTo(1);
    }

    @Test
    void droppedRecordsStillAdvanceTheSplitPosition() throws Exception {
        ShardRecordEmitter<String> emitter =
                new ShardRecordEmitter<>(
                        ChangeFilter.builder()
                                .eventNames(INSERT)
                                .build()
                                .wrap(JsonChangeDeserializer.plain()));
        ShardSplitState state =
                new ShardSplitState(
                        new ShardSplit(STREAM_ARN, SHARD_ID, null, ShardPosition.trimHorizon()));
        TestingReaderOutput<String> output = new IdleAwareReaderOutput<>();

        emitter.emitRecord(ShardElement.record(INSERTED), output, state);
        emitter.emitRecord(ShardElement.record(MODIFIED), output, state);
        emitter.emitRecord(ShardElement.record(REMOVED), output, state);

        assertThat(output.getEmittedRecords()).hasSize(1);
        assertThat(state.getPosition())
                .as("the checkpoint resumes after the last dropped record, not before it")
                .isEqualTo(ShardPosition.afterSequenceNumber("3"));
    }

    private static List<Record> passing(ChangeFilter filter) {
        List<Record> passed = new ArrayList<>();
        for (Record record : ALL) {
            if (filter.test(record, STREAM_ARN, SHARD_ID)) {
                passed.add(record);
            }
        }
        return passed;
    }

    private static String status(Map<String, AttributeValue> image) {
        AttributeValue status = image.get("status");
        return status == null ? "" : status.s();
    }

    private static Map<String, AttributeValue> item(String status) {
        Map<String, AttributeValue> item = new LinkedHashMap<>(KEY);
        item.put("status", AttributeValue.fromS(status));
        return item;
    }

    /** Counts calls; static state would not survive Java serialization, so it is not cloned. */
    private static final class CountingDeserializer implements DynamoDbStreamsDeserializer<String> {
        boolean opened;
        int calls;

        @Override
        public void open(DeserializationSchema.InitializationContext context) {
            opened = true;
        }

        @Override
        public void deserialize(
                Record record, String streamArn, String shardId, Collector<String> out)
                throws IOException {
            calls++;
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return TypeInformation.of(String.class);
        }
    }
}
