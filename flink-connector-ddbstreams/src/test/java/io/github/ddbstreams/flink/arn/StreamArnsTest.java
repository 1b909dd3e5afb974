package io.github.ddbstreams.flink.arn;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.testutils.SampleRecords;
import org.junit.jupiter.api.Test;

class StreamArnsTest {

    @Test
    void tableNameOfAwsAndLocalArns() {
        assertThat(StreamArns.tableName(SampleRecords.STREAM_ARN)).isEqualTo("Orders");
        assertThat(
                        StreamArns.tableName(
                                "arn:aws:dynamodb:ddblocal:000000000000:table/my-table.v2_x/stream/"
                                        + "2024-01-01T00:00:00.000"))
                .isEqualTo("my-table.v2_x");
        assertThat(
                        StreamArns.tableName(
                                "arn:aws-cn:dynamodb:cn-north-1:1:table/stream/stream/label"))
                .as("a table may be called 'stream'")
                .isEqualTo("stream");
    }

    @Test
    void notAStreamArn() {
        assertThat(StreamArns.tableName(null)).isNull();
        assertThat(StreamArns.tableName("arn:aws:dynamodb:eu-west-1:1:table/T")).isNull();
        assertThat(StreamArns.tableName("arn:aws:kinesis:eu-west-1:1:stream/S")).isNull();
        assertThat(StreamArns.tableName("arn:aws:dynamodb:r:1:table//stream/x")).isNull();
    }

    @Test
    void aNewerStreamOfTheSameTableHasALaterLabel() {
        String base = "arn:aws:dynamodb:eu-west-1:123456789012:table/";
        String old = base + "orders/stream/2026-01-01T09:59:59.999";
        String newer = base + "orders/stream/2026-01-01T10:00:00.000";
        assertThat(StreamArns.isNewerStreamOfSameTable(newer, old)).isTrue();
        assertThat(StreamArns.isNewerStreamOfSameTable(old, newer)).isFalse();
        assertThat(StreamArns.isNewerStreamOfSameTable(old, old)).isFalse();
        assertThat(
                        StreamArns.isNewerStreamOfSameTable(
                                base + "customers/stream/2027-01-01T00:00:00.000", old))
                .as("another table")
                .isFalse();
        assertThat(StreamArns.isNewerStreamOfSameTable("not-an-arn", old)).isFalse();
    }
}
