package dev.baton.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

/** Runs the command line in this JVM and captures what it prints, for tests of any package. */
public final class BatonCli {
    private BatonCli() {
    }

    public record Run(int code, String out, String err) {
    }

    public static synchronized Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true));
        System.setErr(new PrintStream(e, true));
        try {
            return new Run(BatonMain.run(args), o.toString(), e.toString());
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
