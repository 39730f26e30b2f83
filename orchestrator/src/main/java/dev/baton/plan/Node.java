package dev.baton.plan;

import java.util.List;
import java.util.Map;

/**
 * One value of a parsed plan together with where it was written, so that every
 * validation error can name file, line, column and field.
 *
 * @param value a {@code Map<String, Node>}, a {@code List<Node>}, a scalar string, or null
 */
record Node(Object value, String file, int line, int column, String path) {

    String where() {
        return file + ":" + line + ":" + column;
    }

    boolean isMap() {
        return value instanceof Map;
    }

    boolean isList() {
        return value instanceof List;
    }

    @SuppressWarnings("unchecked")
    Map<String, Node> map() {
        if (!isMap()) throw PlanException.at(this, "expected a mapping (key: value), found " + describe());
        return (Map<String, Node>) value;
    }

    @SuppressWarnings("unchecked")
    List<Node> list() {
        if (!isList()) throw PlanException.at(this, "expected a list, found " + describe());
        return (List<Node>) value;
    }

    String scalar() {
        if (value instanceof String s) return s;
        throw PlanException.at(this, "expected a single value, found " + describe());
    }

    String describe() {
        if (value == null) return "nothing";
        if (isMap()) return "a mapping";
        if (isList()) return "a list";
        return "\"" + abbreviate((String) value) + "\"";
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
