package io.github.ddbstreams.flink.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LogCaptureTest {

    private static final Logger LOG = LoggerFactory.getLogger(LogCaptureTest.class);

    @Test
    void capturesEveryLevelOfEveryLoggerAndStdioThenRestoresTheConfiguration() {
        LoggerConfig root = rootConfig();
        Level rootLevel = root.getLevel();
        var rootAppenders = appenderNames(root);
        // DynamoDB Local's loggers are OFF in the test configuration: they must be captured too.
        org.apache.logging.log4j.Logger silenced =
                LogManager.getLogger("software.amazon.dynamodb.Anything");
        assertThat(silenced.isErrorEnabled()).isFalse();

        String text;
        long events;
        try (LogCapture capture = LogCapture.everything()) {
            LOG.trace("trace line {}", 1);
            silenced.debug("silenced line");
            System.err.println("printed line");
            text = capture.text();
            events = capture.eventCount();
        }
        LOG.warn("after close");

        assertThat(events).isEqualTo(2);
        assertThat(text).contains("trace line 1").contains("silenced line").contains("printed");
        assertThat(text).doesNotContain("after close");
        assertThat(rootConfig().getLevel()).isEqualTo(rootLevel);
        assertThat(appenderNames(rootConfig())).isEqualTo(rootAppenders);
        assertThat(silenced.isErrorEnabled()).isFalse();
        assertThat(LOG.isTraceEnabled()).isFalse();
    }

    private static java.util.Set<String> appenderNames(LoggerConfig config) {
        return java.util.Set.copyOf(config.getAppenders().keySet());
    }

    private static LoggerConfig rootConfig() {
        return ((LoggerContext) LogManager.getContext(false)).getConfiguration().getRootLogger();
    }
}
