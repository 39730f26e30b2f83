package dev.baton.cli;

import dev.baton.plan.Plan;
import dev.baton.plan.PlanException;
import dev.baton.plan.PlanLoader;
import dev.baton.rollout.HostState;
import dev.baton.rollout.Registration;
import dev.baton.rollout.Resume;
import dev.baton.rollout.RolloutEngine;
import dev.baton.store.ConsulKv;
import dev.baton.store.KvJournal;
import dev.baton.store.LockHolder;
import dev.baton.store.RolloutRecord;
import dev.baton.store.RolloutStore;
import dev.baton.store.ServiceLock;
import dev.baton.store.LockTiming;
import dev.baton.store.ServiceLocks;
import dev.baton.store.StoreException;
import dev.baton.wiring.Adapters;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * {@code baton recover ID}: the hosts an ended rollout left out of rotation (parked, or out when every attempt to
 * put them back failed) are put back if healthy, otherwise parked again with the reason, from the registrations
 * the rollout journaled in Consul KV. Runs under the service's lock, so never beside a rollout of the service.
 */
@Command(name = "recover", description = "Put back the hosts an ended rollout left out of rotation (parked), from its journal in Consul.")
final class RecoverCommand implements Callable<Integer> {
    private static final Duration LOCK_TTL = Duration.ofSeconds(15);

    @Parameters(paramLabel = "ID", description = "the rollout id, like r-20261122-0001")
    String id;

    @Option(names = "--host", paramLabel = "INSTANCE", description = "only this instance (repeatable); default: every one left out")
    List<String> only = new ArrayList<>();

    @Option(names = "--consul", paramLabel = "URL", description = "Consul HTTP address; default: $CONSUL_HTTP_ADDR, then http://127.0.0.1:8500")
    String consulFlag;

    @Override
    public Integer call() {
        if (!id.matches("r-[0-9]{8}-[0-9]{4,9}")) throw new BatonMain.UserError("\"" + id + "\" is not a rollout id (like r-20261122-0001)");
        HttpUrl consul = ConsulAddress.resolve(consulFlag);
        String consulToken = System.getenv("CONSUL_HTTP_TOKEN");
        RolloutStore store = new RolloutStore(new ConsulKv(new OkHttpClient(), consul, consulToken));
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "baton-recover-lock");
            t.setDaemon(true);
            return t;
        });
        try {
            RolloutRecord record = store.record(id).orElseThrow(() -> new BatonMain.UserError("no rollout " + id + " in Consul at " + consul));
            if (!record.status().isFinal()) {
                throw new BatonMain.UserError(id + " is " + record.status() + ": its server puts its hosts back; recover is for ended rollouts");
            }
            Plan plan = plan(store);
            List<Registration> leftOut = leftOut(store, store.resume(id));
            if (leftOut.isEmpty()) {
                System.out.println("nothing to recover: no host of " + id + (only.isEmpty() ? "" : " among " + String.join(", ", only))
                        + " is out of rotation");
                return BatonMain.OK;
            }
            ServiceLocks locks = new ServiceLocks(new ConsulKv(new OkHttpClient(), consul, consulToken), scheduler, LockTiming.unchecked(LOCK_TTL));
            ServiceLock lock = locks.tryAcquire(record.service(), new LockHolder(id, "baton recover"))
                    .orElseThrow(() -> new BatonMain.UserError("service " + record.service() + " is being rolled out by "
                            + locks.holder(record.service()).map(LockHolder::rollout).orElse("another rollout") + "; try again when it ends"));
            try {
                RolloutEngine engine = new RolloutEngine(Adapters.forPlan(plan, consul, consulToken, "", new ConsoleEvents(System.out)));
                Map<String, HostState> ended = engine.recover(plan, store.resume(id).states(), leftOut, new KvJournal(store, id));
                store.flush(); // the host states are journaled in batches: stored before this process ends
                ended.forEach((host, state) -> System.out.println(host + ": " + state));
                return ended.values().stream().allMatch(s -> s == HostState.RESTORED) ? BatonMain.OK : BatonMain.FAILED;
            } finally {
                lock.release();
            }
        } catch (StoreException e) {
            throw new BatonMain.UserError("cannot read " + id + " from Consul at " + consul + ": " + e.getMessage());
        } finally {
            scheduler.shutdownNow();
        }
    }

    private Plan plan(RolloutStore store) {
        String text = store.plan(id).orElseThrow(() -> new BatonMain.UserError("rollout " + id + " has no stored plan"));
        try {
            return new PlanLoader().parse(id + "/plan", text);
        } catch (PlanException e) {
            throw new BatonMain.UserError("the stored plan of " + id + " no longer loads: " + e.getMessage());
        }
    }

    /** The journaled registrations of the hosts out of rotation or parked, limited to --host when given. */
    private List<Registration> leftOut(RolloutStore store, Resume journal) {
        for (String host : only) {
            if (!journal.states().containsKey(host)) throw new BatonMain.UserError(id + " never touched " + host);
        }
        List<Registration> out = new ArrayList<>();
        journal.states().forEach((host, state) -> {
            if (state != HostState.PARKED && !state.outOfRotation()) return;
            if (!only.isEmpty() && !only.contains(host)) return;
            Optional<Registration> saved = store.saved(id, host);
            if (saved.isEmpty()) {
                System.err.println("baton: " + host + " is " + state + " but " + id + " journaled no registration for it; left alone");
                return;
            }
            out.add(saved.get());
        });
        return out;
    }
}
