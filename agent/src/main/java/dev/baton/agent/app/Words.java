package dev.baton.agent.app;

import java.util.ArrayList;
import java.util.List;

/** Splits an operator's command line into argv: whitespace separates words, double quotes group them. No shell. */
public final class Words {

    private Words() {
    }

    /** @throws IllegalArgumentException on an unterminated double quote */
    public static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean quoted = false;
        for (char c : line.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                inWord = true;
            } else if (Character.isWhitespace(c) && !quoted) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated double quote in '" + line + "'");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
