package io.github.ddbstreams.flink.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shaded jar holds our packages and relocated ones only: a class outside {@code
 * io/github/ddbstreams/flink/} could clash with the same library in Flink's lib/ or in another
 * connector's jar.
 */
class ShadedJarContentsIT {

    private static final String OURS = "io/github/ddbstreams/flink/";
    private static final String SHADED = OURS + "shaded/";
    private static final String MULTI_RELEASE = "META-INF/versions/";

    /**
     * Type descriptors of relocated packages, as javac writes them into string constants: shading
     * rewrites types but not such strings (a serializable lambda's {@code $deserializeLambda$}
     * compares its signature with one), so one left behind breaks at run time only.
     */
    private static final String[] UNRELOCATED_DESCRIPTORS = {
        "Lsoftware/amazon/", "Lorg/apache/hc/", "Lorg/reactivestreams/"
    };

    private static JarFile jar;
    private static Map<String, JarEntry> entries;

    @BeforeAll
    static void open() throws IOException {
        jar = new JarFile(ShadedJar.path().toFile());
        entries = new LinkedHashMap<>();
        for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
            JarEntry entry = e.nextElement();
            if (!entry.isDirectory()) {
                entries.put(entry.getName(), entry);
            }
        }
    }

    @AfterAll
    static void close() throws IOException {
        jar.close();
    }

    @Test
    void everyClassAndResourceIsOursOrRelocated() {
        List<String> offenders = new ArrayList<>();
        for (String name : entries.keySet()) {
            String path = name;
            if (path.startsWith(MULTI_RELEASE)) {
                // META-INF/versions/11/org/Foo.class is org/Foo.class on Java 11+.
                int slash = path.indexOf('/', MULTI_RELEASE.length());
                path = slash < 0 ? path : path.substring(slash + 1);
            } else if (path.startsWith("META-INF/")) {
                continue;
            }
            if (!path.startsWith(OURS)) {
                offenders.add(name);
            }
        }
        assertThat(offenders).as("entries outside %s (unrelocated or not needed)", OURS).isEmpty();
    }

    @Test
    void bundlesTheConnectorTheSdkAndItsHttpClientRelocated() {
        assertThat(entries)
                .containsKeys(
                        OURS + "table/DynamoDbStreamsDynamicTableFactory.class",
                        OURS + "source/DynamoDbStreamsSource.class",
                        SHADED
                                + "software/amazon/awssdk/services/dynamodb/streams/"
                                + "DynamoDbStreamsClient.class",
                        SHADED + "software/amazon/awssdk/http/apache5/Apache5HttpClient.class",
                        SHADED + "org/apache/hc/client5/http/impl/classic/HttpClients.class",
                        SHADED + "org/reactivestreams/Publisher.class");
    }

    @Test
    void bundlesNeitherFlinkNorSlf4jNorNetty() {
        List<String> unwanted = new ArrayList<>();
        for (String name : entries.keySet()) {
            if (name.contains("org/apache/flink/")
                    || name.contains("org/slf4j/")
                    || name.contains("io/netty/")
                    || name.contains("awssdk/http/nio/netty/")) {
                unwanted.add(name);
            }
        }
        assertThat(unwanted).isEmpty();
    }

    @Test
    void noClassNamesAnUnrelocatedTypeInItsStrings() throws IOException {
        List<String> offenders = new ArrayList<>();
        for (JarEntry entry : entries.values()) {
            if (!entry.getName().endsWith(".class")) {
                continue;
            }
            // Constant-pool strings are modified UTF-8, which is plain ASCII for these names.
            String bytes = new String(read(entry), StandardCharsets.ISO_8859_1);
            for (String descriptor : UNRELOCATED_DESCRIPTORS) {
                if (bytes.contains(descriptor)) {
                    offenders.add(entry.getName() + " (" + descriptor + "...)");
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void serviceFilesNameRelocatedImplementationsThatExist() throws IOException {
        assertThat(lines("META-INF/services/org.apache.flink.table.factories.Factory"))
                .containsExactly(
                        "io.github.ddbstreams.flink.table.DynamoDbStreamsDynamicTableFactory");

        TreeSet<String> serviceFiles = new TreeSet<>();
        for (String name : entries.keySet()) {
            if (name.startsWith("META-INF/services/")) {
                serviceFiles.add(name);
            }
        }
        assertThat(serviceFiles)
                .contains(
                        "META-INF/services/io.github.ddbstreams.flink.shaded.software.amazon"
                                + ".awssdk.http.SdkHttpService");
        for (String serviceFile : serviceFiles) {
            String service = serviceFile.substring("META-INF/services/".length());
            if (!service.startsWith("org.apache.flink.")) {
                assertThat(service).as(serviceFile).startsWith("io.github.ddbstreams.flink.");
            }
            for (String implementation : lines(serviceFile)) {
                assertThat(entries)
                        .as("%s names %s", serviceFile, implementation)
                        .containsKey(implementation.replace('.', '/') + ".class");
            }
        }
    }

    /**
     * The SDK loads execution interceptors by class name from {@code execution.interceptors} files,
     * whose contents the shade plugin does not relocate: each name must exist in the jar.
     */
    @Test
    void executionInterceptorFilesNameClassesThatExist() throws IOException {
        for (String name : entries.keySet()) {
            if (name.endsWith("execution.interceptors")) {
                for (String implementation : lines(name)) {
                    assertThat(entries)
                            .as("%s names %s", name, implementation)
                            .containsKey(implementation.replace('.', '/') + ".class");
                }
            }
        }
    }

    @Test
    void keepsOneLicenseAndANoticeForTheBundledCode() throws IOException {
        assertThat(entries).containsKeys("META-INF/LICENSE", "META-INF/NOTICE");
        assertThat(text("META-INF/LICENSE")).contains("Apache License", "Version 2.0");
        assertThat(text("META-INF/NOTICE").strip())
                .startsWith("Flink Connector DynamoDB Streams: SQL jar")
                .contains("AWS SDK for Java 2.0", "Apache HttpClient");
        assertThat(entries.keySet())
                .noneMatch(n -> n.matches("META-INF/.*\\.(SF|DSA|RSA|EC)"))
                .noneMatch(n -> n.matches("META-INF/LICENSE.+"));
    }

    private static List<String> lines(String name) throws IOException {
        List<String> result = new ArrayList<>();
        for (String line : text(name).split("\n")) {
            String trimmed = line.replaceFirst("#.*", "").trim();
            if (!trimmed.isEmpty()) {
                result.add(trimmed);
            }
        }
        return result;
    }

    private static String text(String name) throws IOException {
        JarEntry entry = entries.get(name);
        assertThat(entry).as(name).isNotNull();
        return new String(read(entry), StandardCharsets.UTF_8);
    }

    private static byte[] read(JarEntry entry) throws IOException {
        try (InputStream in = jar.getInputStream(entry)) {
            return in.readAllBytes();
        }
    }
}
