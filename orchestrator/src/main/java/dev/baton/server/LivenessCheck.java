package dev.baton.server;

import dev.baton.store.ConsulKv;
import dev.baton.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This server as a Consul service {@code baton-server} with an HTTP check on its own {@code /alive}, run by the agent
 * every second: the server's sessions are bound to the check, so Consul invalidates them (and frees the leader key and
 * the service locks, after the lock delay) about two seconds after the process died or stopped answering, instead of
 * after up to twice the session TTL. See {@link dev.baton.store.LockTiming} for why that stays safe.
 */
public final class LivenessCheck {
    public static final String SERVICE = "baton-server";
    public static final String PATH = "/alive";
    static final Duration INTERVAL = Duration.ofSeconds(1);
    static final Duration TIMEOUT = Duration.ofSeconds(2);
    /**
     * A dead process refuses at once, so two refusals in a row cost ~2 s; a live server that misses one answer under
     * load (400 watchers connecting while every host prepares) keeps its sessions instead of handing its rollouts over.
     */
    static final int FAILURES_BEFORE_CRITICAL = 2;
    /** Consul's minimum: a crashed server's registration is cleaned up a minute after its check went critical. */
    static final Duration DEREGISTER_AFTER = Duration.ofMinutes(1);
    private static final Logger LOG = LoggerFactory.getLogger(LivenessCheck.class);

    private final ConsulKv kv;
    private final String serviceId;
    private volatile boolean registered;

    public LivenessCheck(ConsulKv kv, String serverId) {
        this.kv = kv;
        this.serviceId = SERVICE + "-" + serverId.replaceAll("[^A-Za-z0-9-]", "-");
    }

    /** The check's ID once registered (sessions created before are bound to the node and their TTL only). */
    public List<String> checks() {
        return registered ? List.of(checkId()) : List.of();
    }

    /** Registers the service and its check, passing from the start (a session cannot be bound to a critical check). */
    public void register(String scheme, String host, int port) {
        Map<String, Object> check = new LinkedHashMap<>();
        check.put("CheckID", checkId());
        check.put("Name", "baton server answers " + PATH);
        check.put("HTTP", scheme + "://" + checkedHost(host) + ":" + port + PATH);
        check.put("TLSSkipVerify", true); // liveness only: nothing secret crosses, and the server's CA is not the agent's
        check.put("Interval", INTERVAL.toSeconds() + "s");
        check.put("Timeout", TIMEOUT.toSeconds() + "s");
        check.put("FailuresBeforeCritical", FAILURES_BEFORE_CRITICAL);
        check.put("Status", "passing");
        check.put("DeregisterCriticalServiceAfter", DEREGISTER_AFTER.toSeconds() + "s");
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("ID", serviceId);
        service.put("Name", SERVICE);
        service.put("Address", checkedHost(host));
        service.put("Port", port);
        service.put("Check", check);
        kv.registerService(service);
        registered = true;
    }

    /** Deregisters (invalidating any session still bound to the check); never throws. */
    public void deregister() {
        if (!registered) return;
        registered = false;
        try {
            kv.deregisterService(serviceId);
        } catch (StoreException e) {
            LOG.warn("cannot deregister {} from Consul (it goes a minute after its check fails): {}", serviceId, e.getMessage());
        }
    }

    private String checkId() {
        return serviceId + "-alive";
    }

    private static String checkedHost(String host) {
        return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    }
}
