package io.github.ddbstreams.flink.testutils;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Captures everything the JVM logs through log4j2 (and so through SLF4J), at every level and from
 * every logger, plus whatever is printed to {@code System.out} and {@code System.err}, until
 * closed. While it runs, the configured appenders are detached (so the console is not flooded) and
 * every logger's level is {@code ALL}; {@link #close()} puts the configuration back.
 *
 * <pre>{@code
 * try (LogCapture logs = LogCapture.everything()) {
 *     runTheJob();
 *     assertThat(logs.text()).doesNotContain(secret);
 * }
 * }</pre>
 *
 * <p>Not for tests running in parallel in one JVM: the capture is global.
 */
public final class LogCapture implements AutoCloseable {

    private final LoggerContext context;
    private final CapturingAppender appender;
    private final Map<LoggerConfig, Saved> saved = new IdentityHashMap<>();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private boolean closed;

    private static final class Saved {
        final Level level;
        final Map<String, Appender> appenders;
        final List<AppenderRef> refs;

        Saved(LoggerConfig config) {
            this.level = config.getLevel();
            this.appenders = new LinkedHashMap<>(config.getAppenders());
            this.refs = new ArrayList<>(config.getAppenderRefs());
        }
    }

    private LogCapture() {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        appender =
                new CapturingAppender(
                        PatternLayout.newBuilder()
                                .withConfiguration(config)
                                .withPattern("%-5p %c [%t] %m%n%xThrowable")
                                .build());
        appender.start();
        config.addAppender(appender);
        List<LoggerConfig> loggers = new ArrayList<>(config.getLoggers().values());
        if (!loggers.contains(config.getRootLogger())) {
            loggers.add(config.getRootLogger());
        }
        for (LoggerConfig logger : loggers) {
            saved.put(logger, new Saved(logger));
            for (String name : logger.getAppenders().keySet()) {
                logger.removeAppender(name);
            }
            // Additive loggers hand their events to the root's appender; adding ours to them too
            // would capture each event twice.
            if (logger == config.getRootLogger() || !logger.isAdditive()) {
                logger.addAppender(appender, Level.ALL, null);
            }
            logger.setLevel(Level.ALL);
        }
        context.updateLoggers();
        PrintStream tee = new PrintStream(printed, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        System.setErr(tee);
    }

    /** Starts capturing everything; close it to restore the logging configuration. */
    public static LogCapture everything() {
        return new LogCapture();
    }

    /** How many log events arrived so far. */
    public long eventCount() {
        return appender.events.get();
    }

    /** Every log event so far, with its stack trace, followed by what was printed to stdio. */
    public String text() {
        return appender.text()
                + "\n--- System.out / System.err ---\n"
                + printed.toString(StandardCharsets.UTF_8);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        System.setOut(originalOut);
        System.setErr(originalErr);
        Configuration config = context.getConfiguration();
        for (Map.Entry<LoggerConfig, Saved> entry : saved.entrySet()) {
            LoggerConfig logger = entry.getKey();
            Saved before = entry.getValue();
            logger.removeAppender(appender.getName());
            for (AppenderRef ref : before.refs) {
                Appender original = before.appenders.get(ref.getRef());
                if (original != null) {
                    logger.addAppender(original, ref.getLevel(), ref.getFilter());
                }
            }
            logger.setLevel(before.level);
        }
        context.updateLoggers();
        appender.stop();
        if (config instanceof AbstractConfiguration) {
            ((AbstractConfiguration) config).removeAppender(appender.getName());
        }
    }

    private static final class CapturingAppender extends AbstractAppender {
        private final StringBuilder text = new StringBuilder();
        private final AtomicLong events = new AtomicLong();

        CapturingAppender(PatternLayout layout) {
            super("LogCapture-" + System.nanoTime(), null, layout, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            String line = getLayout().toSerializable(event).toString();
            synchronized (text) {
                text.append(line);
            }
            events.incrementAndGet();
        }

        String text() {
            synchronized (text) {
                return text.toString();
            }
        }
    }
}
