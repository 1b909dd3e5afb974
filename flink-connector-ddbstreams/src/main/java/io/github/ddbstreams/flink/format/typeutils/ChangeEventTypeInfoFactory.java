package io.github.ddbstreams.flink.format.typeutils;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Tells Flink's type extraction, through {@link ChangeEvent}'s {@code @TypeInfo} annotation, to use
 * {@link ChangeEventTypeInfo}. Instantiated by Flink via reflection, hence public.
 */
@Internal
public final class ChangeEventTypeInfoFactory extends TypeInfoFactory<ChangeEvent> {

    @Override
    public TypeInformation<ChangeEvent> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return ChangeEventTypeInfo.INSTANCE;
    }
}
