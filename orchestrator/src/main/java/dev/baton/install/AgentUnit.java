package dev.baton.install;

/**
 * The systemd side of an install: the distribution's {@code baton-agent.service} as it is, plus a drop-in that
 * starts the agent with the installed flags ({@code @agent.args}) from {@code prefix/current}. The unit stays the
 * packaged one, so its sandbox and comments are what the distribution tested.
 */
final class AgentUnit {
    static final String DROP_IN = "baton-install.conf";
    private static final String PACKAGED_HOME = "/var/lib/baton-agent";

    private AgentUnit() {
    }

    static String unitPath(InstallSpec spec) {
        return spec.unitDir() + "/" + InstallSpec.UNIT;
    }

    static String dropInPath(InstallSpec spec) {
        return spec.unitDir() + "/" + InstallSpec.UNIT + ".d/" + DROP_IN;
    }

    /** The drop-in: the packaged ExecStart= and EnvironmentFile= replaced, the user and home when not the packaged ones. */
    static String dropIn(InstallSpec spec, String serviceUser) {
        StringBuilder text = new StringBuilder("""
                # Written by "baton agent install"; the next install replaces it. The agent's flags are in %s,
                # its token in %s (both 0600, owned by the agent's user).
                [Service]
                EnvironmentFile=
                ExecStart=
                ExecStart=%s
                """.formatted(spec.argsFile(), spec.tokenFile(), spec.agentCommand()));
        if (!serviceUser.equals(InstallSpec.DEFAULT_SERVICE_USER)) {
            text.append("User=").append(serviceUser).append('\n').append("Group=").append(serviceUser).append('\n');
        }
        if (!spec.agentHome().equals(PACKAGED_HOME)) {
            text.append("ReadWritePaths=").append(spec.agentHome()).append('\n');
        }
        return text.toString();
    }
}
