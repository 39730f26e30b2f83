package dev.baton.notify;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads a secret the webhooks file points at: {@code { env: NAME }} or {@code { file: /abs/path }}. A secret written
 * in the file itself is refused (the webhooks file may be readable by many), and so is a secret file others can read.
 */
final class SecretSource {
    private final Function<String, String> env;

    SecretSource(Function<String, String> env) {
        this.env = env;
    }

    String read(JsonNode node, String where) throws WebhooksFile.Invalid {
        if (node.isTextual()) {
            throw new WebhooksFile.Invalid(where + ": write { env: NAME } or { file: /path/mode-600 }, never the secret itself "
                    + "(the webhooks file may be readable by others)");
        }
        if (!node.isObject() || node.size() != 1 || !(node.has("env") || node.has("file"))) {
            throw new WebhooksFile.Invalid(where + ": expected { env: NAME } or { file: /path }");
        }
        if (node.has("env")) {
            String name = node.get("env").asText();
            String value = env.apply(name);
            if (value == null || value.isBlank()) throw new WebhooksFile.Invalid(where + ": the environment variable " + name + " is not set");
            return value.strip();
        }
        Path file = Path.of(node.get("file").asText());
        if (!file.isAbsolute()) throw new WebhooksFile.Invalid(where + ": " + file + " is not an absolute path");
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (mode.contains(PosixFilePermission.OTHERS_READ)) {
                throw new WebhooksFile.Invalid(where + ": " + file + " is readable by every user of this machine: chmod o-r it (600)");
            }
            String value = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (value.isEmpty()) throw new WebhooksFile.Invalid(where + ": " + file + " is empty");
            return value;
        } catch (java.nio.file.NoSuchFileException e) {
            throw new WebhooksFile.Invalid(where + ": no such file " + file);
        } catch (IOException | UnsupportedOperationException e) {
            throw new WebhooksFile.Invalid(where + ": cannot read " + file + ": " + e.getMessage());
        }
    }
}
