package io.github.ddbstreams.flink.testutils;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A canned-response HTTP endpoint on the loopback interface, for AWS calls that DynamoDB Local
 * cannot answer (STS) or answers too kindly (it accepts any signature). It records every request it
 * receives, so a test can check what left the client, and answers each from a function.
 *
 * <pre>{@code
 * try (HttpStub sts = HttpStub.start(r -> HttpStub.Response.xml(200, "<AssumeRoleResponse>..."))) {
 *     ... .stsEndpointOverride(sts.endpoint()) ...
 * }
 * }</pre>
 */
public final class HttpStub implements AutoCloseable {

    /** One request as received. */
    public static final class Request {
        public final String method;
        public final String path;
        public final Map<String, List<String>> headers;
        public final String body;

        Request(String method, String path, Map<String, List<String>> headers, String body) {
            this.method = method;
            this.path = path;
            this.headers = headers;
            this.body = body;
        }

        /** The first value of a header (case-insensitive name), or null. */
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        /** The body parsed as a form ({@code a=b&c=d}), as AWS query-protocol calls send it. */
        public Map<String, String> form() {
            Map<String, String> form = new LinkedHashMap<>();
            for (String pair : body.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    form.put(
                            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return form;
        }

        /** Everything received, headers and body, as one text to search. */
        public String text() {
            return method + " " + path + "\n" + headers + "\n" + body;
        }
    }

    /** A canned response. */
    public static final class Response {
        final int status;
        final String contentType;
        final String body;

        private Response(int status, String contentType, String body) {
            this.status = status;
            this.contentType = contentType;
            this.body = body;
        }

        /** An XML answer, as the AWS query protocol (STS) gives. */
        public static Response xml(int status, String body) {
            return new Response(status, "text/xml", body);
        }

        /** A JSON answer, as the DynamoDB protocol gives. */
        public static Response json(int status, String body) {
            return new Response(status, "application/x-amz-json-1.0", body);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new ArrayList<>();

    private HttpStub(HttpServer server) {
        this.server = server;
    }

    /** Starts on a free loopback port; {@link #close()} stops it. */
    public static HttpStub start(Function<Request, Response> answer) throws IOException {
        HttpServer server =
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        HttpStub stub = new HttpStub(server);
        server.createContext("/", exchange -> stub.handle(exchange, answer));
        server.start();
        return stub;
    }

    private void handle(HttpExchange exchange, Function<Request, Response> answer)
            throws IOException {
        try (exchange) {
            String body =
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request =
                    new Request(
                            exchange.getRequestMethod(),
                            exchange.getRequestURI().toString(),
                            Map.copyOf(exchange.getRequestHeaders()),
                            body);
            synchronized (requests) {
                requests.add(request);
            }
            Response response = answer.apply(request);
            byte[] bytes = response.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", response.contentType);
            exchange.getResponseHeaders().add("x-amzn-RequestId", "stub-" + requests.size());
            exchange.sendResponseHeaders(response.status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** {@code http://127.0.0.1:port}. */
    public URI endpoint() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getHostString() + ":" + address.getPort());
    }

    /** Every request received so far, oldest first. */
    public List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
