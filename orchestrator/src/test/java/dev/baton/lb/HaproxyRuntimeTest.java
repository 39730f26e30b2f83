package dev.baton.lb;

import dev.baton.rollout.StepFailure;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HaproxyRuntimeTest {
    private static final String HEADER = "# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight "
            + "srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state "
            + "srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port "
            + "srv_check_addr srv_agent_addr srv_agent_port";

    /** Captured from HAProxy 2.6 with a server-template filled from Consul DNS (two slots resolved, two empty). */
    private static final String SHOW_SERVERS_STATE = "1\n" + HEADER + "\n" + """
            3 app 1 web1 127.183.94.2 2 64 1 1 6 15 3 1 6 0 0 0 7fb75e02.addr.dc1.consul 8080 _web._tcp.service.consul 0 0 - - 0
            3 app 2 web2 127.183.94.1 2 96 1 1 6 15 3 1 6 0 0 0 7fb75e01.addr.dc1.consul 8080 _web._tcp.service.consul 0 0 - - 0
            3 app 3 web3 - 0 32 1 1 6 1 0 0 14 0 0 0 - 0 _web._tcp.service.consul 0 0 - - 0
            3 app 4 web4 127.183.94.3 0 64 1 1 6 15 3 1 6 0 0 0 7fb75e03.addr.dc1.consul 8080 _web._tcp.service.consul 0 0 - - 0

            """;

    @Test
    void readsEachSlotAndKnowsWhichOnesTakeNewRequests() throws StepFailure {
        List<HaproxyRuntime.ServerState> servers = ServersState.parse("app", SHOW_SERVERS_STATE);

        assertThat(servers).extracting(HaproxyRuntime.ServerState::name).containsExactly("web1", "web2", "web3", "web4");
        assertThat(servers.get(0)).isEqualTo(new HaproxyRuntime.ServerState("app", "web1", "127.183.94.2", 8080, 2, 64));
        // up, with only the informational "FQDN set" flag
        assertThat(servers.get(0).inRotation()).isTrue();
        // in DNS-resolution maintenance: the record is gone from Consul
        assertThat(servers.get(1).inRotation()).isFalse();
        // empty slot
        assertThat(servers.get(2).inRotation()).isFalse();
        // health check down
        assertThat(servers.get(3).inRotation()).isFalse();
    }

    @Test
    void aBackendWithoutServersIsAnEmptyTableNotAnError() throws StepFailure {
        assertThat(ServersState.parse("app", "1\n" + HEADER + "\n\n")).isEmpty();
    }

    @Test
    void unknownBackendIsAFailureNamingHaproxysAnswer() {
        assertThatThrownBy(() -> ServersState.parse("no-such-backend", "Can't find backend.\n\n"))
                .isInstanceOf(StepFailure.class)
                .hasMessage("HAProxy did not answer `show servers state no-such-backend` with a version-1 server table: "
                        + "\"Can't find backend.\"");
    }

    @Test
    void unknownCommandIsAFailure() {
        assertThatThrownBy(() -> ServersState.parse("app", "Unknown command, but maybe one of the following ones is a better match:\n"
                + "  help [<command>]   : list matching or all commands\n\n"))
                .isInstanceOf(StepFailure.class).hasMessageContaining("\"Unknown command, but maybe");
    }

    @Test
    void emptyAnswerIsAFailure() {
        assertThatThrownBy(() -> ServersState.parse("app", "")).isInstanceOf(StepFailure.class)
                .hasMessage("HAProxy answered nothing to `show servers state app`");
    }

    /** The example from issue 8: old code threw ArrayIndexOutOfBoundsException, which skipped RESTORE/PARK. */
    @Test
    void truncatedHeaderAndRowIsAFailureNotAnIndexError() {
        assertThatThrownBy(() -> ServersState.parse("app", "# be_id be_name\n1 web")).isInstanceOf(StepFailure.class)
                .hasMessageContaining("cut off");
        assertThatThrownBy(() -> ServersState.parse("app", "1\n# be_id be_name\n1 web\n\n")).isInstanceOf(StepFailure.class)
                .hasMessageContaining("unexpected header");
    }

    @Test
    void tableCutOffBeforeTheClosingEmptyLineIsAFailure() {
        String cut = SHOW_SERVERS_STATE.substring(0, SHOW_SERVERS_STATE.indexOf("3 app 2"));
        assertThatThrownBy(() -> ServersState.parse("app", cut)).isInstanceOf(StepFailure.class).hasMessageContaining("cut off");
    }

    @Test
    void rowOfTheWrongWidthIsAFailure() {
        assertThatThrownBy(() -> ServersState.parse("app", "1\n" + HEADER + "\n3 app 1 web1 127.0.0.1 2 0\n\n"))
                .isInstanceOf(StepFailure.class).hasMessageContaining("a row of 7 fields, the header has 25");
    }

    @Test
    void rowOfAnotherBackendIsAFailure() {
        String other = SHOW_SERVERS_STATE.replace("3 app 4 web4", "4 api 4 web4");
        assertThatThrownBy(() -> ServersState.parse("app", other)).isInstanceOf(StepFailure.class)
                .hasMessageContaining("a row for backend \"api\"");
    }

    @Test
    void nonNumericStateIsAFailure() {
        String garbled = SHOW_SERVERS_STATE.replace("127.183.94.2 2 64", "127.183.94.2 up 64");
        assertThatThrownBy(() -> ServersState.parse("app", garbled)).isInstanceOf(StepFailure.class)
                .hasMessageContaining("non-numeric");
    }

    @Test
    void backendNameCannotCarryASecondCommand() {
        HaproxyRuntime runtime = new HaproxyRuntime("unix:/nonexistent/admin.sock");
        assertThatThrownBy(() -> runtime.servers("app;disable server app/web1")).isInstanceOf(StepFailure.class)
                .hasMessageContaining("is not a valid proxy name");
    }

    @Test
    void badAddressIsAFailureAtCallTime() {
        assertThatThrownBy(() -> new HaproxyRuntime("http://x").servers("app")).isInstanceOf(StepFailure.class)
                .hasMessageContaining("must be unix:/path or tcp:host:port");
    }
}
