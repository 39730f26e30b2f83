package dev.baton.plan;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.LoaderOptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads YAML (or JSON, which is YAML) into a tree of {@link Node}s that remember their
 * position. Hostile input is bounded: document size, nesting depth, aliases.
 */
final class YamlTree {
    static final int MAX_BYTES = 256 * 1024;
    private static final int MAX_DEPTH = 16;
    private static final int MAX_ENTRIES = 10_000;

    private final YAMLFactory factory;
    private int entries;

    YamlTree() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        options.setAllowDuplicateKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH + 4);
        options.setCodePointLimit(MAX_BYTES);
        factory = YAMLFactory.builder()
                .loaderOptions(options)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_DEPTH).maxStringLength(64 * 1024).maxNumberLength(100).build())
                .build();
    }

    Node parse(String file, String text) {
        if (text.length() > MAX_BYTES) {
            throw new PlanException(file + ": plan is larger than " + MAX_BYTES / 1024 + " KiB");
        }
        try (JsonParser parser = factory.createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == null) throw new PlanException(file + ":1:1: plan is empty");
            Node root = read(parser, file, "plan");
            if (parser.nextToken() != null) {
                throw new PlanException(file + ":" + parser.currentLocation().getLineNr()
                        + ": only one YAML document is allowed in a plan");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new PlanException(file + ": plan is too large or too deeply nested (" + firstLine(e) + ")");
        } catch (IOException | RuntimeException e) {
            if (e instanceof PlanException pe) throw pe;
            throw new PlanException(file + ":" + position(e) + ": not valid YAML: " + firstLine(e));
        }
    }

    private Node read(JsonParser p, String file, String path) throws IOException {
        JsonLocation at = p.currentTokenLocation();
        int line = at.getLineNr();
        int column = at.getColumnNr();
        if (++entries > MAX_ENTRIES) {
            throw new PlanException(file + ":" + line + ":" + column + ": plan has too many entries (over " + MAX_ENTRIES + ")");
        }
        if (p instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser yaml && (yaml.isCurrentAlias() || yaml.getCurrentAnchor() != null)) {
            throw new PlanException(file + ":" + line + ":" + column + ": " + path
                    + ": YAML anchors and aliases are not allowed in plans (write the value out)");
        }
        JsonToken token = p.currentToken();
        switch (token) {
            case START_OBJECT -> {
                Map<String, Node> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    map.put(key, read(p, file, path.equals("plan") ? key : path + "." + key));
                }
                return new Node(map, file, line, column, path);
            }
            case START_ARRAY -> {
                List<Node> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(read(p, file, path + "[" + list.size() + "]"));
                }
                return new Node(list, file, line, column, path);
            }
            case VALUE_NULL -> {
                return new Node(null, file, line, column, path);
            }
            default -> {
                return new Node(p.getText(), file, line, column, path);
            }
        }
    }

    private static String position(Exception e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null) {
            return jpe.getLocation().getLineNr() + ":" + jpe.getLocation().getColumnNr();
        }
        return "1:1";
    }

    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) message = jpe.getOriginalMessage();
        return message.lines().findFirst().orElse("").trim();
    }
}
