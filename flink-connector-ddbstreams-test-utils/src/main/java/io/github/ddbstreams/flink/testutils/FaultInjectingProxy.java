package io.github.ddbstreams.flink.testutils;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A WireMock server on a free loopback port that forwards every request to a DynamoDB (Local)
 * endpoint and, when a test arms it, answers DynamoDB Streams calls with AWS faults instead: the
 * real SDK client path (signing, HTTP, error parsing, SDK retries) sees them as it would from AWS.
 *
 * <pre>{@code
 * try (FaultInjectingProxy proxy = FaultInjectingProxy.start(DYNAMODB.endpoint())) {
 *     source = ... .awsConfig(proxy.awsConfig()) ...
 *     proxy.arm(Operation.GET_RECORDS, Fault.limitExceeded(), 6);
 *     ...
 *     assertThat(proxy.served(Operation.GET_RECORDS)).isEqualTo(6);
 * }
 * }</pre>
 *
 * <p>Faults are chosen by the {@code X-Amz-Target} header and served in the order they were armed,
 * exactly as many times as armed (the decision is atomic per operation, so concurrent calls never
 * get one fault too many). {@link #served} counts what was really served, so a test can check that
 * its faults happened. Keep in mind that the SDK client retries throttling, 5xx and connection
 * errors itself (the connector's client makes up to 3 attempts per call): the connector sees such a
 * fault only when 3 come in a row.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    /** Armed this many times, a fault is served on every matching call until {@link #disarm}. */
    public static final int FOREVER = Integer.MAX_VALUE;

    /** The DynamoDB Streams operations faults can be armed for. */
    public enum Operation {
        GET_RECORDS("GetRecords"),
        GET_SHARD_ITERATOR("GetShardIterator"),
        DESCRIBE_STREAM("DescribeStream");

        private final String target;

        Operation(String action) {
            this.target = "DynamoDBStreams_20120810." + action;
        }

        /** The {@code X-Amz-Target} header value of this operation. */
        public String target() {
            return target;
        }
    }

    /** One kind of fault, as an HTTP response (or a broken connection) of the proxy. */
    public static final class Fault {
        private final String name;
        // Null for a delay: the real answer, late.
        @Nullable private final ResponseDefinition response;
        private final int delayMillis;

        private Fault(String name, @Nullable ResponseDefinition response, int delayMillis) {
            this.name = name;
            this.response = response;
            this.delayMillis = delayMillis;
        }

        /** HTTP 400 {@code LimitExceededException}: DynamoDB Streams' own throttling error. */
        public static Fault limitExceeded() {
            return awsError(400, "LimitExceededException", "Rate exceeded for shard");
        }

        /**
         * HTTP 400 {@code ThrottlingException}: not modelled for DynamoDB Streams, so the SDK gives
         * a plain {@code DynamoDbException} whose {@code isThrottlingException()} is true.
         */
        public static Fault throttling() {
            return awsError(400, "ThrottlingException", "Rate exceeded");
        }

        /** HTTP 500 {@code InternalServerError} ({@code InternalServerErrorException}). */
        public static Fault internalServerError() {
            return awsError(500, "InternalServerError", "Internal server error");
        }

        /** HTTP 503 {@code ServiceUnavailable} (a plain {@code DynamoDbException}, status 503). */
        public static Fault serviceUnavailable() {
            return awsError(503, "ServiceUnavailable", "Service unavailable");
        }

        /** HTTP 400 {@code ExpiredIteratorException}; the SDK does not retry it. */
        public static Fault expiredIterator() {
            return awsError(400, "ExpiredIteratorException", "Iterator expired");
        }

        /** HTTP 400 {@code TrimmedDataAccessException}; the SDK does not retry it. */
        public static Fault trimmedData() {
            return awsError(
                    400,
                    "TrimmedDataAccessException",
                    "The operation attempted to read past the oldest stream record in a shard.");
        }

        /** The connection is reset (TCP RST) after the request was read. */
        public static Fault connectionReset() {
            return new Fault(
                    "connection reset",
                    aResponse()
                            .withFault(
                                    com.github.tomakehurst.wiremock.http.Fault
                                            .CONNECTION_RESET_BY_PEER)
                            .build(),
                    0);
        }

        /** The real answer, but only after {@code delay}: for client timeouts. */
        public static Fault delay(Duration delay) {
            return new Fault("delay " + delay.toMillis() + " ms", null, (int) delay.toMillis());
        }

        private static Fault awsError(int status, String code, String message) {
            // The shape AWS's JSON 1.0 protocol uses; the SDK takes the code after '#'.
            String body =
                    "{\"__type\":\"com.amazonaws.dynamodb.v20120810#"
                            + code
                            + "\",\"message\":\""
                            + message
                            + "\"}";
            return new Fault(
                    status + " " + code,
                    aResponse()
                            .withStatus(status)
                            .withHeader("Content-Type", "application/x-amz-json-1.0")
                            .withHeader("x-amzn-RequestId", "fault-injecting-proxy")
                            .withBody(body)
                            .build(),
                    0);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Faults armed for one operation: let {@code pass} calls through, then fault {@code left}. */
    private static final class Plan {
        final Fault fault;
        int pass;
        int left;

        Plan(Fault fault, int pass, int left) {
            this.fault = fault;
            this.pass = pass;
            this.left = left;
        }
    }

    private final WireMockServer server;
    private final Injector injector;

    private FaultInjectingProxy(WireMockServer server, Injector injector) {
        this.server = server;
        this.injector = injector;
    }

    /** Starts a proxy to {@code target} (e.g. {@code DynamoDbLocal#endpoint()}). */
    public static FaultInjectingProxy start(URI target) {
        Injector injector = new Injector();
        WireMockServer server =
                new WireMockServer(
                        options()
                                .bindAddress("127.0.0.1")
                                .dynamicPort()
                                // Counting happens in the injector; a journal would only grow.
                                .disableRequestJournal()
                                .extensions(injector));
        server.start();
        try {
            server.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(target.toString())));
        } catch (RuntimeException e) {
            server.stop();
            throw e;
        }
        return new FaultInjectingProxy(server, injector);
    }

    /** {@code http://127.0.0.1:port}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** The connector's configuration for DynamoDB Local reached through this proxy. */
    public AwsConfig awsConfig() {
        return AwsConfig.builder()
                .region(DynamoDbLocal.REGION)
                .endpointOverride(endpoint())
                .staticCredentials(DynamoDbLocal.ACCESS_KEY_ID, DynamoDbLocal.SECRET_ACCESS_KEY)
                .build();
    }

    /** Serves {@code fault} on the next {@code times} calls of {@code operation}. */
    public void arm(Operation operation, Fault fault, int times) {
        arm(operation, fault, 0, times);
    }

    /**
     * Lets the next {@code passFirst} calls of {@code operation} through, then serves {@code fault}
     * on the {@code times} calls after them. Plans armed earlier for the same operation are used up
     * first.
     */
    public void arm(Operation operation, Fault fault, int passFirst, int times) {
        Objects.requireNonNull(fault);
        if (passFirst < 0 || times < 1) {
            throw new IllegalArgumentException("passFirst >= 0 and times >= 1 required");
        }
        injector.arm(operation, new Plan(fault, passFirst, times));
    }

    /** Drops every armed fault that was not served yet. */
    public void disarm() {
        injector.disarm();
    }

    /** Drops every armed fault and zeroes the counts: a fresh start for the next test. */
    public void reset() {
        injector.reset();
    }

    /** How many faults were served for {@code operation} so far. */
    public int served(Operation operation) {
        return injector.served(operation);
    }

    /** How many faults are armed and not served yet, over all operations. */
    public long armed() {
        return injector.armed();
    }

    /** How many calls of {@code operation} reached the endpoint unharmed so far. */
    public int passed(Operation operation) {
        return injector.passed(operation);
    }

    @Override
    public void close() {
        server.stop();
    }

    /** Decides, per request, whether an armed fault replaces the proxied answer. */
    private static final class Injector implements ResponseDefinitionTransformerV2 {
        private final Map<Operation, Deque<Plan>> plans = new EnumMap<>(Operation.class);
        private final Map<Operation, int[]> served = new EnumMap<>(Operation.class);
        private final Map<Operation, int[]> passed = new EnumMap<>(Operation.class);

        Injector() {
            for (Operation operation : Operation.values()) {
                plans.put(operation, new ArrayDeque<>());
                served.put(operation, new int[1]);
                passed.put(operation, new int[1]);
            }
        }

        @Override
        public String getName() {
            return "ddbstreams-fault-injector";
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            ResponseDefinition proxied = serveEvent.getResponseDefinition();
            Operation operation = operationOf(serveEvent.getRequest().getHeader("X-Amz-Target"));
            if (operation == null) {
                return proxied;
            }
            Fault fault = next(operation);
            if (fault == null) {
                return proxied;
            }
            if (fault.response == null) {
                return ResponseDefinitionBuilder.like(proxied)
                        .withFixedDelay(fault.delayMillis)
                        .build();
            }
            return fault.response;
        }

        @Nullable
        private static Operation operationOf(@Nullable String target) {
            for (Operation operation : Operation.values()) {
                if (operation.target.equals(target)) {
                    return operation;
                }
            }
            return null;
        }

        @Nullable
        private synchronized Fault next(Operation operation) {
            Deque<Plan> queue = plans.get(operation);
            Plan plan = queue.peekFirst();
            if (plan == null) {
                passed.get(operation)[0]++;
                return null;
            }
            if (plan.pass > 0) {
                plan.pass--;
                passed.get(operation)[0]++;
                return null;
            }
            if (plan.left != FOREVER && --plan.left == 0) {
                queue.removeFirst();
            }
            served.get(operation)[0]++;
            return plan.fault;
        }

        synchronized void arm(Operation operation, Plan plan) {
            plans.get(operation).addLast(plan);
        }

        synchronized void disarm() {
            plans.values().forEach(Deque::clear);
        }

        synchronized void reset() {
            disarm();
            served.values().forEach(count -> count[0] = 0);
            passed.values().forEach(count -> count[0] = 0);
        }

        synchronized long armed() {
            long armed = 0;
            for (Deque<Plan> queue : plans.values()) {
                for (Plan plan : queue) {
                    armed += plan.left;
                }
            }
            return armed;
        }

        synchronized int served(Operation operation) {
            return served.get(operation)[0];
        }

        synchronized int passed(Operation operation) {
            return passed.get(operation)[0];
        }
    }
}
