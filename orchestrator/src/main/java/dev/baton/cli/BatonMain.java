package dev.baton.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code baton}: the command line. Exit codes: 0 success, 1 the rollout ended other than SUCCEEDED, 2 bad plan
 * or usage, or a server that cannot be reached or refuses the request.
 */
@Command(name = "baton", mixinStandardHelpOptions = true, version = "baton 0.1.0",
        description = "Rolling deploys that take each instance out of Consul, drain it, restart it and put it back.",
        subcommands = {ApplyCommand.class, PlanCommand.class, ServerCommand.class, StatusCommand.class, LogsCommand.class,
                RecoverCommand.class, ValidateCommand.class, CompletionCommand.class, CaCommand.class,
                ScheduleCommand.class, AgentCommand.class})
public final class BatonMain implements Runnable {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    public static void main(String[] args) {
        int code = run(args);
        if (shuttingDown()) {
            // A signal stopped us and a shutdown hook waited for the rollout to put its hosts back:
            // System.exit would now wait for that hook forever.
            Runtime.getRuntime().halt(code);
        }
        System.exit(code);
    }

    private static boolean shuttingDown() {
        try {
            Thread probe = new Thread(() -> { });
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new BatonMain());
        for (String action : ControlCommand.ACTIONS) {
            CommandLine control = new CommandLine(new ControlCommand(action));
            control.getCommandSpec().usageMessage().description(ControlCommand.describe(action));
            cli.addSubcommand(action, control);
        }
        withHelp(cli);
        cli.setParameterExceptionHandler((e, a) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            System.err.println("baton: " + e.getMessage() + " (see " + command + " --help)");
            return USAGE;
        });
        cli.setExecutionExceptionHandler((e, cmd, result) -> {
            if (e instanceof UserError) {
                System.err.println("baton: " + Printable.escape(e.getMessage()));
                return USAGE;
            }
            throw e;
        });
        return cli.execute(args);
    }

    private static void withHelp(CommandLine command) {
        for (CommandLine sub : command.getSubcommands().values()) {
            sub.getCommandSpec().mixinStandardHelpOptions(true);
            withHelp(sub);
        }
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
