package dev.baton.agent.hook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The unprivileged user hooks run as, resolved once when the agent starts; hooks are started through setpriv. */
public record HookUser(String name, long uid, long gid, String home, String setpriv) {

    private static final List<String> SETPRIV_LOCATIONS = List.of("/usr/bin/setpriv", "/bin/setpriv");

    /** @throws IllegalArgumentException with a one-line reason when the user cannot be used */
    public static HookUser lookup(String name) {
        String setpriv = SETPRIV_LOCATIONS.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "--hook-user needs setpriv (Debian package util-linux), which is not installed"));
        if (currentUid() != 0) {
            throw new IllegalArgumentException("--hook-user needs the agent to run as root, to switch users");
        }
        String entry = getent(name);
        String[] fields = entry.split(":", -1);
        if (fields.length < 7) {
            throw new IllegalArgumentException("hook user '" + name + "' does not exist");
        }
        long uid = Long.parseLong(fields[2]);
        long gid = Long.parseLong(fields[3]);
        if (uid == 0 || gid == 0) {
            throw new IllegalArgumentException("hook user '" + name + "' is root; name an unprivileged user");
        }
        return new HookUser(name, uid, gid, fields[5].isEmpty() ? "/" : fields[5], setpriv);
    }

    /** The argv prefix that runs the rest as this user, without any capability and unable to gain privileges. */
    List<String> wrap(List<String> argv) {
        List<String> wrapped = new java.util.ArrayList<>(List.of(setpriv, "--reuid=" + uid, "--regid=" + gid,
                "--init-groups", "--inh-caps=-all", "--no-new-privs", "--"));
        wrapped.addAll(argv);
        return wrapped;
    }

    private static String getent(String name) {
        try {
            Process getent = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true).start();
            String out = new String(getent.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
            if (!getent.waitFor(5, TimeUnit.SECONDS)) {
                getent.destroyForcibly();
                throw new IllegalArgumentException("cannot look up hook user '" + name + "': getent did not answer");
            }
            if (getent.exitValue() != 0 || out.isEmpty()) {
                throw new IllegalArgumentException("hook user '" + name + "' does not exist");
            }
            return out.lines().findFirst().orElse("");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot look up hook user '" + name + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("cannot look up hook user '" + name + "': interrupted");
        }
    }

    private static long currentUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Unknown: treated as unprivileged below.
        }
        return -1;
    }
}
