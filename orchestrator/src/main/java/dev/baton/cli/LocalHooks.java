package dev.baton.cli;

import dev.baton.hooks.DeployHooks;
import dev.baton.hooks.HooksFile;

import java.nio.file.Path;

/** {@code --hooks-file} of the server and of a local apply: none given, no deploy hooks. */
final class LocalHooks {
    private LocalHooks() {
    }

    static DeployHooks load(Path file) {
        if (file == null) return DeployHooks.none();
        try {
            return HooksFile.load(file);
        } catch (HooksFile.Invalid e) {
            throw new BatonMain.UserError(e.getMessage());
        }
    }
}
