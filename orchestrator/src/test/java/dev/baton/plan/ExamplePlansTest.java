package dev.baton.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.baton.fleet.Tools;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The example plans load, and the published JSON Schema agrees with the loader on them and on bad input. */
class ExamplePlansTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    private static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Tools.repo().resolve("plans"))) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    private static JsonSchema schema() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(Tools.repo().resolve("plans/plan.schema.json").toFile());
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
    }

    @Test
    void everyExamplePlanLoadsAndMatchesTheSchema() throws IOException {
        List<Path> plans = examples();
        assertThat(plans).hasSizeGreaterThanOrEqualTo(6);
        JsonSchema schema = schema();
        for (Path plan : plans) {
            assertThat(new PlanLoader().load(plan).service()).as(plan.toString()).isEqualTo("web");
            assertThat(schema.validate(YAML.readTree(plan.toFile()))).as(plan.toString()).isEmpty();
        }
    }

    @Test
    void theSchemaRejectsWhatTheLoaderRejects() throws IOException {
        JsonSchema schema = schema();
        String valid = Files.readString(Tools.repo().resolve("plans/one-at-a-time.yaml"));
        for (String bad : List.of(
                valid.replace("mode: deregister", "mode: unplug"),
                valid.replace("timeout: 30s", "timeout: 30x"),
                valid + "colour: blue\n",
                valid.replace("sha256: e3b0", "sha256: zzzz"),
                valid + "strategy: { batch: \"150%\" }\n")) {
            assertThat(schema.validate(YAML.readTree(bad))).isNotEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PlanLoader().parse("p.yaml", bad)).isInstanceOf(PlanException.class);
        }
    }
}
