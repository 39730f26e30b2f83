package dev.baton.hooks;

import dev.baton.rollout.HookResult;
import dev.baton.store.Redactor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HooksFileTest {
    @Test
    void readsNamedHooksWithTheirProgramArgumentsAndTimeout() throws Exception {
        DeployHooks hooks = HooksFile.parse("hooks.yaml", """
                notify-start:
                  command: [/usr/local/bin/notify, --stage, start]
                  timeout: 1m
                smoke: { command: [/bin/true] }
                """);
        assertThat(hooks.size()).isEqualTo(2);
        assertThat(hooks.get("notify-start")).contains(new NamedHook("notify-start", List.of("/usr/local/bin/notify", "--stage", "start"), Duration.ofMinutes(1)));
        assertThat(hooks.get("smoke").orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(HooksFile.parse("empty.yaml", "").size()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "x: { command: \"rm -rf /\" } | h.yaml: x: command is a list: the program, then its arguments (no shell), e.g. [/usr/local/bin/notify, start]",
            "x: { command: [notify, start] } | h.yaml: x: command: the program is an absolute path (the hook runs with a minimal PATH), not \"notify\"",
            "x: { command: [] } | h.yaml: x: command is a list: the program, then its arguments (no shell), e.g. [/usr/local/bin/notify, start]",
            "x: { command: [/bin/true], timeout: forever } | h.yaml: x: timeout: \"forever\" is not a duration (write e.g. 500ms, 30s, 2m, 1h)",
            "x: { command: [/bin/true], timeout: 2h } | h.yaml: x: timeout: between 1ms and 1h",
            "x: { command: [/bin/true], shell: true } | h.yaml: x: unknown field \"shell\" (command, timeout)",
            "\"bad name\": { command: [/bin/true] } | h.yaml: hook name \"bad name\": letters, digits and . _ - (at most 64)",
            "x: { command: [/bin/true, [nested]] } | h.yaml: x: command: every argument is a string",
            "[a, b] | h.yaml: expected a mapping of hook name to { command: [program, args...], timeout }",
            "x: \"/bin/true\" | h.yaml: x: expected { command: [program, args...], timeout: 30s }",
    })
    void refusesAFileTheServerCannotRunHooksFromWithOneLine(String text, String error) {
        assertThatThrownBy(() -> HooksFile.parse("h.yaml", text)).isInstanceOf(HooksFile.Invalid.class).hasMessage(error);
    }

    @Test
    void aHookRunsItsProgramWithoutAShellWithAMinimalEnvironmentAndItsOutputRedacted() throws Exception {
        DeployHooks hooks = HooksFile.parse("h.yaml", """
                env: { command: [/usr/bin/env] }
                literal: { command: [/bin/echo, "$HOME; echo secret-token-value-42 `id`"] }
                slow: { command: [/bin/sleep, "5"], timeout: 200ms }
                """);
        CommandHookRunner runner = new CommandHookRunner(hooks, new Redactor(List.of("secret-token-value-42")));
        HookResult env = runner.run("beforeDeploy", "env", Map.of("BATON_SERVICE", "web", "BATON_AGENT_TOKEN", "x", "HOME", "/root"));
        assertThat(env.ok()).isTrue();
        assertThat(env.output().lines().sorted().toList()).containsExactly("BATON_SERVICE=web", "LANG=C.UTF-8",
                "PATH=/usr/local/bin:/usr/bin:/bin");
        HookResult literal = runner.run("beforeDeploy", "literal", Map.of());
        assertThat(literal.output().strip()).isEqualTo("$HOME; echo [redacted] `id`");
        HookResult slow = runner.run("afterDeploy", "slow", Map.of());
        assertThat(slow.timedOut()).isTrue();
        assertThat(slow.took()).isLessThan(Duration.ofSeconds(4));
        HookResult unknown = runner.run("afterDeploy", "nope", Map.of());
        assertThat(unknown.ok()).isFalse();
        assertThat(unknown.output()).isEqualTo("no hook named nope is defined on this orchestrator");
    }
}
