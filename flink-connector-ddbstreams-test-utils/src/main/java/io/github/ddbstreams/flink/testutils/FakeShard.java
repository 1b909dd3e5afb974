package io.github.ddbstreams.flink.testutils;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.SequenceNumberRange;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** One shard of a {@link FakeStreamsClient}: its records, whether it is closed, its trim point. */
final class FakeShard {
    final String id;
    final String parentId;

    /**
     * The shard's positions in order: a record, or null for a stretch that GetRecords answers with
     * an empty page and a next iterator past it (see {@link FakeStreamsClient#addEmptyPages}).
     */
    final List<Record> records = new ArrayList<>();

    boolean closed;

    /** Records below this index are trimmed. */
    int trimmedBefore;

    FakeShard(String id, String parentId) {
        this.id = id;
        this.parentId = parentId;
    }

    /**
     * Appends a change of the item {@code keys} with the images given (null: none), as a
     * NEW_AND_OLD_IMAGES stream records it.
     */
    void append(
            String sequenceNumber,
            OperationType op,
            Map<String, AttributeValue> keys,
            @Nullable Map<String, AttributeValue> oldImage,
            @Nullable Map<String, AttributeValue> newImage,
            Instant created) {
        StreamRecord.Builder data =
                StreamRecord.builder()
                        .keys(keys)
                        .sequenceNumber(sequenceNumber)
                        .sizeBytes(42L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .approximateCreationDateTime(created);
        if (oldImage != null) {
            data.oldImage(oldImage);
        }
        if (newImage != null) {
            data.newImage(newImage);
        }
        records.add(
                Record.builder()
                        .eventID("e" + sequenceNumber)
                        .eventName(op)
                        .eventSource("aws:dynamodb")
                        .dynamodb(data.build())
                        .build());
    }

    /** The position of the record with {@code sequenceNumber}. */
    int indexOf(String sequenceNumber) {
        for (int i = 0; i < records.size(); i++) {
            Record record = records.get(i);
            if (record != null && record.dynamodb().sequenceNumber().equals(sequenceNumber)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no record " + sequenceNumber + " in " + id);
    }

    /** The shard as DescribeStream lists it. */
    Shard toShard() {
        SequenceNumberRange.Builder range = SequenceNumberRange.builder();
        List<Record> present = new ArrayList<>(records);
        present.removeIf(Objects::isNull);
        if (!present.isEmpty()) {
            range.startingSequenceNumber(present.get(0).dynamodb().sequenceNumber());
            if (closed) {
                range.endingSequenceNumber(
                        present.get(present.size() - 1).dynamodb().sequenceNumber());
            }
        } else if (closed) {
            range.endingSequenceNumber("0");
        }
        return Shard.builder()
                .shardId(id)
                .parentShardId(parentId)
                .sequenceNumberRange(range.build())
                .build();
    }
}
