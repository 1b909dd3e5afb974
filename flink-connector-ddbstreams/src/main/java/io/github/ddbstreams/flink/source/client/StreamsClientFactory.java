package io.github.ddbstreams.flink.source.client;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.io.Serializable;
import org.apache.flink.annotation.Internal;

/** Creates the {@link StreamsClient} of an enumerator or reader; replaced by a fake in tests. */
@Internal
@FunctionalInterface
public interface StreamsClientFactory extends Serializable {
    StreamsClient create(AwsConfig awsConfig);
}
