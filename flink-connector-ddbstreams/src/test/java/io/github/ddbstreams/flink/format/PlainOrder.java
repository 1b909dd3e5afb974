package io.github.ddbstreams.flink.format;

import static software.amazon.awssdk.enhanced.dynamodb.mapper.StaticAttributeTags.primaryPartitionKey;

import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.StaticTableSchema;

/** A class without annotations, mapped by a static schema written in code. */
public final class PlainOrder {
    private String id;
    private String state;

    public String id() {
        return id;
    }

    public String state() {
        return state;
    }

    /** The static schema: attribute {@code pk} to {@code id}, {@code status} to {@code state}. */
    public static TableSchema<PlainOrder> schema() {
        return StaticTableSchema.builder(PlainOrder.class)
                .newItemSupplier(PlainOrder::new)
                .addAttribute(
                        String.class,
                        a ->
                                a.name("pk")
                                        .getter(o -> o.id)
                                        .setter((o, v) -> o.id = v)
                                        .tags(primaryPartitionKey()))
                .addAttribute(
                        String.class,
                        a -> a.name("status").getter(o -> o.state).setter((o, v) -> o.state = v))
                .build();
    }
}
