package io.github.ddbstreams.flink.format;

import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.testutils.SampleRecords;
import io.github.ddbstreams.flink.testutils.TestInitializationContext;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

public class TypedChangeEventTest {

    static final String PRICE = "12345678901234567890.123456789012345678";

    public static Map<String, AttributeValue> orderKey() {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromS("order-1"));
        key.put("sk", AttributeValue.fromN("7"));
        return key;
    }

    public static Map<String, AttributeValue> orderItem(String status, long firstQuantity) {
        Map<String, AttributeValue> item = orderKey();
        item.put("price", AttributeValue.fromN(PRICE));
        item.put("status", AttributeValue.fromS(status));
        item.put(
                "address",
                AttributeValue.fromM(
                        Map.of(
                                "city", AttributeValue.fromS("Lyon"),
                                "zip", AttributeValue.fromN("69001"))));
        item.put(
                "lines",
                AttributeValue.fromL(List.of(line("sku-1", firstQuantity), line("sku-2", 1))));
        item.put("tags", AttributeValue.fromSs(List.of("gift", "express")));
        item.put("unmapped", AttributeValue.fromS("ignored by the bean"));
        return item;
    }

    private static AttributeValue line(String sku, long quantity) {
        return AttributeValue.fromM(
                Map.of(
                        "sku", AttributeValue.fromS(sku),
                        "quantity", AttributeValue.fromN(Long.toString(quantity))));
    }

    @Test
    void beanImagesMapToItemsWithNestedBeansListsAndSets() throws Exception {
        // Through Java serialization and open(), as on a task manager.
        TypedChangeEventDeserializer<Order> deserializer =
                InstantiationUtil.clone(TypedChangeEventDeserializer.forBean(Order.class));
        deserializer.open(new TestInitializationContext());

        TypedChangeEvent<Order> event =
                single(
                        deserializer,
                        SampleRecords.modify(
                                "5", orderKey(), orderItem("open", 2), orderItem("shipped", 3)));

        assertThat(event.getEventName()).isEqualTo(ChangeEvent.EventName.MODIFY);
        assertThat(event.getSequenceNumber()).isEqualTo("5");
        assertThat(event.getKeys()).isEqualTo(orderKey());
        Order before = event.getOldItem();
        Order after = event.getNewItem();
        assertThat(before.getStatus()).isEqualTo("open");
        assertThat(after.getStatus()).isEqualTo("shipped");
        assertThat(after.getPk()).isEqualTo("order-1");
        assertThat(after.getSk()).isEqualTo(7);
        assertThat(after.getPrice()).isEqualTo(new BigDecimal(PRICE));
        assertThat(after.getAddress().getCity()).isEqualTo("Lyon");
        assertThat(after.getAddress().getZip()).isEqualTo(69001);
        assertThat(after.getLines())
                .containsExactly(new Order.Line("sku-1", 3), new Order.Line("sku-2", 1));
        assertThat(before.getLines().get(0).getQuantity()).isEqualTo(2L);
        assertThat(after.getTags()).isEqualTo(Set.of("gift", "express"));
        assertThat(event.getNewItem()).as("mapped once").isSameAs(after);
    }

    @Test
    void absentImagesAreNullItems() {
        TypedChangeEventDeserializer<Order> deserializer =
                TypedChangeEventDeserializer.forBean(Order.class);
        TypedChangeEvent<Order> insert =
                single(deserializer, SampleRecords.insert("1", orderKey(), orderItem("open", 1)));
        TypedChangeEvent<Order> remove =
                single(
                        deserializer,
                        SampleRecords.ttlRemove("2", orderKey(), orderItem("open", 1)));

        assertThat(insert.getOldItem()).isNull();
        assertThat(insert.getNewItem().getStatus()).isEqualTo("open");
        assertThat(remove.getNewItem()).isNull();
        assertThat(remove.getOldItem().getStatus()).isEqualTo("open");
        assertThat(remove.isTtlDelete()).isTrue();
    }

    @Test
    void immutableAndStaticSchemasWorkTheSameWay() throws Exception {
        Map<String, AttributeValue> invoice = new LinkedHashMap<>();
        invoice.put("pk", AttributeValue.fromS("inv-9"));
        invoice.put("amount", AttributeValue.fromN("0.10000000000000000000000000000000000001"));
        TypedChangeEvent<Invoice> immutable =
                single(
                        InstantiationUtil.clone(
                                TypedChangeEventDeserializer.forImmutable(Invoice.class)),
                        SampleRecords.insert("1", Map.of("pk", invoice.get("pk")), invoice));
        assertThat(immutable.getNewItem().pk()).isEqualTo("inv-9");
        assertThat(immutable.getNewItem().amount())
                .isEqualTo(new BigDecimal("0.10000000000000000000000000000000000001"));

        TypedChangeEventDeserializer<PlainOrder> staticSchema =
                InstantiationUtil.clone(TypedChangeEventDeserializer.forSchema(PlainOrder::schema));
        staticSchema.open(new TestInitializationContext());
        TypedChangeEvent<PlainOrder> plain =
                single(staticSchema, SampleRecords.insert("1", orderKey(), orderItem("open", 1)));
        assertThat(plain.getNewItem().id()).isEqualTo("order-1");
        assertThat(plain.getNewItem().state()).isEqualTo("open");
    }

    @Test
    void unmappableImageFailsAtTheSource() {
        Map<String, AttributeValue> bad = orderItem("open", 1);
        bad.put("price", AttributeValue.fromS("not a number"));
        TypedChangeEventDeserializer<Order> deserializer =
                TypedChangeEventDeserializer.forBean(Order.class);
        assertThatThrownBy(() -> single(deserializer, SampleRecords.insert("1", orderKey(), bad)))
                .isInstanceOf(RuntimeException.class);
    }

    @Test
    void aClassTheEnhancedClientCannotMapFailsWhenTheJobIsBuilt() {
        assertThatThrownBy(() -> TypedChangeEventDeserializer.forBean(String.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void travelsBetweenOperatorsWithoutKryo() throws Exception {
        TypedChangeEventDeserializer<Order> deserializer =
                TypedChangeEventDeserializer.forBean(Order.class);
        TypeInformation<TypedChangeEvent<Order>> type =
                InstantiationUtil.clone(deserializer.getProducedType());
        SerializerConfigImpl noGenerics = new SerializerConfigImpl();
        noGenerics.setGenericTypes(false);
        TypeSerializer<TypedChangeEvent<Order>> serializer = type.createSerializer(noGenerics);
        TypedChangeEvent<Order> event =
                single(
                        deserializer,
                        SampleRecords.modify(
                                "5", orderKey(), orderItem("open", 2), orderItem("shipped", 3)));

        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(event, out);
        TypedChangeEvent<Order> back =
                serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(back).isEqualTo(event);
        assertThat(back.getNewItem().getLines()).isEqualTo(event.getNewItem().getLines());
        assertThat(back.getNewItem()).isNotSameAs(event.getNewItem());
        TypedChangeEvent<Order> copy = serializer.copy(event);
        copy.getNewItem().setStatus("changed downstream");
        assertThat(event.getNewItem().getStatus())
                .as("copies do not share items")
                .isEqualTo("shipped");
    }

    @Test
    void typeExtractionFindsTheTypeForAnnotatedItems() {
        assertThat(TypeInformation.of(new TypeHint<TypedChangeEvent<Order>>() {}))
                .isEqualTo(TypedChangeEventDeserializer.forBean(Order.class).getProducedType());
        assertThat(TypeInformation.of(new TypeHint<TypedChangeEvent<Invoice>>() {}))
                .isEqualTo(
                        TypedChangeEventDeserializer.forImmutable(Invoice.class).getProducedType());
    }

    @Test
    void ofWrapsAnyChangeEvent() {
        ChangeEvent change =
                ChangeEvent.fromRecord(
                        SampleRecords.insert("1", orderKey(), orderItem("open", 1)),
                        STREAM_ARN,
                        SHARD_ID);
        TypedChangeEvent<Order> typed =
                TypedChangeEvent.of(
                        change,
                        software.amazon.awssdk.enhanced.dynamodb.TableSchema.fromBean(Order.class));
        assertThat(typed.getChange()).isSameAs(change);
        assertThat(typed.getNewItem().getStatus()).isEqualTo("open");
        assertThat(typed.toString()).startsWith("TypedChangeEvent<Order>{INSERT");
    }

    private static <T> TypedChangeEvent<T> single(
            TypedChangeEventDeserializer<T> deserializer, Record record) {
        List<TypedChangeEvent<T>> out = new ArrayList<>();
        deserializer.deserialize(record, STREAM_ARN, SHARD_ID, new ListCollector<>(out));
        assertThat(out).hasSize(1);
        return out.get(0);
    }
}
