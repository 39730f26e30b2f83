package dev.baton.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/ci: valid YAML, a deploy job calling {@code baton apply ... --server ... --wait}, the token from the CI's secrets. */
class CiExamplesTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final String APPLY = "baton apply plan.yaml --server \"$BATON_SERVER\" --wait";

    private static Path ci(String name) {
        return dev.baton.fleet.Tools.repo().resolve("docs/ci").resolve(name);
    }

    @Test
    void githubActionsDeployStepAppliesAndWaitsWithTheTokenFromSecrets() throws Exception {
        JsonNode workflow = YAML.readTree(ci("github-actions.yml").toFile());
        JsonNode steps = workflow.path("jobs").path("deploy").path("steps");
        assertThat(steps.isArray()).as("jobs.deploy.steps").isTrue();
        JsonNode apply = null;
        for (JsonNode step : steps) {
            if (step.path("run").asText().contains(APPLY)) apply = step;
        }
        assertThat(apply).as("a step runs " + APPLY).isNotNull();
        assertThat(apply.path("env").path("BATON_TOKEN").asText()).isEqualTo("${{ secrets.BATON_TOKEN }}");
        assertThat(apply.path("env").path("BATON_SERVER").asText()).startsWith("${{ ");
        assertThat(workflow.path("jobs").path("deploy").path("runs-on").asText()).isNotBlank();
        assertExitCodesExplainedAndNoTokenWritten(ci("github-actions.yml"));
    }

    @Test
    void gitlabDeployJobAppliesAndWaitsWithTheTokenFromCiVariables() throws Exception {
        JsonNode pipeline = YAML.readTree(ci("gitlab-ci.yml").toFile());
        JsonNode deploy = pipeline.path("deploy");
        assertThat(texts(deploy.path("script"))).contains(APPLY);
        assertThat(texts(pipeline.path("stages"))).contains(deploy.path("stage").asText());
        // The token is a masked CI/CD variable: the file defines no BATON_TOKEN of its own.
        assertThat(pipeline.path("variables").has("BATON_TOKEN")).isFalse();
        assertThat(deploy.path("variables").has("BATON_TOKEN")).isFalse();
        String template = deploy.path("extends").asText();
        assertThat(pipeline.path(template).path("before_script").isArray()).as("extends " + template).isTrue();
        assertExitCodesExplainedAndNoTokenWritten(ci("gitlab-ci.yml"));
    }

    @Test
    void theDocumentedCommandBehavesAsTheCommentsSay() throws Exception {
        Distribution dist = Distribution.get();
        Run help = Run.of(dist.root, "bin/baton", "apply", "--help");
        assertThat(help.exit()).as(help.describe()).isZero();
        assertThat(help.stdout()).contains("--server", "--wait");
        // Exit 2 when the server cannot be reached or no token is given: nothing was rolled out.
        Run unreachable = Run.of(dist.root, Map.of("BATON_TOKEN", "ci-test-token"), 60,
                "bin/baton", "apply", "plans/one-at-a-time.yaml", "--server", "http://127.0.0.1:1", "--wait");
        assertThat(unreachable.exit()).as(unreachable.describe()).isEqualTo(2);
        assertThat(unreachable.stderr()).contains("cannot reach the Baton server").doesNotContain("ci-test-token");
        Run noToken = Run.of(dist.root, Map.of("BATON_TOKEN", ""), 60,
                "bin/baton", "apply", "plans/one-at-a-time.yaml", "--server", "http://127.0.0.1:1", "--wait");
        assertThat(noToken.exit()).as(noToken.describe()).isEqualTo(2);
    }

    private static void assertExitCodesExplainedAndNoTokenWritten(Path file) throws Exception {
        List<String> comments = Files.readAllLines(file).stream().filter(l -> l.strip().startsWith("#")).toList();
        String text = String.join("\n", comments);
        assertThat(text).containsPattern("#\\s+0\\s+the rollout succeeded")
                .containsPattern("#\\s+1\\s+the rollout failed, was aborted or rolled back")
                .containsPattern("#\\s+2\\s+the plan or the command line is wrong");
        for (String line : Files.readAllLines(file)) {
            if (line.contains("BATON_TOKEN:")) {
                assertThat(line).as(file + ": the token comes from the secret store").contains("secrets.BATON_TOKEN");
            }
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
