package io.github.ddbstreams.flink.source.split;

import io.github.ddbstreams.flink.format.AttributeValueCodec;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One segment of a table's parallel Scan (segment {@code i} of {@code totalSegments}), the unit a
 * snapshot of the table is read in, with its progress: the key the next page starts after (the
 * previous page's {@code LastEvaluatedKey}), or none before the first page. Immutable; a segment
 * read to its end is {@link #isDone() done}.
 *
 * <p>The rows a segment reads go with the stream named by {@link #getStreamArn()} (the table's
 * stream the same source reads), so that deserializers see them with that stream's ARN.
 */
@Internal
public final class ScanSegmentSplit implements DynamoDbSplit {

    private final String streamArn;
    private final String tableName;
    private final int segment;
    private final int totalSegments;
    @Nullable private final Map<String, AttributeValue> exclusiveStartKey;
    private final boolean done;

    private ScanSegmentSplit(
            String streamArn,
            String tableName,
            int segment,
            int totalSegments,
            @Nullable Map<String, AttributeValue> exclusiveStartKey,
            boolean done) {
        this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        if (totalSegments < 1 || segment < 0 || segment >= totalSegments) {
            throw new IllegalArgumentException(
                    "Scan segment "
                            + segment
                            + " of "
                            + totalSegments
                            + " of table "
                            + tableName
                            + ": segments are numbered 0 to totalSegments - 1, totalSegments >= 1");
        }
        if (done && exclusiveStartKey != null) {
            throw new IllegalArgumentException(
                    "A finished scan segment has no next key (table " + tableName + ")");
        }
        this.segment = segment;
        this.totalSegments = totalSegments;
        this.exclusiveStartKey =
                exclusiveStartKey == null
                        ? null
                        : Collections.unmodifiableMap(new LinkedHashMap<>(exclusiveStartKey));
        this.done = done;
    }

    /** Segment {@code segment} of {@code totalSegments}, not read yet. */
    public static ScanSegmentSplit unread(
            String streamArn, String tableName, int segment, int totalSegments) {
        return new ScanSegmentSplit(streamArn, tableName, segment, totalSegments, null, false);
    }

    /**
     * The progress after a page: {@code lastEvaluatedKey} is the page's {@code LastEvaluatedKey};
     * null or empty means the page was the segment's last.
     */
    public ScanSegmentSplit after(@Nullable Map<String, AttributeValue> lastEvaluatedKey) {
        boolean last = lastEvaluatedKey == null || lastEvaluatedKey.isEmpty();
        return new ScanSegmentSplit(
                streamArn, tableName, segment, totalSegments, last ? null : lastEvaluatedKey, last);
    }

    /** {@code STREAM_ARN#scan-SEGMENT-of-TOTAL}: never equal to a shard's split id. */
    @Override
    public String splitId() {
        return streamArn + "#" + shardIdOfRows();
    }

    /** Whether {@code splitId} names a Scan segment (else it names a stream's shard). */
    public static boolean isSegmentId(String splitId) {
        return splitId.contains("#scan-");
    }

    /**
     * The shard id that rows of this segment carry for deserializers (and the {@code shard_id}
     * metadata of SQL): {@code scan-SEGMENT-of-TOTAL}.
     */
    public String shardIdOfRows() {
        return "scan-" + segment + "-of-" + totalSegments;
    }

    public String getStreamArn() {
        return streamArn;
    }

    public String getTableName() {
        return tableName;
    }

    public int getSegment() {
        return segment;
    }

    public int getTotalSegments() {
        return totalSegments;
    }

    /** The key to start the next page after; null before the first page and once done. */
    @Nullable
    public Map<String, AttributeValue> getExclusiveStartKey() {
        return exclusiveStartKey;
    }

    /** Whether the segment was read to its end. */
    public boolean isDone() {
        return done;
    }

    /** A segment read to its end is its own finished marker. */
    @Override
    public boolean isFinishedMarker() {
        return done;
    }

    @Override
    public ScanSegmentSplit asFinishedMarker() {
        return after(null);
    }

    /**
     * Writes the split: stream ARN and table name (UTF), segment and total (int), done (boolean),
     * has-key (boolean) and the key via {@link AttributeValueCodec#writeMap}.
     */
    public static void write(ScanSegmentSplit split, DataOutputView out) throws IOException {
        out.writeUTF(split.streamArn);
        out.writeUTF(split.tableName);
        out.writeInt(split.segment);
        out.writeInt(split.totalSegments);
        out.writeBoolean(split.done);
        out.writeBoolean(split.exclusiveStartKey != null);
        if (split.exclusiveStartKey != null) {
            AttributeValueCodec.writeMap(split.exclusiveStartKey, out);
        }
    }

    /** Reads a split written by {@link #write}. */
    public static ScanSegmentSplit read(DataInputView in) throws IOException {
        String streamArn = in.readUTF();
        String tableName = in.readUTF();
        int segment = in.readInt();
        int total = in.readInt();
        boolean done = in.readBoolean();
        Map<String, AttributeValue> key = in.readBoolean() ? AttributeValueCodec.readMap(in) : null;
        try {
            return new ScanSegmentSplit(streamArn, tableName, segment, total, key, done);
        } catch (IllegalArgumentException e) {
            throw new IOException("Corrupt scan segment split: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ScanSegmentSplit)) {
            return false;
        }
        ScanSegmentSplit that = (ScanSegmentSplit) o;
        return segment == that.segment
                && totalSegments == that.totalSegments
                && done == that.done
                && streamArn.equals(that.streamArn)
                && tableName.equals(that.tableName)
                && Objects.equals(exclusiveStartKey, that.exclusiveStartKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamArn, tableName, segment, totalSegments, exclusiveStartKey, done);
    }

    @Override
    public String toString() {
        return "ScanSegmentSplit{"
                + splitId()
                + (done
                        ? ", done"
                        : exclusiveStartKey == null ? ", unread" : ", after " + exclusiveStartKey)
                + '}';
    }
}
