package io.github.ddbstreams.flink.table;

import org.apache.flink.annotation.Internal;
import org.apache.flink.table.connector.ChangelogMode;

/** The values of {@code 'changelog.mode'}: how stream records become rows. */
@Internal
enum TableChangelogMode {
    /** +I, -U/+U and -D from the images; needs NEW_AND_OLD_IMAGES. */
    CHANGELOG("changelog", ChangelogMode.all()),
    /** +I/+U from the new image, -D from the old image or the keys; needs a PRIMARY KEY. */
    UPSERT("upsert", ChangelogMode.upsert()),
    /** One +I row per record, whatever its event. */
    APPEND("append", ChangelogMode.insertOnly());

    private final String optionValue;
    private final ChangelogMode changelogMode;

    TableChangelogMode(String optionValue, ChangelogMode changelogMode) {
        this.optionValue = optionValue;
        this.changelogMode = changelogMode;
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
