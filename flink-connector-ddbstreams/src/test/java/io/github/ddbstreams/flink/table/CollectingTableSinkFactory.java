package io.github.ddbstreams.flink.table;

import io.github.ddbstreams.flink.testutils.ContextFreeSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.sink.SinkV2Provider;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.factories.DynamicTableSinkFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.Row;

/**
 * A SQL sink ({@code 'connector' = 'ddbstreams-test-collect'}, {@code 'id' = '...'}) that keeps
 * every changelog row it receives in this JVM, so a MiniCluster test can read what several runs of
 * one SQL job (before and after a savepoint) emitted. Strings and decimals become {@code String}
 * and {@code BigDecimal}; other fields are kept as Flink's internal data.
 */
public final class CollectingTableSinkFactory implements DynamicTableSinkFactory {

    static final ConfigOption<String> ID =
            ConfigOptions.key("id")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Names the list the rows go to.");

    private static final Map<String, List<Row>> RESULTS = new ConcurrentHashMap<>();

    /** A copy of every row received under {@code id}, in arrival order. */
    static List<Row> rows(String id) {
        List<Row> list = RESULTS.getOrDefault(id, List.of());
        synchronized (list) {
            return new ArrayList<>(list);
        }
    }

    @Override
    public String factoryIdentifier() {
        return "ddbstreams-test-collect";
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(ID);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of();
    }

    @Override
    public DynamicTableSink createDynamicTableSink(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        String id = helper.getOptions().get(ID);
        List<LogicalType> types = context.getPhysicalRowDataType().getLogicalType().getChildren();
        return new CollectingTableSink(id, types);
    }

    private static final class CollectingTableSink implements DynamicTableSink {
        private final String id;
        private final List<LogicalType> types;

        CollectingTableSink(String id, List<LogicalType> types) {
            this.id = id;
            this.types = types;
        }

        @Override
        public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
            return ChangelogMode.all();
        }

        @Override
        public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
            List<RowData.FieldGetter> getters = new ArrayList<>();
            for (int i = 0; i < types.size(); i++) {
                getters.add(RowData.createFieldGetter(types.get(i), i));
            }
            return SinkV2Provider.of(new RowSink(id, getters));
        }

        @Override
        public DynamicTableSink copy() {
            return new CollectingTableSink(id, types);
        }

        @Override
        public String asSummaryString() {
            return "collect(" + id + ")";
        }
    }

    private static final class RowSink extends ContextFreeSink<RowData> {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final List<RowData.FieldGetter> getters;

        RowSink(String id, List<RowData.FieldGetter> getters) {
            this.id = id;
            this.getters = getters;
        }

        @Override
        protected SinkWriter<RowData> createWriter() {
            List<Row> list = RESULTS.computeIfAbsent(id, k -> new ArrayList<>());
            return new SinkWriter<>() {
                @Override
                public void write(RowData element, Context context) {
                    Row row = new Row(element.getRowKind(), getters.size());
                    for (int i = 0; i < getters.size(); i++) {
                        Object value = getters.get(i).getFieldOrNull(element);
                        if (value instanceof StringData) {
                            value = value.toString();
                        } else if (value instanceof DecimalData) {
                            value = ((DecimalData) value).toBigDecimal();
                        }
                        row.setField(i, value);
                    }
                    synchronized (list) {
                        list.add(row);
                    }
                }

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
