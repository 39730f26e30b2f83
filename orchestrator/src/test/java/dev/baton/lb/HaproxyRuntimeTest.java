package dev.baton.lb;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HaproxyRuntimeTest {
    /** Captured from HAProxy 2.6 with a server-template filled from Consul DNS (two slots resolved, two empty). */
    private static final String SHOW_SERVERS_STATE = """
            1
            # be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
            3 app 1 web1 127.183.94.2 2 64 1 1 6 15 3 1 6 0 0 0 7fb75e02.addr.dc1.consul 8080 _web._tcp.service.consul 0 0 - - 0
            3 app 2 web2 127.183.94.1 2 96 1 1 6 15 3 1 6 0 0 0 7fb75e01.addr.dc1.consul 8080 _web._tcp.service.consul 0 0 - - 0
            3 app 3 web3 - 0 32 1 1 6 1 0 0 14 0 0 0 - 0 _web._tcp.service.consul 0 0 - - 0
            3 app 4 web4 127.183.94.3 0 64 1 1 6 15 3 1 6 0 0 0 7fb75e03.addr.dc1.consul 8080 _web._tcp.service.consul 0 0 - - 0

            """;

    @Test
    void readsEachSlotAndKnowsWhichOnesTakeNewRequests() {
        List<HaproxyRuntime.ServerState> servers = HaproxyRuntime.parseServersState(SHOW_SERVERS_STATE);

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
}
