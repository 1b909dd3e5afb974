package io.github.ddbstreams.flink.table;

import java.util.EnumSet;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.connector.ChangelogMode;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** The values of {@code 'changelog.mode'}: how stream records become rows. */
@Internal
enum TableChangelogMode {
    /** +I, -U/+U and -D from the images; needs NEW_AND_OLD_IMAGES. */
    CHANGELOG("changelog", ChangelogMode.all(), EnumSet.of(StreamViewType.NEW_AND_OLD_IMAGES)),
    /** +I/+U from the new image, -D from the old image or the keys; needs a PRIMARY KEY. */
    UPSERT(
            "upsert",
            ChangelogMode.upsert(),
            EnumSet.of(StreamViewType.NEW_IMAGE, StreamViewType.NEW_AND_OLD_IMAGES)),
    /** One +I row per record, whatever its event. */
    APPEND("append", ChangelogMode.insertOnly(), EnumSet.allOf(StreamViewType.class));

    private final String optionValue;
    private final ChangelogMode changelogMode;
    private final Set<StreamViewType> viewTypes;

    TableChangelogMode(
            String optionValue, ChangelogMode changelogMode, Set<StreamViewType> viewTypes) {
        this.optionValue = optionValue;
        this.changelogMode = changelogMode;
        this.viewTypes = viewTypes;
    }

    /** Whether every record of a stream of this view type has the images this mode needs. */
    boolean servedBy(StreamViewType viewType) {
        return viewTypes.contains(viewType);
    }

    /** The value of {@code 'changelog.mode'} that selects this mode. */
    String optionValue() {
        return optionValue;
    }

    /** The row kinds this mode emits, as the planner sees them. */
    ChangelogMode changelogMode() {
        return changelogMode;
    }
}
