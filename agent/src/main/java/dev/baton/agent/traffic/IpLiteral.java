package dev.baton.agent.traffic;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Parses numeric IP addresses only, never a host name, so nothing is ever looked up in DNS.
 * IPv4-mapped IPv6 addresses ({@code ::ffff:127.0.0.1}) come back as the IPv4 address.
 */
public final class IpLiteral {

    private static final Pattern IPV4_PART = Pattern.compile("[0-9]{1,3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    private IpLiteral() {
    }

    /** Accepts {@code 10.0.0.7}, {@code ::1}, {@code [::1]} and {@code ::ffff:10.0.0.7}. */
    public static Optional<InetAddress> parse(String text) {
        String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (literal.indexOf(':') >= 0) {
            if (!IPV6_CHARS.matcher(literal).matches()) {
                return Optional.empty();
            }
            // With a colon in it the JDK parses the text as an IPv6 literal or fails; it never asks DNS.
            try {
                return Optional.of(InetAddress.getByName(literal));
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        String[] parts = literal.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (!IPV4_PART.matcher(parts[i]).matches() || Integer.parseInt(parts[i]) > 255) {
                return Optional.empty();
            }
            bytes[i] = (byte) Integer.parseInt(parts[i]);
        }
        try {
            return Optional.of(InetAddress.getByAddress(bytes));
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}
