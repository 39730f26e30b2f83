package dev.baton.agentclient;

import java.util.regex.Pattern;

/** Whether a host (as written in a URL) is a loopback address: the only place a token may travel in clear text. */
final class Loopback {
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){2}");

    private Loopback() {
    }

    static boolean is(String host) {
        return IPV4_LOOPBACK.matcher(host).matches() || host.equals("::1") || host.equals("[::1]") || host.equals("localhost");
    }
}
