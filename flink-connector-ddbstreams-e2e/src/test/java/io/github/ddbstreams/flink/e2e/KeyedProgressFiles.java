package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An exactly-once view of what a job received, per key, that survives the death of the process
 * computing it: keyed Flink state holds every change of the key received so far, and after each
 * change the whole list is written to one file per key (atomically replaced).
 *
 * <p>A restore rolls the state back to the checkpoint, and the source replays from there, so the
 * next write of a key reflects exactly what the job committed plus the replay. A key's file is
 * therefore trustworthy once the key received a change after the last restore: the test makes sure
 * of it by touching every key once at the end ({@link VersionedWorkload#touchEveryKey()}).
 */
final class KeyedProgressFiles extends KeyedProcessFunction<String, ChangeEvent, Void> {

    private static final long serialVersionUID = 1L;

    private final String directory;
    private transient ListState<String> received;

    KeyedProgressFiles(Path directory) {
        this.directory = directory.toAbsolutePath().toString();
    }

    @Override
    public void open(OpenContext openContext) {
        received =
                getRuntimeContext()
                        .getListState(new ListStateDescriptor<>("received", Types.STRING));
    }

    @Override
    public void processElement(ChangeEvent event, Context ctx, Collector<Void> out)
            throws Exception {
        received.add(line(event));
        List<String> lines = new ArrayList<>();
        received.get().forEach(lines::add);
        Path file = Paths.get(directory, ctx.getCurrentKey());
        Path temp = Paths.get(directory, ctx.getCurrentKey() + ".tmp");
        Files.write(temp, lines);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads the files back as change events (with the fields {@link VersionedWorkload#verify}
     * compares), in per-key order, keys in no particular order.
     */
    static List<ChangeEvent> read(Path directory, String streamArn) throws IOException {
        List<ChangeEvent> events = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.toString().endsWith(".tmp")) {
                    continue;
                }
                String key = file.getFileName().toString();
                for (String line : Files.readAllLines(file)) {
                    events.add(event(key, line, streamArn));
                }
            }
        }
        return events;
    }

    private static String line(ChangeEvent event) {
        Map<String, AttributeValue> image =
                event.getEventName() == ChangeEvent.EventName.REMOVE
                        ? event.getOldImage()
                        : event.getNewImage();
        return String.join(
                "\t",
                event.getEventName().name(),
                image.get("v").n(),
                event.getShardId(),
                event.getSequenceNumber());
    }

    private static ChangeEvent event(String key, String line, String streamArn) {
        String[] fields = line.split("\t");
        ChangeEvent.EventName name = ChangeEvent.EventName.valueOf(fields[0]);
        Map<String, AttributeValue> image = Map.of("v", AttributeValue.fromN(fields[1]));
        ChangeEvent.Builder builder =
                ChangeEvent.builder()
                        .streamArn(streamArn)
                        .shardId(fields[2])
                        .sequenceNumber(fields[3])
                        .eventName(name)
                        .keys(Map.of("pk", AttributeValue.fromS(key)));
        return name == ChangeEvent.EventName.REMOVE
                ? builder.oldImage(image).build()
                : builder.newImage(image).build();
    }
}
