package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.format.SnapshotRecords;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * One Scan segment being read, the snapshot's counterpart of {@link ShardCursor}: it says which
 * page to ask for next and turns each page into snapshot rows and progress. It makes no calls, so
 * it is tested without a client.
 *
 * <p>Pages are read with {@code ConsistentRead} (an item written before the call started is seen)
 * and report their {@code ConsumedCapacity}, which the read-unit budget spends.
 */
final class SegmentCursor {

    /** One page taken: its rows as snapshot records, its cost, and whether it was the last. */
    record Page(List<Record> rows, double consumedUnits, boolean last) {}

    private final List<String> keyAttributes;
    private final StreamViewType viewType;
    private ScanSegmentSplit progress;
    private long itemsRead;

    /**
     * @param split the segment and where to go on from
     * @param keyAttributes the table's key attribute names (partition key, then sort key if any)
     * @param viewType the view type of the table's stream, which snapshot rows carry
     */
    SegmentCursor(ScanSegmentSplit split, List<String> keyAttributes, StreamViewType viewType) {
        if (split.isDone()) {
            throw new IllegalArgumentException("Segment " + split.splitId() + " is already read");
        }
        if (keyAttributes.isEmpty()) {
            throw new IllegalArgumentException(
                    "Table " + split.getTableName() + ": no key attributes given");
        }
        this.progress = split;
        this.keyAttributes = List.copyOf(keyAttributes);
        this.viewType = viewType;
    }

    /** The request for the next page, of at most {@code pageSize} items. */
    ScanRequest nextRequest(int pageSize) {
        if (progress.isDone()) {
            throw new IllegalStateException("Segment " + progress.splitId() + " is read");
        }
        return ScanRequest.builder()
                .tableName(progress.getTableName())
                .segment(progress.getSegment())
                .totalSegments(progress.getTotalSegments())
                .exclusiveStartKey(progress.getExclusiveStartKey())
                .limit(pageSize)
                .consistentRead(true)
                .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                .build();
    }

    /**
     * Takes the page the last {@link #nextRequest} returned.
     *
     * @param readAt when the call returned: each row's read time, its creation time as a record
     */
    Page onPage(ScanResponse response, Instant readAt) {
        List<Record> rows = new ArrayList<>(response.items().size());
        for (Map<String, AttributeValue> item : response.items()) {
            rows.add(SnapshotRecords.of(item, keyAttributes, readAt, viewType));
        }
        Map<String, AttributeValue> next =
                response.hasLastEvaluatedKey() ? response.lastEvaluatedKey() : null;
        progress = progress.after(next);
        itemsRead += rows.size();
        ConsumedCapacity consumed = response.consumedCapacity();
        double units =
                consumed == null || consumed.capacityUnits() == null ? 0 : consumed.capacityUnits();
        return new Page(rows, units, progress.isDone());
    }

    /** The segment with the progress so far, for a checkpoint. */
    ScanSegmentSplit progress() {
        return progress;
    }

    boolean isDone() {
        return progress.isDone();
    }

    /** Items this cursor read (since it was made, not since the segment began). */
    long itemsRead() {
        return itemsRead;
    }

    String splitId() {
        return progress.splitId();
    }
}
