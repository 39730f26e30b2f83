package dev.baton.plan;

import java.time.Duration;
import java.util.List;

/**
 * A rollout plan, validated: every field has a value (defaults filled in) within its bounds.
 * {@link PlanLoader} is the only way to make one from user input.
 */
public record Plan(
        String service,
        String version,
        Artifact artifact,
        Targets targets,
        String consulAddress,
        AgentAccess agent,
        LoadBalancerAccess loadBalancer,
        Drain drain,
        Restart restart,
        Health health,
        Strategy strategy,
        Hooks hooks,
        Ssh ssh,
        Scheduled schedule,
        Analysis analysis) {

    /** Where the new release comes from; {@code {version}} in the URL is replaced by the plan's version. */
    public record Artifact(String url, String sha256) {
    }

    /** The instances to roll: a Consul service (optionally one tag), or explicit host addresses in order. */
    public record Targets(String consulService, String tag, List<String> hosts) {
        public boolean explicit() {
            return !hosts.isEmpty();
        }
    }

    /**
     * How to reach the agent on each host. The token is the server's (or the local command's) own: a plan never
     * chooses it, and it is only sent to the rollout's target instances on this port.
     */
    public record AgentAccess(String scheme, int port) {
    }

    /**
     * The load balancer's runtime API, for {@code drain.propagation.verify: [loadBalancer]}, the TRAFFIC events (every
     * {@code sampleTraffic}; zero: none) and the analysis gate; null when not configured.
     */
    public record LoadBalancerAccess(String kind, String runtime, String backend, Duration sampleTraffic) {
    }

    /**
     * The analysis gate after the canary batch and after every batch: for {@code window}, every {@code interval},
     * the switched instances' traffic since the gate started is measured against {@code successRate} (a fraction,
     * 0.995) and {@code p99} (null: latency not judged). With {@code compareTo: baseline} a measurement fails only
     * if the switched instances are also worse than the instances still on the previous release (when those served
     * at least minRequests; otherwise the thresholds alone judge). Fewer than {@code minRequests} requests on the
     * switched instances is inconclusive. More than {@code failureLimit} failing measurements, or a failing last one,
     * fails the gate ({@code onFailure}); an inconclusive end applies {@code onInconclusive}. A passing canary
     * analysis promotes by itself with {@code promote: auto}.
     */
    public record Analysis(AnalysisSource source, Duration interval, Duration window, double successRate, Duration p99,
                           CompareTo compareTo, int minRequests, int failureLimit, OnFailure onFailure,
                           OnInconclusive onInconclusive, Promote promote, PrometheusQueries prometheus) {
    }

    public enum AnalysisSource implements Option { LOAD_BALANCER, PROMETHEUS }

    /**
     * {@code source: prometheus}: instant PromQL queries, each answering one sample per instance labelled
     * {@code instance="address:port"} (the instance's address and port in Consul): cumulative {@code requests} and
     * {@code failed} counters, and optionally {@code p99Ms}, a latency in milliseconds (histogram_quantile).
     */
    public record PrometheusQueries(String url, String requests, String failed, String p99Ms) {
    }

    public enum CompareTo implements Option { BASELINE, ABSOLUTE }

    /** Too few requests to judge: wait for an operator (resume accepts), roll back, or go on as if passed. */
    public enum OnInconclusive implements Option { PAUSE, ROLLBACK, CONTINUE }

    /** After a passing canary analysis: wait for an operator's promote (or autoPromoteAfter), or promote at once. */
    public enum Promote implements Option { OPERATOR, AUTO }

    /** How an instance leaves rotation before its restart, and how long a failed host's RESTORE or PARK is retried. */
    public record Drain(DrainMode mode, Duration timeout, Propagation propagation, Duration restoreTimeout) {
        public boolean leavesRotation() {
            return mode != DrainMode.NONE;
        }
    }

    /** A plan option spelled one way in YAML (lowerCamelCase of its name, unless it says otherwise) and held as an enum. */
    public interface Option {
        String name();

        default String yaml() {
            String[] words = name().toLowerCase().split("_");
            StringBuilder camel = new StringBuilder(words[0]);
            for (int i = 1; i < words.length; i++) camel.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
            return camel.toString();
        }
    }

    /**
     * How an instance leaves rotation. MAINTENANCE (the default) keeps the registration in Consul, so nothing is
     * lost; DEREGISTER removes it and registers the saved definition again, which Consul cannot give back whole
     * (check headers, bodies, TLS options, TTLs, DeregisterCriticalServiceAfter, sidecars); NONE stays in rotation.
     */
    public enum DrainMode implements Option { MAINTENANCE, DEREGISTER, NONE }

    /** One way to prove the instance is out: Consul's passing set, the load balancer's table, or no new traffic. */
    public enum PropagationCheck implements Option { CONSUL, LOAD_BALANCER, TRAFFIC }

    public enum RestartStrategy implements Option {
        STOP_START, HANDOFF;

        @Override
        public String yaml() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    public enum OnFailure implements Option { ROLLBACK, PAUSE, ABORT }

    /** A deploy window closing mid-batch: PAUSE stops hosts of the batch from leaving until one opens; FINISH_BATCH ends it. */
    public enum WindowOverrun implements Option { PAUSE, FINISH_BATCH }

    /**
     * When hosts fetch the release. ALL: every host before any leaves rotation (a release that cannot be fetched
     * anywhere changes nothing). AHEAD: every fetch starts at once in schedule order and each batch waits only for its
     * own hosts, so the first batch starts as soon as its hosts are ready; a host that cannot fetch fails before it
     * leaves. Either way no host is out of rotation while its release downloads.
     */
    public enum Prepare implements Option { ALL, AHEAD }

    /**
     * How the engine knows traffic has stopped: each {@code verify} check in order (consul, loadBalancer,
     * traffic), at least {@code minWait}, at most {@code timeout}; or, for comparison, a fixed {@code sleep}.
     */
    public record Propagation(List<PropagationCheck> verify, Duration sleep, Duration minWait, Duration timeout, Duration quietPeriod) {
    }

    public record Restart(RestartStrategy strategy, Duration timeout, RestartVia via) {
        public Restart(RestartStrategy strategy, Duration timeout) {
            this(strategy, timeout, RestartVia.AGENT);
        }
    }

    /** Who restarts the app on a host: the Baton agent, or Baton itself over SSH (hosts without an agent). */
    public enum RestartVia implements Option { AGENT, SSH }

    /** What ssh.unknownHosts does with a host whose key is not in known_hosts. A changed key is always refused. */
    public enum UnknownHosts implements Option {
        REFUSE, ACCEPT_NEW;

        @Override
        public String yaml() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * Agentless hosts ({@code restart.via: ssh}): how to log in and how the app is laid out and run there.
     * Null when the plan goes through agents.
     */
    public record Ssh(String user, int port, String identityFile, String knownHosts, UnknownHosts unknownHosts,
                      SshJump jumpHost, Duration connectTimeout, SshApp app, boolean allowHooks) {
    }

    /** A bastion the SSH connections go through (OpenSSH ProxyJump); its key is checked against the same known_hosts. */
    public record SshJump(String host, int port, String user) {
    }

    /**
     * The app on an agentless host. {@code root} holds {@code releases/<version>/} and the {@code current} symlink
     * ({@code {host}} in it and in {@code readyUrl} becomes the host's address). {@code stop} null means Baton runs
     * {@code start} itself, detached in its own process group (pid in {@code root/app.pid}), and drains by SIGTERM to
     * that group; otherwise {@code stop} and {@code start} are the supervisor's commands (systemctl, sv, supervisorctl)
     * and {@code pid} optionally prints the app's pid. Commands see BATON_SERVICE, BATON_VERSION, BATON_HOST, BATON_ROOT
     * and BATON_RELEASE_DIR in their environment; no plan value is ever spliced into their text.
     */
    public record SshApp(String root, String start, String stop, String pid, String readyUrl) {
        public boolean batonRunsApp() {
            return stop == null;
        }
    }

    /**
     * Health gates of each restarted instance: an HTTP probe ({@code port} 0 means the instance's registered
     * port; {@code bodyContains} null means any body), healthy without a break for {@code minHealthyTime},
     * within {@code deadline}; then, unless {@code consulChecks} is "ignore", Consul must report it passing.
     */
    public record Health(String path, int expectStatus, String bodyContains, int port, Duration tryTimeout, Duration interval,
                         Duration minHealthyTime, Duration deadline, boolean consulChecks) {
    }

    /**
     * How hosts are grouped and what happens on failure. {@code groupByNodeMeta} null keeps the listed order;
     * otherwise batches never mix groups (one zone at a time). {@code autoPromoteAfter} null waits for an
     * operator's promote after the canary. {@code minHealthy} null means "the fleet minus maxUnavailable": by
     * default no more instances are ever out of the passing set than the plan takes out at once.
     */
    public record Strategy(Amount batch, Amount maxUnavailable, Amount minHealthy, Duration capacityWait, int canary,
                           Duration autoPromoteAfter, Duration pauseBetweenBatches, String groupByNodeMeta,
                           OnFailure onFailure, Amount maxFailures, Duration progressDeadline, Duration maxPause,
                           WindowOverrun windowOverrun, Prepare prepare) {
    }

    /**
     * When a scheduled rollout starts (null: as soon as it is submitted): once {@code at} (cancelled unstarted after
     * {@code expires}), or at each time the Quartz {@code cron} expression names in {@code zone}.
     */
    public record Scheduled(java.time.Instant at, java.time.Instant expires, String cron, java.time.ZoneId zone) {
        public boolean once() {
            return at != null;
        }
    }

    /** A host hook: a command run with a timeout by the host's agent. */
    public record Hook(String command, Duration timeout) {
    }

    /**
     * {@code beforeDeploy} and {@code afterDeploy} are names of hooks an admin defined on the orchestrator (its hooks
     * file); a plan cannot bring its own command lines to the orchestrator's machine.
     */
    public record Hooks(List<String> beforeDeploy, List<Hook> beforeHost, List<Hook> afterHost, List<String> afterDeploy) {
        public static Hooks none() {
            return new Hooks(List.of(), List.of(), List.of(), List.of());
        }
    }
}
