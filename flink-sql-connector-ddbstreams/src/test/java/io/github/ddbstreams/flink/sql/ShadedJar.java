package io.github.ddbstreams.flink.sql;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the build put the shaded jar and the SQL Client's classpath (failsafe's properties). */
final class ShadedJar {

    private ShadedJar() {}

    /** The shaded jar that {@code package} produced. */
    static Path path() {
        return existing("sql.jar");
    }

    /**
     * The file holding the SQL Client's classpath: Flink's jars only, never our connector's classes
     * nor the AWS SDK.
     */
    static Path sqlClientClasspathFile() {
        return existing("sql.client.classpath");
    }

    private static Path existing(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException(
                    "System property '"
                            + property
                            + "' is not set: run this test through Maven's failsafe plugin"
                            + " (mvn verify), which sets it after packaging");
        }
        Path path = Paths.get(value);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(property + " = " + path + " does not exist");
        }
        return path;
    }
}
