package dev.baton.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One mapping of a plan being read: typed accessors that validate as they read,
 * and {@link #done()} which rejects any key nobody asked for.
 */
final class Section {
    private final Node node;
    private final Map<String, Node> fields;
    private final Set<String> known = new LinkedHashSet<>();

    private Section(Node node, Map<String, Node> fields) {
        this.node = node;
        this.fields = fields;
    }

    static Section of(Node node) {
        return new Section(node, node.map());
    }

    /** A nested section; an absent or empty key gives an empty section so defaults apply. */
    Section section(String key) {
        Node child = field(key);
        if (child == null || child.value() == null) {
            Node empty = new Node(new LinkedHashMap<String, Node>(), node.file(), node.line(), node.column(), childPath(key));
            return new Section(empty, Map.of());
        }
        return of(child);
    }

    boolean has(String key) {
        known.add(key);
        Node child = fields.get(key);
        return child != null && child.value() != null;
    }

    Node node() {
        return node;
    }

    String required(String key, Pattern valid, String hint) {
        Node child = field(key);
        if (child == null || child.value() == null) {
            throw new PlanException(node.where() + ": " + childPath(key) + ": is required (" + hint + ")");
        }
        return checked(child, valid, hint);
    }

    String optional(String key, String fallback, Pattern valid, String hint) {
        Node child = field(key);
        return child == null || child.value() == null ? fallback : checked(child, valid, hint);
    }

    String oneOf(String key, String fallback, List<String> allowed) {
        Node child = field(key);
        if (child == null || child.value() == null) return fallback;
        String value = child.scalar();
        if (!allowed.contains(value)) {
            throw PlanException.at(child, child.describe() + " is not one of " + String.join(", ", allowed));
        }
        return value;
    }

    /** One of an enum's YAML spellings, as the enum value. */
    <E extends Enum<E> & Plan.Option> E option(String key, E fallback, E[] values) {
        String chosen = oneOf(key, fallback.yaml(), spellings(values));
        return byYaml(chosen, values);
    }

    /** A list of distinct enum spellings, as enum values, in the order written. */
    <E extends Enum<E> & Plan.Option> List<E> options(String key, E[] values) {
        List<String> allowed = spellings(values);
        Pattern valid = Pattern.compile(String.join("|", allowed.stream().map(Pattern::quote).toList()));
        return strings(key, valid, String.join(", ", allowed), values.length).stream().map(v -> byYaml(v, values)).toList();
    }

    private static <E extends Enum<E> & Plan.Option> List<String> spellings(E[] values) {
        return java.util.Arrays.stream(values).map(Plan.Option::yaml).toList();
    }

    private static <E extends Enum<E> & Plan.Option> E byYaml(String yaml, E[] values) {
        for (E value : values) if (value.yaml().equals(yaml)) return value;
        throw new IllegalArgumentException(yaml);
    }

    int integer(String key, int fallback, int min, int max) {
        Node child = field(key);
        if (child == null || child.value() == null) return fallback;
        String text = child.scalar();
        if (!text.matches("-?\\d{1,10}")) throw PlanException.at(child, child.describe() + " is not a whole number");
        long n = Long.parseLong(text);
        if (n < min || n > max) throw PlanException.at(child, n + " is out of range " + min + ".." + max);
        return (int) n;
    }

    /** A count ({@code 2}) or a percentage of the fleet ({@code "25%"}, at most 100%). */
    Amount amount(String key, Amount fallback, int min, int maxCount) {
        Node child = field(key);
        if (child == null || child.value() == null) return fallback;
        String text = child.scalar().trim();
        if (text.matches("\\d{1,3}%")) {
            int percent = Integer.parseInt(text.substring(0, text.length() - 1));
            if (percent > 100) throw PlanException.at(child, percent + "% is over 100%");
            if (percent < min) throw PlanException.at(child, percent + "% is below the minimum " + min);
            return Amount.percent(percent);
        }
        if (!text.matches("\\d{1,9}")) {
            throw PlanException.at(child, child.describe() + " is neither a count (2) nor a percentage (\"25%\")");
        }
        int n = Integer.parseInt(text);
        if (n < min || n > maxCount) throw PlanException.at(child, n + " is out of range " + min + ".." + maxCount);
        return Amount.of(n);
    }

    Duration duration(String key, Duration fallback, Duration min, Duration max) {
        Node child = field(key);
        if (child == null || child.value() == null) return fallback;
        Duration d;
        try {
            d = Durations.parse(child.scalar());
        } catch (IllegalArgumentException e) {
            throw PlanException.at(child, e.getMessage());
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw PlanException.at(child, Durations.format(d) + " is out of range "
                    + Durations.format(min) + ".." + Durations.format(max));
        }
        return d;
    }

    List<String> strings(String key, Pattern valid, String hint, int maxItems) {
        Node child = field(key);
        if (child == null || child.value() == null) return List.of();
        List<Node> items = child.list();
        if (items.size() > maxItems) throw PlanException.at(child, "has " + items.size() + " items, at most " + maxItems + " allowed");
        List<String> out = new ArrayList<>();
        for (Node item : items) {
            String value = checked(item, valid, hint);
            if (out.contains(value)) throw PlanException.at(item, "\"" + value + "\" is listed twice");
            out.add(value);
        }
        return List.copyOf(out);
    }

    /** Rejects keys that were never read: a typo must not silently become a default. */
    void done() {
        for (Map.Entry<String, Node> e : fields.entrySet()) {
            if (!known.contains(e.getKey())) {
                String hint = closest(e.getKey()).map(k -> "; did you mean \"" + k + "\"?").orElse("");
                throw new PlanException(e.getValue().where() + ": " + e.getValue().path()
                        + ": unknown field (known here: " + String.join(", ", known) + ")" + hint);
            }
        }
    }

    Node field(String key) {
        known.add(key);
        return fields.get(key);
    }

    private String childPath(String key) {
        return node.path().equals("plan") ? key : node.path() + "." + key;
    }

    private static String checked(Node child, Pattern valid, String hint) {
        String value = child.scalar();
        if (!valid.matcher(value).matches()) throw PlanException.at(child, child.describe() + " is not valid (" + hint + ")");
        return value;
    }

    private java.util.Optional<String> closest(String typo) {
        return known.stream().filter(k -> editDistance(k.toLowerCase(), typo.toLowerCase()) <= 2).findFirst();
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            int[] cur = new int[b.length() + 1];
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            prev = cur;
        }
        return prev[b.length()];
    }
}
