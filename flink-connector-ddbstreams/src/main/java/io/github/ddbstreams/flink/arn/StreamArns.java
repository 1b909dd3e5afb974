package io.github.ddbstreams.flink.arn;

import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/** Reads parts of a DynamoDB stream ARN. */
@Internal
public final class StreamArns {

    private static final String TABLE_MARKER = ":table/";
    private static final String STREAM_MARKER = "/stream/";

    private StreamArns() {}

    /**
     * The table name in {@code arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL}, or null if
     * the ARN does not have that shape. Table names cannot contain '/' or ':', so the first {@code
     * :table/} and the {@code /stream/} after it delimit the name unambiguously.
     */
    @Nullable
    public static String tableName(@Nullable String streamArn) {
        if (streamArn == null) {
            return null;
        }
        int table = streamArn.indexOf(TABLE_MARKER);
        if (table < 0) {
            return null;
        }
        int start = table + TABLE_MARKER.length();
        int end = streamArn.indexOf(STREAM_MARKER, start);
        if (end <= start) {
            return null;
        }
        return streamArn.substring(start, end);
    }

    /**
     * Whether {@code streamArn} names a newer stream of the same table than {@code thanStreamArn}.
     * A stream's label is its creation time ({@code 2026-01-01T00:00:00.000}), which sorts as text
     * in time order; a table has a new stream each time its stream is enabled again.
     */
    public static boolean isNewerStreamOfSameTable(String streamArn, String thanStreamArn) {
        String table = tableName(streamArn);
        if (table == null || !table.equals(tableName(thanStreamArn))) {
            return false;
        }
        return label(streamArn).compareTo(label(thanStreamArn)) > 0;
    }

    private static String label(String streamArn) {
        return streamArn.substring(streamArn.lastIndexOf(STREAM_MARKER) + STREAM_MARKER.length());
    }
}
