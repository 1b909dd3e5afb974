package io.github.ddbstreams.flink.format.typeutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.ChangeEvent;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** Flink must find our serializer for ChangeEvent, never a generic (Kryo) one. */
class ChangeEventTypeInfoTest {

    @Test
    void typeExtractionFindsOurTypeInfo() {
        assertThat(TypeInformation.of(ChangeEvent.class)).isSameAs(ChangeEventTypeInfo.INSTANCE);
    }

    @Test
    void serializerIsCreatedWithGenericTypesDisabled() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);

        assertNoGenericFallback(config);
    }

    @Test
    void serializerIsCreatedWithGenericTypesDisabledByConfiguration() {
        // The way users write it: pipeline.generic-types: false.
        Configuration configuration = new Configuration();
        configuration.set(PipelineOptions.GENERIC_TYPES, false);
        // configure(...) rather than the Configuration constructor, whose signature differs
        // between Flink 1.20 and 2.x.
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.configure(configuration, getClass().getClassLoader());
        assertThat(config.hasGenericTypesDisabled()).isTrue();

        assertNoGenericFallback(config);
    }

    @Test
    void rawSdkRecordWouldFailTheSameCheck() {
        // Proves the check above can fail: the SDK's own type has no Flink serializer.
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false);

        assertThatThrownBy(() -> TypeInformation.of(Record.class).createSerializer(config))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void typeInfoSurvivesJavaSerialization() throws Exception {
        ChangeEventTypeInfo copy =
                InstantiationUtil.clone(ChangeEventTypeInfo.INSTANCE, getClass().getClassLoader());

        assertThat(copy).isEqualTo(ChangeEventTypeInfo.INSTANCE);
        assertThat(copy.hashCode()).isEqualTo(ChangeEventTypeInfo.INSTANCE.hashCode());
    }

    private static void assertNoGenericFallback(SerializerConfig config) {
        TypeSerializer<ChangeEvent> serializer =
                TypeInformation.of(ChangeEvent.class).createSerializer(config);
        assertThat(serializer).isSameAs(ChangeEventSerializer.INSTANCE);

        // Nested in a composite type, as in a keyed stream of (key, event) pairs.
        TypeInformation<Tuple2<String, ChangeEvent>> pair =
                TypeInformation.of(new TypeHint<Tuple2<String, ChangeEvent>>() {});
        assertThat(pair.createSerializer(config)).isNotNull();
    }
}
