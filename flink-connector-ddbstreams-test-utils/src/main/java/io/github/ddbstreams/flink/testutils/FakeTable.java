package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * An in-memory DynamoDB table for the snapshot side of a {@link FakeStreamsClient}: items with a
 * string hash key {@value #KEY} and a number {@value #VERSION}, a parallel Scan, DescribeTable, and
 * writes that append their change to the fake stream with old and new images (view type
 * NEW_AND_OLD_IMAGES). {@link #withStream} makes the one {@link StreamsClient} a source reads both
 * through.
 *
 * <p>Deterministic, so that committed savepoints can hold its Scan positions: an item lives in
 * segment {@link #segmentOf} ({@code floorMod(pk.hashCode(), TotalSegments)}; {@code
 * String.hashCode} is specified), and a segment is read in key order. Scan honours {@code
 * Segment}/{@code TotalSegments}, {@code ExclusiveStartKey} (a key of the segment, not necessarily
 * present) and {@code Limit}; as on DynamoDB, a page that reached its Limit carries its last key as
 * {@code LastEvaluatedKey} even if nothing follows (the segment then ends with an empty page), and
 * only a page without one ends the segment. {@link #limitPages} lets a test stop a segment after a
 * number of pages, as throttling: the reader backs off and goes on with its other segments.
 * Thread-safe (every method synchronized).
 */
public final class FakeTable {

    /** The hash key attribute (a string). */
    public static final String KEY = "pk";

    /** The version attribute every item carries (a number). */
    public static final String VERSION = "v";

    private final String name;
    private final TreeMap<String, Long> items = new TreeMap<>();
    private final Map<Integer, Integer> pagesLeft = new HashMap<>();
    private final Map<Integer, Integer> pagesServed = new HashMap<>();
    private final List<ScanRequest> scans = new ArrayList<>();

    /**
     * @param name the table's name, as the stream ARN of its fake stream names it
     */
    public FakeTable(String name) {
        this.name = name;
    }

    /** The Scan segment of {@code pk} when the table is read in {@code totalSegments} segments. */
    public static int segmentOf(String pk, int totalSegments) {
        return Math.floorMod(pk.hashCode(), totalSegments);
    }

    /** The item as the table stores it (and Scan and stream images show it). */
    public static Map<String, AttributeValue> image(String pk, long version) {
        return Map.of(KEY, AttributeValue.fromS(pk), VERSION, AttributeValue.fromN("" + version));
    }

    // ------------------------------------------------------------------ writes

    /** Puts an item without a stream record, as the contents from before a job's stream start. */
    public synchronized void load(String pk, long version) {
        items.put(pk, version);
    }

    /**
     * Writes version {@code version} of item {@code pk} (an INSERT if it does not exist, else a
     * MODIFY) and appends the change to {@code shardId} of {@code stream}; returns its sequence
     * number.
     */
    public synchronized String put(
            FakeStreamsClient stream, String shardId, String pk, long version) {
        Long before = items.put(pk, version);
        return stream.putChange(
                shardId,
                before == null ? OperationType.INSERT : OperationType.MODIFY,
                keys(pk),
                before == null ? null : image(pk, before),
                image(pk, version));
    }

    /** Deletes item {@code pk} (which must exist) and appends the REMOVE to {@code shardId}. */
    public synchronized String delete(FakeStreamsClient stream, String shardId, String pk) {
        Long before = items.remove(pk);
        if (before == null) {
            throw new IllegalStateException("no item " + pk + " in table " + name);
        }
        return stream.putChange(shardId, OperationType.REMOVE, keys(pk), image(pk, before), null);
    }

    /** Every item's version, by key. */
    public synchronized Map<String, Long> versions() {
        return new TreeMap<>(items);
    }

    // ------------------------------------------------------------------ Scan control

    /**
     * Segment {@code segment} serves {@code pages} more pages; Scan calls beyond them are throttled
     * until this is called again. Without it a segment is not limited.
     */
    public synchronized void limitPages(int segment, int pages) {
        pagesLeft.put(segment, pages);
    }

    /** How many pages of {@code segment} Scan served (throttled calls not counted). */
    public synchronized int pagesServed(int segment) {
        return pagesServed.getOrDefault(segment, 0);
    }

    /** Every Scan request served, in order (throttled calls not recorded). */
    public synchronized List<ScanRequest> scans() {
        return new ArrayList<>(scans);
    }

    // ------------------------------------------------------------------ the API

    /** DescribeTable: the key schema, the stream's view type, the item count and size. */
    public synchronized TableDescription describe(String tableName) {
        checkName(tableName);
        return TableDescription.builder()
                .tableName(name)
                .keySchema(
                        KeySchemaElement.builder().attributeName(KEY).keyType(KeyType.HASH).build())
                .streamSpecification(
                        StreamSpecification.builder()
                                .streamEnabled(true)
                                .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                                .build())
                .itemCount((long) items.size())
                .tableSizeBytes(20L * items.size())
                .build();
    }

    /** One Scan page; see the class Javadoc. */
    public synchronized ScanResponse scan(ScanRequest request) {
        checkName(request.tableName());
        int total = request.totalSegments() == null ? 1 : request.totalSegments();
        int segment = request.segment() == null ? 0 : request.segment();
        Integer left = pagesLeft.get(segment);
        if (left != null) {
            if (left <= 0) {
                throw throttled("segment " + segment + " is held back (fake)");
            }
            pagesLeft.put(segment, left - 1);
        }
        scans.add(request);
        pagesServed.merge(segment, 1, Integer::sum);
        Map<String, Long> after =
                request.hasExclusiveStartKey()
                        ? items.tailMap(request.exclusiveStartKey().get(KEY).s(), false)
                        : items;
        int limit = request.limit() == null ? Integer.MAX_VALUE : request.limit();
        List<Map<String, AttributeValue>> page = new ArrayList<>();
        String last = null;
        for (Map.Entry<String, Long> item : after.entrySet()) {
            if (page.size() == limit) {
                break;
            }
            if (segmentOf(item.getKey(), total) == segment) {
                page.add(image(item.getKey(), item.getValue()));
                last = item.getKey();
            }
        }
        ScanResponse.Builder response =
                ScanResponse.builder()
                        .items(page)
                        .count(page.size())
                        .scannedCount(page.size())
                        .consumedCapacity(
                                ConsumedCapacity.builder()
                                        .tableName(name)
                                        .capacityUnits(Math.max(1, page.size()) * 0.5)
                                        .build());
        if (page.size() == limit) {
            response.lastEvaluatedKey(keys(last));
        }
        return response.build();
    }

    /**
     * One client for a source: the stream calls go to {@code stream}, DescribeTable and Scan to
     * this table.
     */
    public StreamsClient withStream(FakeStreamsClient stream) {
        return new ForwardingStreamsClient(stream) {
            @Override
            public TableDescription describeTable(String tableName) {
                return describe(tableName);
            }

            @Override
            public ScanResponse scan(ScanRequest request) {
                return FakeTable.this.scan(request);
            }
        };
    }

    private void checkName(String tableName) {
        if (!name.equals(tableName)) {
            throw ResourceNotFoundException.builder()
                    .message("Requested resource not found: Table: " + tableName + " not found")
                    .build();
        }
    }

    private static Map<String, AttributeValue> keys(String pk) {
        return Map.of(KEY, AttributeValue.fromS(pk));
    }

    /** The exception DynamoDB throws when a read exceeds the table's capacity (retryable). */
    public static ProvisionedThroughputExceededException throttled(String message) {
        return (ProvisionedThroughputExceededException)
                ProvisionedThroughputExceededException.builder()
                        .message(message)
                        .statusCode(400)
                        .awsErrorDetails(
                                AwsErrorDetails.builder()
                                        .errorCode("ProvisionedThroughputExceededException")
                                        .build())
                        .build();
    }
}
