package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadUnitBudgetTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @Test
    void startsWithOneSecondsWorthThenWaitsForTheDebtToRefill() {
        ReadUnitBudget budget = new ReadUnitBudget(100, 0);

        assertThat(budget.nanosUntilAllowed(0)).isZero();
        budget.spend(100, 0);
        assertThat(budget.nanosUntilAllowed(0)).isZero();
        budget.spend(50, 0);

        // 50 units in debt at 100 units/s: half a second.
        assertThat(budget.nanosUntilAllowed(0)).isEqualTo(SECOND / 2);
        assertThat(budget.nanosUntilAllowed(SECOND / 4)).isEqualTo(SECOND / 4);
        assertThat(budget.nanosUntilAllowed(SECOND / 2)).isZero();
    }

    @Test
    void aLongQuietSpellDoesNotBuyMoreThanOneSecondOfBurst() {
        ReadUnitBudget budget = new ReadUnitBudget(10, 0);

        long later = 3600 * SECOND;
        budget.spend(10, later);
        budget.spend(5, later);

        assertThat(budget.nanosUntilAllowed(later)).isEqualTo(SECOND / 2);
    }

    @Test
    void aGreedyReaderStaysWithinTheRateOverTime() {
        double rate = 40;
        ReadUnitBudget budget = new ReadUnitBudget(rate, 0);
        long now = 0;
        double spent = 0;
        double pageCost = 7.5;
        long end = 100 * SECOND;
        while (true) {
            now += budget.nanosUntilAllowed(now);
            if (now >= end) {
                break;
            }
            budget.spend(pageCost, now);
            spent += pageCost;
        }

        // At most the rate for 100 s, one second of burst and one page of overdraft.
        assertThat(spent).isLessThanOrEqualTo(rate * 101 + pageCost);
        // And a greedy reader is not held far below it.
        assertThat(spent).isGreaterThanOrEqualTo(rate * 99);
    }

    @Test
    void refusesRatesAndCostsThatMakeNoSense() {
        assertThatThrownBy(() -> new ReadUnitBudget(0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> new ReadUnitBudget(Double.NaN, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReadUnitBudget(1, 0).spend(-1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }
}
