package dev.baton.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes secrets out of text before it becomes an event, a log line, a KV value or an API answer: the known secret
 * values (API and agent tokens), credentials in URLs (user:password@), signed or secret query parameters
 * ({@code X-Amz-Signature}, {@code token=}, {@code sig=}, ...) and bearer tokens.
 */
public final class Redactor {
    public static final String MARK = "[redacted]";
    /** Shorter values would blank out ordinary words; real tokens are much longer. */
    private static final int MIN_SECRET = 6;
    private static final Pattern USERINFO = Pattern.compile("(?i)\\b([a-z][a-z0-9+.-]{0,20}://)[^/\\s@?#]+@");
    private static final Pattern SECRET_QUERY = Pattern.compile(
            "(?i)([?&;][a-z0-9_.-]*(?:token|sig|signature|credential|password|passwd|pwd|secret|key|auth)[a-z0-9_.-]*=)[^&#\\s\"'<>]+");
    private static final Pattern BEARER = Pattern.compile("(?i)\\b(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}");
    private static final Redactor URLS_ONLY = new Redactor(List.of());

    private final List<String> secrets;

    public Redactor(Collection<String> secrets) {
        List<String> kept = new ArrayList<>();
        for (String s : secrets) {
            if (s != null && s.strip().length() >= MIN_SECRET && !kept.contains(s.strip())) kept.add(s.strip());
        }
        kept.sort(Comparator.comparingInt(String::length).reversed()); // a secret containing another goes first
        this.secrets = List.copyOf(kept);
    }

    /** Redacts credentials in URLs and bearer tokens only (no known secret values). */
    public static Redactor urlsOnly() {
        return URLS_ONLY;
    }

    public List<String> secrets() {
        return secrets;
    }

    public String redact(String text) {
        if (text == null || text.isEmpty()) return text;
        String out = text;
        for (String secret : secrets) {
            if (out.contains(secret)) out = out.replace(secret, MARK);
        }
        String mark = Matcher.quoteReplacement(MARK);
        out = USERINFO.matcher(out).replaceAll("$1" + mark + "@");
        out = SECRET_QUERY.matcher(out).replaceAll("$1" + mark);
        out = BEARER.matcher(out).replaceAll("$1" + mark);
        return out;
    }
}
