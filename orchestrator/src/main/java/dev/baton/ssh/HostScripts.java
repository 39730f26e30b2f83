package dev.baton.ssh;

/**
 * The POSIX sh scripts Baton runs on an agentless host. Each reads its values only as quoted variables
 * ({@code "$root"}, {@code "$version"}, ...) set in front of it by {@link RemoteScript}; none contains a plan value.
 * Scripts print {@code key value} lines on stdout for Baton and a one-line reason on stderr when they fail.
 */
final class HostScripts {
    private HostScripts() {
    }

    /** Whether any live (not zombie) process is in process group "$1": the app and whatever it spawned. */
    private static final String GROUP_ALIVE = """
            group_alive() {
              for stat in /proc/[0-9]*/stat; do
                s=$(cat "$stat" 2>/dev/null) || continue
                s=${s##*") "}
                set -- $s
                [ "$3" = "$group" ] && [ "$1" != Z ] && return 0
              done
              return 1
            }
            """;

    /** Prints when process "$1" started (clock ticks since boot, /proc/PID/stat field 22): with the pid, its identity. */
    private static final String START_TIME = """
            start_time() {
              s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
              s=${s##*") "}
              set -- $s
              printf '%s\\n' "${20}"
            }
            """;

    /** Runs "$@" bounded by "$limit" seconds where coreutils/busybox timeout exists (Baton bounds the channel anyway). */
    private static final String BOUNDED = """
            bounded() {
              if command -v timeout >/dev/null 2>&1; then timeout -k 5 "$limit" "$@"; else "$@"; fi
            }
            """;

    /** Fetches, verifies and unpacks into releases/$version unless that release is already there. */
    static final String PREPARE = """
            set -eu
            dir="$root/releases/$version"
            if [ -e "$dir" ]; then
              if [ "$(cat "$dir/.baton-sha256" 2>/dev/null || true)" = "$sha" ]; then echo "present"; exit 0; fi
              [ -f "$dir/.baton-sha256" ] || { echo "$dir already exists but Baton did not install it over SSH (no .baton-sha256): remove it or roll a new version" >&2; exit 3; }
              echo "$dir already exists with another artifact (sha256 differs): remove it or roll a new version" >&2
              exit 3
            fi
            mkdir -p "$root/releases"
            tmp=$(mktemp -d "$root/releases/.incoming.XXXXXX")
            trap 'rm -rf "$tmp"' EXIT
            if command -v curl >/dev/null 2>&1; then
              curl -fsSL --max-time "$fetch_s" -o "$tmp/artifact" "$url" 2>"$tmp/err" || { echo "download failed: $(tail -n 1 "$tmp/err")" >&2; exit 4; }
            elif command -v wget >/dev/null 2>&1; then
              wget -q -T "$fetch_s" -O "$tmp/artifact" "$url" 2>"$tmp/err" || { echo "download failed: $(tail -n 1 "$tmp/err")" >&2; exit 4; }
            else
              echo "neither curl nor wget is installed on the host" >&2; exit 5
            fi
            actual=$(sha256sum "$tmp/artifact" | cut -d ' ' -f 1)
            [ "$actual" = "$sha" ] || { echo "sha256 mismatch: the plan says $sha, the download is $actual" >&2; exit 6; }
            mkdir "$tmp/release"
            tar -xzf "$tmp/artifact" -C "$tmp/release" --no-same-owner 2>"$tmp/err" || { echo "cannot unpack the artifact: $(tail -n 1 "$tmp/err")" >&2; exit 7; }
            printf '%s\\n' "$sha" > "$tmp/release/.baton-sha256"
            mv "$tmp/release" "$dir"
            echo "installed"
            """;

    /** Whether releases/$version is there (a rollback target needs no artifact). */
    static final String INSTALLED = """
            [ -d "$root/releases/$version" ] || { echo "release $version is not installed in $root/releases and no artifact was given" >&2; exit 3; }
            echo "present"
            """;

    /** SIGTERM to the app's process group, wait up to $drain_ms, SIGKILL after that. */
    static final String DRAIN_SIGNAL = GROUP_ALIVE + START_TIME + """
            group=$(cat "$root/app.pid" 2>/dev/null || true)
            case "$group" in ''|*[!0-9]*) echo "skipped no app running"; exit 0;; esac
            group_alive || { echo "skipped no app running (pid $group in app.pid is gone)"; exit 0; }
            # after a reboot or pid wrap-around app.pid may name someone else's process: never signal that
            expected=$(cat "$root/app.pid.start" 2>/dev/null || true)
            actual=$(start_time "$group")
            if [ -n "$expected" ] && [ -n "$actual" ] && [ "$expected" != "$actual" ]; then
              echo "app.pid names pid $group, which is not the app Baton started (it started at tick $actual, the app at $expected): check it, then remove $root/app.pid" >&2
              exit 3
            fi
            echo "oldpid $group"
            kill -TERM "-$group" || { echo "cannot signal process group $group" >&2; exit 3; }
            i=0
            n=$((drain_ms / 50 + 1))
            while group_alive; do
              if [ "$i" -ge "$n" ]; then
                kill -KILL "-$group" 2>/dev/null || true
                j=0
                while group_alive; do
                  [ "$j" -lt 100 ] || { echo "pid $group still running 5s after SIGKILL" >&2; exit 3; }
                  sleep 0.05; j=$((j + 1))
                done
                echo "done killed after the drain timeout"
                exit 0
              fi
              sleep 0.05
              i=$((i + 1))
            done
            echo "done exited"
            """;

    /** Points current at releases/$version with one rename (never a moment without current). */
    static final String SWITCH = """
            set -eu
            [ -d "$root/releases/$version" ] || { echo "release $version is not installed in $root/releases" >&2; exit 3; }
            previous=$(readlink "$root/current" 2>/dev/null || true)
            ln -sfn "releases/$version" "$root/.current.baton"
            mv -T "$root/.current.baton" "$root/current"
            echo "previous ${previous##*/}"
            """;

    /** Starts the app detached, in a session and process group of its own, from current; records its pid. */
    static final String START_DETACHED = START_TIME + """
            set -eu
            cd "$root/current"
            setsid sh -c "$start" </dev/null >>"$root/app.log" 2>&1 &
            pid=$!
            start_time "$pid" > "$root/app.pid.start"
            printf '%s\\n' "$pid" > "$root/app.pid"
            echo "newpid $pid"
            """;

    /** Runs a supervisor command (start, stop, pid) bounded by $limit seconds, from root/current. */
    static final String COMMAND = BOUNDED + """
            cd "$root/current" 2>/dev/null || cd "$root" 2>/dev/null || cd /
            bounded sh -c "$command"
            """;

    /** Until $url answers 2xx (curl or wget on the host), the app's group still alive, at most $ready_s seconds. */
    static final String READY = GROUP_ALIVE + """
            end=$(( $(date +%s) + ready_s ))
            while :; do
              if command -v curl >/dev/null 2>&1; then
                curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && { echo "ready"; exit 0; }
              else
                wget -q -T 1 -O /dev/null "$url" 2>/dev/null && { echo "ready"; exit 0; }
              fi
              if [ -n "$group" ] && ! group_alive; then
                echo "app pid $group exited before becoming ready (see $root/app.log)" >&2; exit 3
              fi
              [ "$(date +%s)" -lt "$end" ] || { echo "$url did not answer 2xx within ${ready_s}s" >&2; exit 4; }
              sleep 0.1
            done
            """;

    /** A host hook: the plan's command, in the login directory, bounded by $limit seconds. */
    static final String HOOK = BOUNDED + """
            bounded sh -c "$command" 2>&1
            """;
}
