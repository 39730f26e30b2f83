package dev.baton.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RefusalBudgetTest {
    @Test
    void aFloodIsRecordedUpToTheBudgetThenCountedUntilTheNextWindow() throws Exception {
        RefusalBudget budget = new RefusalBudget(3, Duration.ofMillis(300));
        assertThat(budget.take()).isZero();
        assertThat(budget.take()).isZero();
        assertThat(budget.take()).isZero();
        for (int i = 0; i < 100; i++) assertThat(budget.take()).isEqualTo(-1);
        Thread.sleep(350);
        assertThat(budget.take()).as("the next one recorded says how many were not").isEqualTo(100);
        assertThat(budget.take()).isZero();
    }
}
