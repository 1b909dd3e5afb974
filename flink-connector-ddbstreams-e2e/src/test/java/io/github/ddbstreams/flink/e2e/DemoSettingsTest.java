package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.StartingPosition;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DemoSettingsTest {

    @Test
    void defaultsToALocalRunOfThirtySeconds() {
        DemoSettings s = DemoSettings.parse();
        assertThat(s.isAws()).isFalse();
        assertThat(s.duration).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.writesPerSecond).isEqualTo(20);
        assertThat(s.keys).isEqualTo(50);
        assertThat(s.rolloverEvery).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void durationTakesUnitsOrPlainSeconds() {
        assertThat(DemoSettings.parse("--duration", "60s").duration)
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(DemoSettings.parse("--duration", "45").duration)
                .isEqualTo(Duration.ofSeconds(45));
        assertThat(DemoSettings.parse("--duration", "2min").duration)
                .isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void streamArnOrTableSelectsRealAwsMode() {
        DemoSettings arn =
                DemoSettings.parse(
                        "--stream-arn",
                        "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/x",
                        "--region",
                        "eu-west-1");
        assertThat(arn.isAws()).isTrue();
        assertThat(arn.region).isEqualTo("eu-west-1");
        assertThat(arn.awsStartingPosition).isEqualTo(StartingPosition.latest());

        DemoSettings table = DemoSettings.parse("--table", "orders", "--from", "trim-horizon");
        assertThat(table.isAws()).isTrue();
        assertThat(table.tableName).isEqualTo("orders");
        assertThat(table.awsStartingPosition).isEqualTo(StartingPosition.trimHorizon());
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        assertThatThrownBy(() -> DemoSettings.parse("--duration", "soon"))
                .hasMessageContaining("--duration");
        assertThatThrownBy(() -> DemoSettings.parse("--duration", "0"))
                .hasMessageContaining("--duration");
        assertThatThrownBy(() -> DemoSettings.parse("--rate", "-3")).hasMessageContaining("--rate");
        assertThatThrownBy(() -> DemoSettings.parse("--bogus", "1"))
                .hasMessageContaining("--bogus");
        assertThatThrownBy(() -> DemoSettings.parse("--table")).hasMessageContaining("--table");
        assertThatThrownBy(() -> DemoSettings.parse("--table", "t1x", "--stream-arn", "a"))
                .hasMessageContaining("not both");
    }

    @Test
    void realStreamModeTakesAnEndpointAndALimit() {
        DemoSettings s =
                DemoSettings.parse(
                        "--table", "orders", "--endpoint", "http://localhost:8000", "--max", "10");
        assertThat(s.endpoint).isEqualTo("http://localhost:8000");
        assertThat(s.maxChanges).isEqualTo(10);
        assertThat(DemoSettings.parse("--table", "orders").maxChanges).isZero();
    }

    @Test
    void helpIsRecognisedAnywhere() {
        assertThat(DemoSettings.parse("--duration", "5", "--help").help).isTrue();
    }
}
