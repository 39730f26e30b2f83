package dev.baton.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.baton.store.Json;
import picocli.CommandLine.Option;

/** {@code --output text|json}: text for people, JSON for pipelines (one document, or one per line when streaming). */
final class OutputOption {
    enum Format { text, json }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (default) or json")
    Format format = Format.text;

    boolean json() {
        return format == Format.json;
    }

    /** One JSON document on one line. */
    static String line(Object value) {
        try {
            return Json.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }
}
