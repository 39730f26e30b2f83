package dev.baton.notify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhooksFileTest {
    private static final Map<String, String> ENV = Map.of("HOOK_SECRET", "env-secret-value");

    @TempDir
    Path dir;

    @Test
    void readsEveryFieldWithSecretsFromTheEnvironmentAndAFile() throws Exception {
        Path secret = Files.writeString(dir.resolve("slack-url"), "https://hooks.slack.com/services/T0/B0/xyz\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        List<Webhook> webhooks = parse("""
                webhooks:
                  - name: deploys
                    url: https://deploys.internal/baton
                    secret: { env: HOOK_SECRET }
                    events: [started, succeeded, failed, rolled-back]
                    services: [web]
                    retry: { attempts: 4, backoff: 200ms, maxBackoff: 10s }
                    timeout: 5s
                  - name: chat
                    url: { file: %s }
                    format: slack
                """.formatted(secret));
        Webhook deploys = webhooks.get(0);
        assertThat(new String(deploys.secret())).isEqualTo("env-secret-value");
        assertThat(deploys.events()).containsExactlyInAnyOrder(WebhookKind.STARTED, WebhookKind.SUCCEEDED, WebhookKind.FAILED,
                WebhookKind.ROLLED_BACK);
        assertThat(deploys.wants(WebhookKind.SUCCEEDED, "web")).isTrue();
        assertThat(deploys.wants(WebhookKind.SUCCEEDED, "api")).isFalse();
        assertThat(deploys.wants(WebhookKind.PAUSED, "web")).isFalse();
        assertThat(deploys.retry()).isEqualTo(new Webhook.Retry(4, Duration.ofMillis(200), Duration.ofSeconds(10)));
        assertThat(deploys.timeout()).isEqualTo(Duration.ofSeconds(5));
        Webhook chat = webhooks.get(1);
        assertThat(chat.format()).isEqualTo(Webhook.Format.SLACK);
        assertThat(chat.events()).isEqualTo(Set.of(WebhookKind.values()));
        assertThat(chat.services()).isEmpty();
        assertThat(chat.wants(WebhookKind.BATCH_DONE, "anything")).isTrue();
        // what logs show of it: no path, so no Slack secret
        assertThat(chat.toString()).contains("chat (https://hooks.slack.com/…)").doesNotContain("/services").doesNotContain("xyz");
        assertThat(deploys.toString()).doesNotContain("env-secret-value");
    }

    @Test
    void refusesASecretWrittenInTheFile() {
        assertInvalid("webhooks:\n  - { name: d, url: \"http://127.0.0.1/\", secret: hunter2 }",
                "test: webhooks d.secret: write { env: NAME } or { file: /path/mode-600 }, never the secret itself");
    }

    @Test
    void refusesASecretFileOthersCanRead() throws Exception {
        Path secret = Files.writeString(dir.resolve("secret"), "abc");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-r--r--"));
        assertInvalid("webhooks:\n  - { name: d, url: \"http://127.0.0.1/\", secret: { file: " + secret + " } }",
                "is readable by every user of this machine: chmod o-r it (600)");
    }

    @Test
    void refusesMistakesWithOneLineNamingTheWebhook() {
        assertInvalid("webhooks:\n  - { name: d, url: \"http://127.0.0.1/\" }", "webhooks d.secret: a json webhook is signed");
        assertInvalid("webhooks:\n  - { name: d, url: \"http://127.0.0.1/\", format: slack, events: [started, deployed] }",
                "webhooks d.events: unknown event \"deployed\" (known: started, canary-waiting, batch-done, paused, succeeded, failed, rolled-back, aborted)");
        assertInvalid("webhooks:\n  - { name: d, url: \"ftp://x/\", format: slack }", "webhooks d.url: not an http(s) URL");
        assertInvalid("webhooks:\n  - { name: d, url: \"http://x/\", format: xml }", "webhooks d.format: expected json or slack");
        assertInvalid("webhooks:\n  - { name: d, url: \"http://x/\", format: slack, retry: { attempts: 50 } }", "d.retry.attempts: expected 1 to 20");
        assertInvalid("webhooks:\n  - { name: d, url: \"http://x/\", format: slack, timeout: 10x }", "d.timeout: \"10x\" is not a duration");
        assertInvalid("webhooks:\n  - { name: d, url: \"http://x/\", format: slack, secret: { env: NOPE } }",
                "d.secret: the environment variable NOPE is not set");
        assertInvalid("webhooks:\n  - { name: d, url: \"http://x/\", format: slack, headers: {} }", "d: unknown key headers");
        assertInvalid("webhooks:\n  - { name: d, url: \"http://x/\", format: slack }\n  - { name: d, url: \"http://y/\", format: slack }",
                "two webhooks are named d");
        assertInvalid("hooks: []", "expected one key, webhooks");
    }

    @Test
    void refusesAWebhooksFileEveryoneCanWrite() throws Exception {
        Path file = Files.writeString(dir.resolve("webhooks.yaml"), "webhooks: []\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> WebhooksFile.load(file, ENV::get)).isInstanceOf(WebhooksFile.Invalid.class)
                .hasMessage(file + ": the webhooks file is writable by every user of this machine, who could then send "
                        + "rollout news anywhere: chmod o-w it");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(WebhooksFile.load(file, ENV::get)).isEmpty();
    }

    @Test
    void anEmptyFileHasNoWebhooks() throws Exception {
        assertThat(parse("")).isEmpty();
    }

    private static List<Webhook> parse(String yaml) throws WebhooksFile.Invalid {
        return WebhooksFile.parse("test", yaml, ENV::get);
    }

    private static void assertInvalid(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(WebhooksFile.Invalid.class).hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
