package dev.baton.lb;

import dev.baton.rollout.StepFailure;
import dev.baton.rollout.TrafficSample;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StatTableTest {
    private static final String HEADER = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,"
            + "status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,"
            + "rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,"
            + "req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,"
            + "ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,"
            + "agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,"
            + "connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,"
            + "safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,"
            + "ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,"
            + "h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,"
            + "h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,"
            + "h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,";
    private static final String S1 = "app,s1,0,0,0,1,,3,246,1596,,0,,0,0,0,0,no check,1,1,0,,,1,,,1,3,1,,3,,2,3,,3,,,,0,3,0,0,0,0,,,,3,0,0,"
            + ",,,,0,,,0,0,1,1,,,,,,,,,,,,127.0.0.1:18998,,http,,,,,,,,0,3,0,,,0,,0,0,1,1,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,";
    private static final String S2 = "app,s2,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,,,1,,,1,3,2,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,"
            + "0,0,0,0,,,,,,,,,,,,127.0.0.1:18997,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,";
    private static final String BACKEND = "app,BACKEND,0,0,0,1,999,3,246,1596,0,0,,0,0,0,0,UP,1,1,0,,0,1,0,,1,3,0,,3,,1,3,,3,,,,0,3,0,0,0,0,,,,"
            + "3,0,0,0,0,0,0,0,,,0,0,1,1,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,3,0,0,0,,,0,0,1,1,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,"
            + "0,0,0,0,0,0,3,3,1599,237,0,0,";

    /** Captured from HAProxy 2.6 ({@code show stat app 6 -1}): one server up without checks, one disabled. */
    private static final String SHOW_STAT = HEADER + "\n" + S1 + "\n" + S2 + "\n" + BACKEND + "\n\n";

    @Test
    void readsTheBackendTotalsAndEachServer() throws StepFailure {
        TrafficSample sample = StatTable.parse("app", SHOW_STAT);

        assertThat(sample.total()).isEqualTo(new TrafficSample.Counters(3, 0));
        assertThat(sample.servers()).containsExactly(
                new TrafficSample.Server("s1", "127.0.0.1", 18998, new TrafficSample.Counters(3, 0), 1, true, 512),
                new TrafficSample.Server("s2", "127.0.0.1", 18997, new TrafficSample.Counters(0, 0), 0, false, 512));
    }

    @Test
    void failedCountsFiveHundredsConnectionAndResponseErrors() throws StepFailure {
        String[] fields = S1.split(",", -1);
        fields[13] = "2"; // econ
        fields[14] = "1"; // eresp
        fields[43] = "4"; // hrsp_5xx
        TrafficSample sample = StatTable.parse("app", HEADER + "\n" + String.join(",", fields) + "\n" + BACKEND + "\n\n");
        assertThat(sample.servers().get(0).counters()).isEqualTo(new TrafficSample.Counters(3, 7));
    }

    @Test
    void anUnknownBackendIsAFailureNotZeroTraffic() {
        assertThatThrownBy(() -> StatTable.parse("nope", "No such proxy.\n\n")).isInstanceOf(StepFailure.class)
                .hasMessage("HAProxy did not answer `show stat nope 6 -1` with a stats table: \"No such proxy.\"");
    }

    @Test
    void aCutOffTableAMissingBackendRowOrAForeignRowIsAFailure() {
        assertThatThrownBy(() -> StatTable.parse("app", HEADER + "\n" + S1 + "\n")).hasMessageContaining("is cut off");
        assertThatThrownBy(() -> StatTable.parse("app", HEADER + "\n" + S1 + "\n\n")).hasMessageContaining("has no BACKEND row");
        assertThatThrownBy(() -> StatTable.parse("web", HEADER + "\n" + S1 + "\n" + BACKEND + "\n\n"))
                .hasMessageContaining("has a row for proxy \"app\"");
        assertThatThrownBy(() -> StatTable.parse("app", HEADER + "\n" + S1.substring(0, 40) + "\n" + BACKEND + "\n\n"))
                .hasMessageContaining("has a row of 18 fields, the header has 129");
    }

    @Test
    void aTableWithoutTheCountersReadHereOrWithTextForANumberIsAFailure() {
        assertThatThrownBy(() -> StatTable.parse("app", HEADER.replace("hrsp_5xx", "hrsp_5XX") + "\n" + BACKEND + "\n\n"))
                .hasMessageContaining("has no column hrsp_5xx");
        // a TCP backend has no HTTP response counters
        assertThatThrownBy(() -> StatTable.parse("app", HEADER + "\n" + S1.replace(",0,3,0,0,0,0,,,,3,", ",0,3,0,0,,0,,,,3,") + "\n" + BACKEND + "\n\n"))
                .hasMessageContaining("has <nothing> for hrsp_5xx");
    }
}
