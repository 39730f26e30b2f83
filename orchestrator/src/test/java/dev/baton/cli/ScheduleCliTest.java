package dev.baton.cli;

import dev.baton.fleet.Tools;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A plan with schedule: is never rolled at once by a local apply. */
class ScheduleCliTest {
    @Test
    void aLocalApplyOfAScheduledPlanIsRefusedWithOneLine() {
        String plan = Tools.repo().resolve("plans/nightly-in-window.yaml").toString();
        BatonCli.Run run = BatonCli.run("apply", plan, "--consul", "http://127.0.0.1:9");
        assertThat(run.code()).isEqualTo(BatonMain.USAGE);
        assertThat(run.err().strip()).isEqualTo("baton: " + plan + ": schedule: this plan starts later: submit it to a server with "
                + "baton schedule create, or remove schedule: to apply it now");
    }
}
