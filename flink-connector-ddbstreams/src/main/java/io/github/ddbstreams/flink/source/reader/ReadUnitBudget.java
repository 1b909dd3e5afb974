package io.github.ddbstreams.flink.source.reader;

/**
 * A snapshot's share of a table's read capacity: at most {@code unitsPerSecond} read units on
 * average, with at most one second's worth in a burst, so that a snapshot never starves the table's
 * own traffic.
 *
 * <p>A Scan's cost is known only after it returns ({@code ConsumedCapacity}), so the budget runs a
 * debt: a page is allowed while the balance is not negative, its cost is then subtracted (the
 * balance may go below zero), and the balance refills with time. Over any period {@code T} the
 * units spent stay under {@code unitsPerSecond * (T + 1 s)} plus one page's cost. Not thread-safe;
 * time comes from the caller, so tests use a fake clock.
 */
final class ReadUnitBudget {

    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final double unitsPerSecond;
    private double balance;
    private long refilledAtNanos;

    /**
     * @param unitsPerSecond the average rate allowed; must be positive
     * @param nowNanos the current time: the budget starts full (one second's worth)
     */
    ReadUnitBudget(double unitsPerSecond, long nowNanos) {
        if (!(unitsPerSecond > 0) || Double.isInfinite(unitsPerSecond)) {
            throw new IllegalArgumentException(
                    "A read-unit budget must be a positive number of units per second, not "
                            + unitsPerSecond);
        }
        this.unitsPerSecond = unitsPerSecond;
        this.balance = unitsPerSecond;
        this.refilledAtNanos = nowNanos;
    }

    /** How long to wait before the next page may be read: 0 if it may be read now. */
    long nanosUntilAllowed(long nowNanos) {
        refill(nowNanos);
        if (balance >= 0) {
            return 0;
        }
        return (long) Math.ceil(-balance / unitsPerSecond * NANOS_PER_SECOND);
    }

    /** Subtracts what a page cost ({@code ConsumedCapacity.CapacityUnits}). */
    void spend(double units, long nowNanos) {
        if (units < 0 || Double.isNaN(units)) {
            throw new IllegalArgumentException("A page cannot cost " + units + " read units");
        }
        refill(nowNanos);
        balance -= units;
    }

    private void refill(long nowNanos) {
        long elapsed = nowNanos - refilledAtNanos;
        if (elapsed > 0) {
            balance =
                    Math.min(
                            unitsPerSecond,
                            balance + unitsPerSecond * elapsed / (double) NANOS_PER_SECOND);
            refilledAtNanos = nowNanos;
        }
    }
}
