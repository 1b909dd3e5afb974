package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEvent.EventName;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One change of one demo item, as the writer made it and as the job must report it: the item's key,
 * the kind of change and the item's {@value ChangeWriter#VERSION} attribute. A REMOVE carries the
 * version of the item it deleted (its old image), so a key's changes form a list that only an
 * exactly-once, in-order read reproduces. A SNAPSHOT row carries the version the snapshot read.
 */
record Change(String key, EventName event, long version) {

    /** The change a stream event reports, or null if the event is not of a demo item. */
    static Change of(ChangeEvent event) {
        Map<String, AttributeValue> image =
                event.getEventName() == EventName.REMOVE
                        ? event.getOldImage()
                        : event.getNewImage();
        AttributeValue key = event.getKeys().get(ChangeWriter.KEY);
        AttributeValue version = image.get(ChangeWriter.VERSION);
        if (key == null || key.s() == null || version == null || version.n() == null) {
            return null;
        }
        return new Change(key.s(), event.getEventName(), Long.parseLong(version.n()));
    }

    @Override
    public String toString() {
        return event + " " + key + " v" + version;
    }
}
