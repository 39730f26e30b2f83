package dev.baton.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the server's tokens file. Either lines {@code role token [name]} ({@code #} starts a comment), or YAML: a
 * mapping {@code role: token} (or a list of tokens), or {@code tokens: [{role: ..., token: ..., name: ...}]}. Roles
 * are viewer, deployer, admin; the name (optional) is who the audit log says acted. Errors name the file and line,
 * never a token.
 */
public final class TokensFile {
    /** The tokens, and warnings worth one line each (e.g. the file is readable by everyone). */
    public record Loaded(Tokens tokens, List<String> warnings) {
    }

    /** A tokens file the server cannot start with; the message is one line. */
    public static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    private TokensFile() {
    }

    public static Loaded load(Path file) throws Invalid {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new Invalid(file + ": no such tokens file");
        } catch (IOException e) {
            throw new Invalid(file + ": cannot read the tokens file: " + e.getMessage());
        }
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, Role> roles = looksLikeYaml(text) ? yaml(file, text, names) : lines(file, text, names);
        if (roles.isEmpty()) throw new Invalid(file + ": no tokens (write one \"role token\" per line; roles: viewer, deployer, admin)");
        List<String> warnings = new ArrayList<>();
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
                warnings.add(file + " is readable by every user of this machine: chmod 600 it");
            }
        } catch (UnsupportedOperationException | IOException notPosix) {
            // nothing to check
        }
        return new Loaded(new Tokens(roles, names), warnings);
    }

    private static boolean looksLikeYaml(String text) {
        for (String line : text.lines().toList()) {
            String s = line.strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            return s.startsWith("-") || s.matches("^[A-Za-z_]+\\s*:.*");
        }
        return false;
    }

    private static Map<String, Role> lines(Path file, String text, Map<String, String> names) throws Invalid {
        Map<String, Role> roles = new LinkedHashMap<>();
        List<String> lines = text.lines().toList();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            String[] parts = line.split("\\s+");
            String where = file + ":" + (n + 1);
            if (parts.length != 2 && parts.length != 3) {
                throw new Invalid(where + ": write \"role token [name]\", e.g. \"deployer <token> ci-pipeline\"");
            }
            add(roles, where, parts[0], parts[1]);
            if (parts.length == 3) name(names, where, parts[1], parts[2]);
        }
        return roles;
    }

    private static Map<String, Role> yaml(Path file, String text, Map<String, String> names) throws Invalid {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (IOException e) {
            throw new Invalid(file + ": not valid YAML" + line(e));
        }
        Map<String, Role> roles = new LinkedHashMap<>();
        if (root == null || !root.isObject()) throw new Invalid(file + ": expected a mapping of role to token(s), or tokens: [...]");
        if (root.has("tokens")) {
            for (JsonNode entry : root.path("tokens")) {
                if (!entry.isObject()) throw new Invalid(file + ": tokens: each entry is {role: ..., token: ...}");
                add(roles, file.toString(), entry.path("role").asText(""), entry.path("token").asText(""));
                if (entry.hasNonNull("name")) name(names, file.toString(), entry.path("token").asText(""), entry.path("name").asText(""));
            }
            return roles;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getValue().isArray()) {
                for (JsonNode token : field.getValue()) add(roles, file.toString(), field.getKey(), token.asText(""));
            } else {
                add(roles, file.toString(), field.getKey(), field.getValue().asText(""));
            }
        }
        return roles;
    }

    private static void add(Map<String, Role> roles, String where, String roleName, String token) throws Invalid {
        Role role = Role.parse(roleName).orElseThrow(() -> new Invalid(where + ": unknown role \"" + printable(roleName)
                + "\" (roles: viewer, deployer, admin)"));
        if (token.isBlank() || token.chars().anyMatch(Character::isWhitespace)) {
            throw new Invalid(where + ": the " + role.label() + " token is empty or has spaces");
        }
        Role before = roles.put(token, role);
        if (before != null && before != role) {
            throw new Invalid(where + ": the same token is given for " + before.label() + " and " + role.label());
        }
    }

    private static void name(Map<String, String> names, String where, String token, String name) throws Invalid {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")) {
            throw new Invalid(where + ": a token name is letters, digits and . _ @ - (at most 64), not \"" + printable(name) + "\"");
        }
        names.put(token, name);
    }

    private static String line(IOException e) {
        if (e instanceof com.fasterxml.jackson.core.JsonProcessingException p && p.getLocation() != null) {
            return " (line " + p.getLocation().getLineNr() + ")";
        }
        return "";
    }

    private static String printable(String text) {
        String cut = text.length() > 40 ? text.substring(0, 40) + "..." : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
