package dev.baton.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code baton}: the command line. Exit codes: 0 success, 1 the rollout failed, 2 bad plan or usage. */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = "Rolling deploys that take each instance out of Consul, drain it, restart it and put it back.",
        subcommands = {ApplyCommand.class})
public final class BatonMain implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new BatonMain());
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("baton: " + e.getMessage() + " (see baton --help)");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, result) -> {
            if (e instanceof UserError) {
                System.err.println("baton: " + e.getMessage());
                return USAGE;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing command: try baton apply PLAN");
    }

    /** Something the user can fix: reported as one line with exit code 2. */
    static final class UserError extends RuntimeException {
        UserError(String message) {
            super(message);
        }
    }
}
