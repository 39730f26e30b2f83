package dev.baton.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code baton completion}: a bash/zsh completion script for every command and option, generated from the CLI itself. */
@Command(name = "completion", description = "Print a bash (and zsh) completion script: source <(baton completion)")
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        System.out.print(AutoComplete.bash("baton", spec.root().commandLine()));
        return BatonMain.OK;
    }
}
