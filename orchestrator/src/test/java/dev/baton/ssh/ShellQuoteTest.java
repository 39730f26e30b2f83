package dev.baton.ssh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Quoted values survive a real POSIX shell byte for byte, and run nothing. */
class ShellQuoteTest {
    @TempDir
    Path dir;

    @Test
    void wrapsInSingleQuotesAndEscapesOnlyTheQuote() {
        assertThat(ShellQuote.quote("abc")).isEqualTo("'abc'");
        assertThat(ShellQuote.quote("")).isEqualTo("''");
        assertThat(ShellQuote.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellQuote.quote("$HOME")).isEqualTo("'$HOME'");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "plain", "", " leading and trailing ", "1.0'; touch PWNED; echo '", "'", "''", "'\\''", "\\", "\\'",
            "$(touch PWNED)", "`touch PWNED`", "${IFS}touch${IFS}PWNED", "a\nb\n", "line\n; touch PWNED\n", "*", "?",
            "~", "a b\tc", "\"double\" quoted", "!event", "&& touch PWNED", "| touch PWNED", "> PWNED", "< /etc/passwd",
            "-n", "--", "unicode ünïcødé ✓", "#comment", "x;touch PWNED", "\r\n", "%s%n"})
    void survivesShByteForByteAndRunsNothing(String value) throws Exception {
        String printed = sh("printf '%s' " + ShellQuote.quote(value));
        assertThat(printed).isEqualTo(value);
        assertThat(dir.resolve("PWNED")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0'; touch PWNED; echo '", "$(touch PWNED)", "`touch PWNED`", "x\n touch PWNED"})
    void survivesAsAScriptVariableThroughShDashC(String value) throws Exception {
        RemoteScript script = RemoteScript.of("printf '%s' \"$v\"").with("v", value).export("E", value);
        // the command line is parsed once by the login shell, then the script by sh -c: two layers, both quoted
        assertThat(sh(script.command())).isEqualTo(value);
        assertThat(sh(RemoteScript.of("printf '%s' \"$E\"").export("E", value).command())).isEqualTo(value);
        assertThat(dir.resolve("PWNED")).doesNotExist();
    }

    @Test
    void refusesNul() {
        assertThatThrownBy(() -> ShellQuote.quote("a\0b")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> RemoteScript.of("true").with("v", "x\0; reboot").command()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesVariableNamesThatAreNotIdentifiers() {
        assertThatThrownBy(() -> ShellQuote.assignment("a;b", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ShellQuote.assignment("1a", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ShellQuote.assignment("BATON_HOST", "h'")).isEqualTo("BATON_HOST='h'\\'''");
    }

    private String sh(String command) throws Exception {
        Process process = new ProcessBuilder("sh", "-c", command).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(new String(out, StandardCharsets.UTF_8)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}
