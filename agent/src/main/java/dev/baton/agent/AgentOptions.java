package dev.baton.agent;

import dev.baton.agent.app.ProcessControlConfig;
import dev.baton.tls.TlsContexts;

import java.nio.file.Path;
import java.util.Map;

/**
 * What the operator allows this agent to do beyond restarting its app; everything is off or tight by default.
 *
 * @param allowHooks         whether {@code POST /v1/hooks} runs commands at all
 * @param hookUser           the unprivileged user hooks run as, or null for the agent's own user
 * @param artifactDir        the directory {@code file:} artifact URLs may name, or null to refuse them
 * @param crossHostRedirects whether an artifact download may follow a redirect to another host
 * @param keepReleases       how many releases to keep after a successful restart (current and previous always stay)
 * @param appEnv             variables the app gets besides PATH, HOME, LANG and PIDFILE
 * @param tls                mutual TLS for the API (this agent's certificate, the operator's CA), or null for plain HTTP
 * @param processControl     who runs the app: the agent itself (default), systemd or the operator's supervisor commands
 */
public record AgentOptions(boolean allowHooks, String hookUser, Path artifactDir, boolean crossHostRedirects,
                           int keepReleases, Map<String, String> appEnv, TlsContexts tls,
                           ProcessControlConfig processControl) {

    public static final int DEFAULT_KEEP_RELEASES = 3;
    private static final int MAX_KEEP_RELEASES = 1000;

    public AgentOptions {
        if (hookUser != null && !hookUser.matches("[a-z_][a-z0-9_-]{0,31}\\$?")) {
            throw new IllegalArgumentException("--hook-user '" + hookUser + "' is not a valid user name");
        }
        if (hookUser != null && !allowHooks) {
            throw new IllegalArgumentException("--hook-user needs --allow-hooks");
        }
        if (keepReleases < 2 || keepReleases > MAX_KEEP_RELEASES) {
            throw new IllegalArgumentException("--keep-releases must be between 2 and " + MAX_KEEP_RELEASES
                    + " (the current and the previous release always stay), got " + keepReleases);
        }
        processControl = processControl == null ? ProcessControlConfig.defaults() : processControl;
        artifactDir = artifactDir == null ? null : artifactDir.toAbsolutePath().normalize();
        appEnv = Map.copyOf(appEnv);
        appEnv.forEach((name, value) -> {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]{0,127}") || value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("--app-env '" + name + "' is not a valid variable");
            }
        });
    }

    public AgentOptions(boolean allowHooks, String hookUser, Path artifactDir, boolean crossHostRedirects,
                        int keepReleases, Map<String, String> appEnv, TlsContexts tls) {
        this(allowHooks, hookUser, artifactDir, crossHostRedirects, keepReleases, appEnv, tls, null);
    }

    public AgentOptions(boolean allowHooks, String hookUser, Path artifactDir, boolean crossHostRedirects,
                        int keepReleases, Map<String, String> appEnv) {
        this(allowHooks, hookUser, artifactDir, crossHostRedirects, keepReleases, appEnv, null);
    }

    public AgentOptions(boolean allowHooks, String hookUser, Path artifactDir, boolean crossHostRedirects,
                        int keepReleases) {
        this(allowHooks, hookUser, artifactDir, crossHostRedirects, keepReleases, Map.of());
    }

    public AgentOptions withTls(TlsContexts contexts) {
        return new AgentOptions(allowHooks, hookUser, artifactDir, crossHostRedirects, keepReleases, appEnv, contexts, processControl);
    }

    public AgentOptions withProcessControl(ProcessControlConfig config) {
        return new AgentOptions(allowHooks, hookUser, artifactDir, crossHostRedirects, keepReleases, appEnv, tls, config);
    }

    public static AgentOptions defaults() {
        return new AgentOptions(false, null, null, false, DEFAULT_KEEP_RELEASES);
    }

    public AgentOptions withHooks(String user) {
        return new AgentOptions(true, user, artifactDir, crossHostRedirects, keepReleases, appEnv, tls, processControl);
    }

    public AgentOptions withArtifactDir(Path dir) {
        return new AgentOptions(allowHooks, hookUser, dir, crossHostRedirects, keepReleases, appEnv, tls, processControl);
    }

    public AgentOptions withAppEnv(Map<String, String> env) {
        return new AgentOptions(allowHooks, hookUser, artifactDir, crossHostRedirects, keepReleases, env, tls, processControl);
    }

    public AgentOptions withKeepReleases(int keep) {
        return new AgentOptions(allowHooks, hookUser, artifactDir, crossHostRedirects, keep, appEnv, tls, processControl);
    }

    /** Names the app's variables but not their values, which may be secrets meant for the app. */
    @Override
    public String toString() {
        return "AgentOptions[allowHooks=" + allowHooks + ", hookUser=" + hookUser + ", artifactDir=" + artifactDir
                + ", crossHostRedirects=" + crossHostRedirects + ", keepReleases=" + keepReleases + ", appEnv="
                + new java.util.TreeSet<>(appEnv.keySet()) + ", processControl=" + processControl + "]";
    }
}
