package dev.baton.install;

import java.util.HashMap;
import java.util.Map;

/**
 * What {@link InstallScripts#FACTS} found on a host. {@code user} runs the install's scripts (root under --sudo),
 * {@code login} is who logged in (sudo's caller).
 */
record HostFacts(String user, String login, boolean systemd, boolean serviceUserExists, boolean java, String distSha, String current,
                 Map<String, Boolean> dirs, String enabled, String active, Map<String, FileState> files) {

    /** A file on the host: its sha256, mode (octal, as stat prints it) and owner; null sha when missing. */
    record FileState(String sha256, String mode, String owner) {
        boolean matches(String sha, String wantedMode, String wantedOwner) {
            return sha.equals(sha256) && wantedMode.equals(mode) && wantedOwner.equals(owner);
        }
    }

    static HostFacts parse(String output) {
        Map<String, String> values = new HashMap<>();
        Map<String, Boolean> dirs = new HashMap<>();
        Map<String, FileState> files = new HashMap<>();
        for (String line : output.lines().toList()) {
            String[] words = line.split(" ", 4);
            if (words[0].equals("file") && words.length == 4) {
                String[] modeOwner = words[2].split(":", 2);
                files.put(words[3], words[1].equals("-") ? new FileState(null, null, null)
                        : new FileState(words[1], modeOwner[0], modeOwner.length > 1 ? modeOwner[1] : ""));
            } else if (words[0].equals("dir") && words.length == 3) {
                dirs.put(words[2], words[1].equals("yes"));
            } else if (words.length >= 2) {
                values.putIfAbsent(words[0], line.substring(words[0].length() + 1).strip());
            }
        }
        if (!values.containsKey("user") || !values.containsKey("dist")) {
            throw new IllegalStateException("the host's answer to the inspection script is incomplete: " + dev.baton.wire.Excerpt.firstLine(output));
        }
        return new HostFacts(values.get("user"), values.getOrDefault("login", values.get("user")), "yes".equals(values.get("systemd")), "yes".equals(values.get("service_user")),
                "yes".equals(values.get("java")), values.get("dist"), values.get("current"), dirs,
                values.getOrDefault("enabled", "no"), values.getOrDefault("active", "no"), files);
    }

    FileState file(String path) {
        return files.getOrDefault(path, new FileState(null, null, null));
    }
}
