package io.github.ddbstreams.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ScanSegmentSplitTest {

    private static final String ARN = SampleRecords.STREAM_ARN;

    @Test
    void progressesPageByPageAndEndsWithoutAKey() {
        ScanSegmentSplit unread = ScanSegmentSplit.unread(ARN, "orders", 2, 8);
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("k17"));

        ScanSegmentSplit afterFirst = unread.after(key);
        ScanSegmentSplit done = afterFirst.after(null);

        assertThat(unread.getExclusiveStartKey()).isNull();
        assertThat(unread.isDone()).isFalse();
        assertThat(afterFirst.getExclusiveStartKey()).isEqualTo(key);
        assertThat(afterFirst.isDone()).isFalse();
        assertThat(done.isDone()).isTrue();
        assertThat(done.getExclusiveStartKey()).isNull();
        assertThat(unread.after(Map.of()).isDone()).isTrue();
        assertThat(afterFirst.splitId())
                .isEqualTo(unread.splitId())
                .isEqualTo(ARN + "#scan-2-of-8");
    }

    @Test
    void roundTripsThroughBytesWithAnyKeyType() throws IOException {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, -1, 7})));
        key.put("sk", AttributeValue.fromN("12345678901234567890.5"));
        for (ScanSegmentSplit split :
                new ScanSegmentSplit[] {
                    ScanSegmentSplit.unread(ARN, "orders", 0, 1),
                    ScanSegmentSplit.unread(ARN, "orders", 3, 4).after(key),
                    ScanSegmentSplit.unread(ARN, "orders", 3, 4).after(null)
                }) {
            assertThat(roundTrip(split)).isEqualTo(split);
        }
    }

    @Test
    void rejectsSegmentsOutsideTheTotalNamingTheTable() {
        assertThatThrownBy(() -> ScanSegmentSplit.unread(ARN, "orders", 4, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("orders")
                .hasMessageContaining("segment 4 of 4");
        assertThatThrownBy(() -> ScanSegmentSplit.unread(ARN, "orders", 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void corruptBytesAreAnIoError() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF(ARN);
        out.writeUTF("orders");
        out.writeInt(9);
        out.writeInt(4);
        out.writeBoolean(false);
        out.writeBoolean(false);

        assertThatThrownBy(
                        () ->
                                ScanSegmentSplit.read(
                                        new DataInputDeserializer(out.getCopyOfBuffer())))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Corrupt scan segment");
    }

    private static ScanSegmentSplit roundTrip(ScanSegmentSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        ScanSegmentSplit.write(split, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        ScanSegmentSplit read = ScanSegmentSplit.read(in);
        assertThat(in.available()).isZero();
        return read;
    }
}
