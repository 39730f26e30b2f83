package dev.baton.wire;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ExcerptAndBoundsTest {
    @Test
    void untrustedTextBecomesOneQuotedEscapedBoundedLine() {
        assertThat(Excerpt.quoted("a\"b\\c\nd\u001b[2J\u202e")).isEqualTo("\"a\\\"b\\\\c\\nd\\u001b[2J\\u202e\"");
        assertThat(Excerpt.quoted(null)).isEqualTo("<nothing>");
        assertThat(Excerpt.quoted("x".repeat(500))).isEqualTo("\"" + "x".repeat(200) + "\"... (500 chars)");
        assertThat(Excerpt.firstLine("\n  Can't find backend.  \nmore\n")).isEqualTo("\"Can't find backend.\"");
    }

    @Test
    void aZeroOrNegativeBoundIsNeverHandedOnAsUnbounded() {
        assertThat(Bounds.finite(Duration.ZERO)).isEqualTo(Duration.ofMillis(1));
        assertThat(Bounds.finite(Duration.ofSeconds(-3))).isEqualTo(Duration.ofMillis(1));
        assertThat(Bounds.finite(Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    }
}
