package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.client.AwsErrors;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * Reads the Scan segments a subtask holds, one page at a time, in a fetcher thread of its own: a
 * snapshot never holds back the shards' polls, which run in their own fetcher.
 *
 * <p>Segments take turns, a page each. Before a page the read-unit budget (this subtask's share of
 * {@code source.snapshot.read-units-per-second}) may ask to wait; after it, the page's consumed
 * capacity is spent. Throttling is retried with back-off for as long as it lasts and counted; other
 * transient errors are retried up to {@code source.retry.give-up-after}; the rest fail the job
 * naming the table and segment.
 */
@Internal
public final class SegmentSplitReader implements SplitReader<ShardElement, DynamoDbSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(SegmentSplitReader.class);

    /** The longest a fetch sleeps before it returns, so that wake-ups and new splits are seen. */
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final StreamsClient client;
    private final SegmentReaderSettings settings;
    private final SnapshotReaderMetrics metrics;
    @Nullable private final ReadUnitBudget budget;
    private final Deque<Segment> segments = new ArrayDeque<>();
    private final Map<String, TableKeys> tables = new HashMap<>();
    private final Set<String> paused = new HashSet<>();
    private final Object wakeUps = new Object();
    private boolean wokenUp;

    public SegmentSplitReader(
            StreamsClient client, SegmentReaderSettings settings, SnapshotReaderMetrics metrics) {
        this.client = client;
        this.settings = settings;
        this.metrics = metrics;
        this.budget =
                settings.readUnitsPerSecond() > 0
                        ? new ReadUnitBudget(settings.readUnitsPerSecond(), System.nanoTime())
                        : null;
    }

    /** One segment being read, with its retry state. */
    private static final class Segment {
        final ScanSegmentSplit split;
        @Nullable SegmentCursor cursor;
        long nextAttemptNanos;
        int failures;
        long failingSinceNanos;

        Segment(ScanSegmentSplit split) {
            this.split = split;
        }
    }

    /** The key attributes and stream view type of one table, from DescribeTable. */
    private record TableKeys(List<String> keyAttributes, StreamViewType viewType) {}

    @Override
    public RecordsWithSplitIds<ShardElement> fetch() throws IOException {
        RecordsBySplits.Builder<ShardElement> batch = new RecordsBySplits.Builder<>();
        long now = System.nanoTime();
        // The first segment in turn that is not backing off.
        Segment segment = null;
        long wait = MAX_WAIT_NANOS;
        for (Segment candidate : segments) {
            if (paused.contains(candidate.split.splitId())) {
                continue;
            }
            long until = candidate.nextAttemptNanos - now;
            if (until <= 0) {
                segment = candidate;
                break;
            }
            wait = Math.min(wait, until);
        }
        if (segment != null && budget != null) {
            wait = budget.nanosUntilAllowed(now);
            if (wait > 0) {
                segment = null;
            }
        }
        if (segment == null) {
            sleep(Math.min(wait, MAX_WAIT_NANOS));
            return batch.build();
        }
        segments.remove(segment);
        if (readPage(segment, batch)) {
            batch.addFinishedSplit(segment.split.splitId());
        } else {
            segments.addLast(segment);
        }
        return batch.build();
    }

    /** Reads one page of {@code segment} into {@code batch}; returns whether the segment ended. */
    private boolean readPage(Segment segment, RecordsBySplits.Builder<ShardElement> batch)
            throws IOException {
        String splitId = segment.split.splitId();
        ScanResponse page;
        try {
            if (segment.cursor == null) {
                TableKeys keys = tableKeys(segment.split.getTableName());
                segment.cursor =
                        new SegmentCursor(segment.split, keys.keyAttributes(), keys.viewType());
            }
            page = client.scan(segment.cursor.nextRequest(settings.pageSize()));
        } catch (SdkException e) {
            backOff(segment, e);
            return false;
        }
        segment.failures = 0;
        SegmentCursor.Page taken = segment.cursor.onPage(page, Instant.now());
        if (budget != null) {
            budget.spend(taken.consumedUnits(), System.nanoTime());
        }
        List<Record> rows = taken.rows();
        long bytes = 0;
        for (Record row : rows) {
            bytes += row.dynamodb().sizeBytes();
        }
        metrics.page(rows.size(), bytes, taken.consumedUnits());
        Map<String, AttributeValue> pageEnd = segment.cursor.progress().getExclusiveStartKey();
        if (rows.isEmpty()) {
            batch.add(splitId, ShardElement.snapshotRow(null, pageEnd));
        }
        for (int i = 0; i < rows.size(); i++) {
            Record row = rows.get(i);
            boolean last = i == rows.size() - 1;
            batch.add(
                    splitId, ShardElement.snapshotRow(row, last ? pageEnd : row.dynamodb().keys()));
        }
        return taken.last();
    }

    private TableKeys tableKeys(String table) {
        TableKeys keys = tables.get(table);
        if (keys == null) {
            TableDescription description = client.describeTable(table);
            List<String> names = new ArrayList<>();
            for (KeySchemaElement element : description.keySchema()) {
                names.add(element.attributeName());
            }
            StreamSpecification stream = description.streamSpecification();
            StreamViewType viewType =
                    stream != null && stream.streamViewType() != null
                            ? stream.streamViewType()
                            : StreamViewType.NEW_IMAGE;
            keys = new TableKeys(names, viewType);
            tables.put(table, keys);
        }
        return keys;
    }

    private void backOff(Segment segment, SdkException cause) throws IOException {
        String where =
                "segment "
                        + segment.split.getSegment()
                        + " of "
                        + segment.split.getTotalSegments()
                        + " of table "
                        + segment.split.getTableName();
        if (!AwsErrors.isRetryable(cause)) {
            throw new IOException("Reading " + where + " failed: " + cause.getMessage(), cause);
        }
        long now = System.nanoTime();
        boolean throttled = AwsErrors.isThrottling(cause);
        if (throttled) {
            metrics.throttled();
        }
        if (segment.failures == 0) {
            segment.failingSinceNanos = now;
        } else if (!throttled && settings.shouldGiveUp(now - segment.failingSinceNanos)) {
            throw new IOException(
                    "Reading "
                            + where
                            + " kept failing for "
                            + TimeUnit.NANOSECONDS.toSeconds(now - segment.failingSinceNanos)
                            + " s (source.retry.give-up-after): "
                            + cause.getMessage(),
                    cause);
        }
        segment.failures++;
        segment.nextAttemptNanos = now + settings.backOffNanos(segment.failures);
        if (segment.failures == 1) {
            LOG.warn("Scan of {} failed ({}); retrying with back-off", where, cause.toString());
        } else {
            LOG.debug("Scan of {} failed again: {}", where, cause.toString());
        }
    }

    private void sleep(long nanos) throws IOException {
        if (nanos <= 0) {
            return;
        }
        synchronized (wakeUps) {
            if (!wokenUp) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(wakeUps, nanos);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting to read a Scan page", e);
                }
            }
            wokenUp = false;
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<DynamoDbSplit> splitsChanges) {
        if (!(splitsChanges instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + splitsChanges.getClass().getSimpleName());
        }
        for (DynamoDbSplit added : splitsChanges.splits()) {
            if (!(added instanceof ScanSegmentSplit split)) {
                throw new IllegalArgumentException(
                        "The Scan reader cannot read " + added.splitId() + ": not a Scan segment");
            }
            segments.addLast(new Segment(split));
        }
    }

    /** Watermark alignment: paused segments are not read until resumed; the others go on. */
    @Override
    public void pauseOrResumeSplits(
            Collection<DynamoDbSplit> splitsToPause, Collection<DynamoDbSplit> splitsToResume) {
        splitsToPause.forEach(split -> paused.add(split.splitId()));
        splitsToResume.forEach(split -> paused.remove(split.splitId()));
    }

    @Override
    public void wakeUp() {
        synchronized (wakeUps) {
            wokenUp = true;
            wakeUps.notifyAll();
        }
    }

    /** Number of segments this reader holds; for tests. */
    public int segmentCount() {
        return segments.size();
    }

    @Override
    public void close() {
        client.close();
    }
}
