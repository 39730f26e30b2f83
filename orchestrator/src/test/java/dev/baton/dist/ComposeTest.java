package dev.baton.dist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml and docker/: no container engine runs here, so this checks what can be checked without one —
 * Debian's {@code docker-compose config} parses and resolves the file, the services, images, build targets and
 * secrets are the expected ones, every file the Dockerfile copies exists, HAProxy accepts its configuration, the
 * entrypoints parse as POSIX sh, and the rollout plan built into the artifacts image validates.
 */
class ComposeTest {
    /** Scratch space of one test, removed after it. */
    @TempDir
    Path tmp;
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Path repo;
    private static JsonNode compose;

    @BeforeAll
    static void config() throws Exception {
        Path dockerCompose = Run.require("docker-compose", "docker-compose");
        repo = dev.baton.fleet.Tools.repo();
        Run config = Run.of(repo, Map.of("COMPOSE_FILE", "", "COMPOSE_PROJECT_NAME", "baton"), 120,
                dockerCompose.toString(), "-f", "docker-compose.yml", "config");
        assertThat(config.exit()).as(config.describe()).isZero();
        compose = YAML.readTree(config.stdout());
    }

    private static JsonNode service(String name) {
        JsonNode service = compose.path("services").path(name);
        assertThat(service.isObject()).as("service " + name).isTrue();
        return service;
    }

    @Test
    void composeRunsConsulHaproxyTheServerArtifactsAndThreeHosts() {
        Set<String> services = new TreeSet<>();
        compose.path("services").fieldNames().forEachRemaining(services::add);
        assertThat(services).containsExactlyInAnyOrder("consul", "haproxy", "server", "artifacts", "host-1", "host-2", "host-3");

        assertThat(service("consul").path("image").asText()).startsWith("hashicorp/consul:");
        assertThat(texts(service("consul").path("command"))).contains("agent", "-dev");
        assertThat(service("haproxy").path("image").asText()).startsWith("haproxy:");
        assertThat(texts(service("haproxy").path("volumes")))
                .contains(repo.resolve("docker/haproxy/haproxy.cfg") + ":/usr/local/etc/haproxy/haproxy.cfg:ro");

        Set<String> hostnames = new LinkedHashSet<>();
        for (String host : List.of("host-1", "host-2", "host-3")) {
            JsonNode s = service(host);
            assertThat(s.path("build").path("target").asText()).as(host).isEqualTo("host");
            assertThat(texts(s.path("secrets"), "source")).as(host).containsExactly("agent_token");
            assertThat(s.path("depends_on").has("consul")).isTrue();
            assertThat(s.path("environment").path("CONSUL_HTTP_ADDR").asText()).isEqualTo("http://consul:8500");
            assertThat(s.path("init").asBoolean()).as(host + ": an init reaps what a hand-off leaves behind").isTrue();
            hostnames.add(s.path("hostname").asText());
        }
        assertThat(hostnames).as("each host registers under its own name").hasSize(3);
        assertThat(service("server").path("build").path("target").asText()).isEqualTo("server");
        assertThat(texts(service("server").path("secrets"), "source")).containsExactlyInAnyOrder("agent_token", "api_tokens");
        assertThat(service("artifacts").path("build").path("target").asText()).isEqualTo("artifacts");

        // Published ports are on loopback only; the agents and HAProxy's runtime API are not published at all.
        compose.path("services").fields().forEachRemaining(e -> {
            for (String port : texts(e.getValue().path("ports"))) {
                assertThat(port).as(e.getKey()).startsWith("127.0.0.1:");
            }
        });
        for (String host : List.of("host-1", "host-2", "host-3")) assertThat(service(host).has("ports")).isFalse();
        assertThat(texts(service("haproxy").path("ports"))).noneMatch(p -> p.contains("9999"));
    }

    @Test
    void tokensComeFromGitIgnoredSecretFilesAndNeverFromTheImagesOrTheEnvironment() throws Exception {
        Map<String, String> files = Map.of("agent_token", "docker/secrets/agent-token", "api_tokens", "docker/secrets/api-tokens");
        for (Map.Entry<String, String> secret : files.entrySet()) {
            assertThat(compose.path("secrets").path(secret.getKey()).path("file").asText())
                    .isEqualTo(repo.resolve(secret.getValue()).toString());
            Run ignored = Run.of(repo, "git", "check-ignore", "-q", secret.getValue());
            assertThat(ignored.exit()).as(secret.getValue() + " is git-ignored: " + ignored.describe()).isZero();
        }
        compose.path("services").fields().forEachRemaining(e ->
                e.getValue().path("environment").fieldNames().forEachRemaining(name ->
                        assertThat(name).as(e.getKey() + " environment").doesNotContainIgnoringCase("token")));
        String dockerfile = Files.readString(repo.resolve("docker/Dockerfile"));
        assertThat(dockerfile.lines().filter(l -> l.matches("^\\s*(ENV|ARG)\\b.*")).toList())
                .noneMatch(l -> l.toUpperCase().contains("TOKEN"));
        assertThat(Files.readString(repo.resolve(".dockerignore")).lines()).contains("docker/secrets", ".git", "**/target");
        for (String entrypoint : List.of("docker/server-entrypoint.sh", "docker/host-entrypoint.sh")) {
            String text = Files.readString(repo.resolve(entrypoint));
            assertThat(text).as(entrypoint).contains("${BATON_SECRETS_DIR:-/run/secrets}", "\"$secrets/agent_token\"", "setpriv", "--no-new-privs")
                    .doesNotContain("--token-file", "--token ");
        }
        assertThat(Files.readString(repo.resolve("docker/host-entrypoint.sh"))).contains("--token-env BATON_AGENT_TOKEN");
    }

    @Test
    void dockerfileStagesAndSourcesExist() throws Exception {
        List<String> lines = Files.readAllLines(repo.resolve("docker/Dockerfile"));
        Set<String> stages = new LinkedHashSet<>();
        Pattern from = Pattern.compile("^FROM\\s+(\\S+)\\s+AS\\s+(\\S+)\\s*$", Pattern.CASE_INSENSITIVE);
        Pattern copy = Pattern.compile("^COPY\\s+(--from=(\\S+)\\s+)?(.+)\\s+(\\S+)$");
        List<String> copied = new ArrayList<>();
        for (String line : lines) {
            Matcher f = from.matcher(line);
            if (f.matches()) {
                stages.add(f.group(2));
                continue;
            }
            assertThat(line).as("every FROM names its stage").doesNotStartWith("FROM ");
            Matcher c = copy.matcher(line);
            if (c.matches()) {
                if (c.group(2) != null) {
                    assertThat(stages).as(line + ": copies from an earlier stage").contains(c.group(2));
                } else {
                    copied.addAll(List.of(c.group(3).trim().split("\\s+")));
                }
            }
        }
        assertThat(stages).containsExactly("dist", "releases", "artifacts", "server", "host");
        compose.path("services").fields().forEachRemaining(e -> {
            JsonNode build = e.getValue().path("build");
            if (build.isMissingNode()) return;
            assertThat(build.path("context").asText()).isEqualTo(repo.toString());
            assertThat(build.path("dockerfile").asText()).isEqualTo("docker/Dockerfile");
            assertThat(stages).as(e.getKey() + "'s build target").contains(build.path("target").asText());
        });
        assertThat(copied).contains(".", "demo-app/", "docker/server-entrypoint.sh", "docker/host-entrypoint.sh");
        for (String source : copied) {
            Path path = repo.resolve(source);
            assertThat(Files.exists(path)).as("COPY " + source + " exists in the build context").isTrue();
            assertThat(source).as("not excluded by .dockerignore").doesNotContain("target", "secrets");
        }
        for (String script : List.of("docker/server-entrypoint.sh", "docker/host-entrypoint.sh", "bin/package")) {
            assertThat(Files.isExecutable(repo.resolve(script))).as(script + " is executable").isTrue();
        }
        for (String script : List.of("docker/server-entrypoint.sh", "docker/host-entrypoint.sh")) {
            Run syntax = Run.of(repo, "/bin/sh", "-n", script);
            assertThat(syntax.exit()).as(syntax.describe()).isZero();
        }
    }

    @Test
    void haproxyFollowsConsulDnsAndAcceptsItsConfiguration() throws Exception {
        Path haproxy = Run.require("haproxy", "haproxy");
        String config = Files.readString(repo.resolve("docker/haproxy/haproxy.cfg"));
        assertThat(config).contains("resolvers consul", "nameserver consul consul:8600",
                "server-template web 6 _web._tcp.service.consul resolvers consul", "stats socket ipv4@0.0.0.0:9999 level admin",
                "retries 0", "backend app");
        // "consul" resolves only on the compose network and HAProxy resolves nameservers while parsing: check a copy
        // that names loopback instead; everything else is the file as shipped.
        Path copy = Files.writeString(Files.createTempFile(tmp, "haproxy", ".cfg"),
                config.replace("nameserver consul consul:8600", "nameserver consul 127.0.0.1:8600"));
        Run check = Run.of(repo, haproxy.toString(), "-c", "-f", copy.toString());
        assertThat(check.exit()).as(check.describe()).isZero();
        assertThat(check.stdout() + check.stderr()).contains("Configuration file is valid").doesNotContain("WARNING");
    }

    @Test
    void rolloutPlanBuiltForTheComposeFleetValidatesAndNamesItsServices() throws Exception {
        String template = Files.readString(repo.resolve("docker/rollout.yaml.in"));
        assertThat(template).contains("@SHA256@", "http://artifacts:8080/", "http://consul:8500", "tcp:haproxy:9999",
                "backend: app", "service: web");
        Path plan = Files.writeString(Files.createTempFile(tmp, "rollout-2.0.0", ".yaml"),
                template.replace("@SHA256@", "0".repeat(64)));
        Distribution dist = Distribution.get();
        Run validate = Run.of(dist.root, "bin/baton", "validate", plan.toString());
        assertThat(validate.exit()).as(validate.describe()).isZero();
        assertThat(validate.stdout()).contains("ok (web -> 2.0.0");
        // What the Dockerfile's releases stage builds and the host stage installs.
        String dockerfile = Files.readString(repo.resolve("docker/Dockerfile"));
        assertThat(dockerfile).contains("./build.sh 1.0.0 /releases", "./build.sh 2.0.0 /releases",
                "ln -s releases/1.0.0 /var/lib/baton-agent/current");
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isTextual() ? n.asText() : n.path(field).asText()));
        return out;
    }
}
