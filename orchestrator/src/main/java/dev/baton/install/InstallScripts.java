package dev.baton.install;

/**
 * The POSIX sh scripts {@code baton agent install} runs on a host. Like the agentless mode's scripts they read their
 * values only as quoted variables set in front of them ({@link dev.baton.ssh.RemoteScript}); file contents and the
 * distribution come on standard input, so no secret is ever on the host's command lines.
 */
final class InstallScripts {
    private InstallScripts() {
    }

    /** What is there now: {@code key value} lines, and {@code file SHA256 MODE:OWNER PATH} for each of "$files". */
    static final String FACTS = """
            printf 'user %s\\n' "$(id -un)"
            printf 'login %s\\n' "${SUDO_USER:-$(id -un)}"
            if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then echo "systemd yes"; else echo "systemd no"; fi
            if id "$service_user" >/dev/null 2>&1; then echo "service_user yes"; else echo "service_user no"; fi
            if command -v java >/dev/null 2>&1; then echo "java yes"; else echo "java no"; fi
            printf 'dist %s\\n' "$(cat "$prefix/$version/.baton-dist-sha256" 2>/dev/null || echo -)"
            printf 'current %s\\n' "$(readlink "$prefix/current" 2>/dev/null || echo -)"
            for d in "$config_dir" "$home"; do
              if [ -d "$d" ]; then printf 'dir yes %s\\n' "$d"; else printf 'dir no %s\\n' "$d"; fi
            done
            if [ "$use_systemd" = yes ] && command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
              printf 'enabled %s\\n' "$(systemctl is-enabled "$unit" 2>/dev/null || echo no)"
              printf 'active %s\\n' "$(systemctl is-active "$unit" 2>/dev/null || echo no)"
            fi
            printf '%s\\n' "$files" | while IFS= read -r f; do
              [ -n "$f" ] || continue
              if [ -f "$f" ]; then
                printf 'file %s %s %s\\n' "$(sha256sum < "$f" | cut -c1-64)" "$(stat -c '%a:%U' "$f")" "$f"
              else
                printf 'file - - %s\\n' "$f"
              fi
            done
            """;

    /** Receives the tarball on stdin, checks its sha256, unpacks it into $prefix/$version (replacing another copy). */
    static final String COPY_DIST = """
            set -eu
            mkdir -p "$prefix"
            tmp=$(mktemp -d "$prefix/.incoming.XXXXXX")
            trap 'rm -rf "$tmp"' EXIT
            cat > "$tmp/dist.tar.gz"
            actual=$(sha256sum < "$tmp/dist.tar.gz" | cut -c1-64)
            [ "$actual" = "$sha" ] || { echo "the copy's sha256 is $actual, not $sha: the transfer was damaged" >&2; exit 3; }
            mkdir "$tmp/dist"
            tar -xzf "$tmp/dist.tar.gz" -C "$tmp/dist" --strip-components=1 --no-same-owner 2>"$tmp/err" \\
              || { echo "cannot unpack the distribution: $(tail -n 1 "$tmp/err")" >&2; exit 4; }
            [ -x "$tmp/dist/bin/baton-agent" ] || { echo "the distribution has no bin/baton-agent" >&2; exit 5; }
            printf '%s\\n' "$sha" > "$tmp/dist/.baton-dist-sha256"
            chmod 0755 "$tmp/dist"
            if [ -e "$prefix/$version" ]; then mv "$prefix/$version" "$tmp/replaced"; fi
            mv "$tmp/dist" "$prefix/$version"
            echo "copied"
            """;

    /** Points $prefix/current at $version with one rename. */
    static final String LINK = """
            set -eu
            ln -sfn "$version" "$prefix/.current.baton"
            mv -T "$prefix/.current.baton" "$prefix/current"
            echo "linked"
            """;

    /**
     * Creates $dir (mode $mode) owned by $owner and the primary group of $group_of unless it exists; an existing
     * directory is left as it is. Only root can give it away; anyone else creates it as their own.
     */
    static final String MAKE_DIR = """
            set -eu
            [ -d "$dir" ] && { echo "present"; exit 0; }
            mkdir -p "$dir"
            chmod "$mode" "$dir"
            if [ "$(id -u)" = 0 ]; then chown "$owner:$(id -gn "$group_of")" "$dir"; fi
            echo "created"
            """;

    /** Writes stdin to $path (mode $mode, owned by $owner and its group) through a temporary file and one rename. */
    static final String WRITE_FILE = """
            set -eu
            dir=$(dirname "$path")
            mkdir -p "$dir"
            tmp=$(mktemp "$dir/.baton-install.XXXXXX")
            trap 'rm -f "$tmp"' EXIT
            cat > "$tmp"
            chmod "$mode" "$tmp"
            if [ "$(id -un)" != "$owner" ]; then chown "$owner:" "$tmp"; fi
            mv -f "$tmp" "$path"
            trap - EXIT
            echo "written"
            """;

    /** The service user from the distribution's sysusers file. */
    static final String SYSUSERS = """
            set -eu
            systemd-sysusers "$prefix/$version/systemd/baton.sysusers.conf"
            id "$service_user" >/dev/null 2>&1 || { echo "systemd-sysusers did not create $service_user" >&2; exit 3; }
            echo "created"
            """;

    /** daemon-reload when a unit file changed, enable, then restart after a change or start when not active. */
    static final String SYSTEMD = """
            set -eu
            if [ "$reload" = yes ]; then systemctl daemon-reload; fi
            if [ "$enable" = yes ]; then systemctl enable --quiet "$unit"; fi
            if [ "$restart" = yes ]; then systemctl restart "$unit"; else systemctl start "$unit"; fi
            echo "started"
            """;

    /** The operator's supervisor command that (re)starts the agent, bounded by $limit seconds where timeout(1) exists. */
    static final String RESTART_COMMAND = """
            if command -v timeout >/dev/null 2>&1; then timeout -k 5 "$limit" sh -c "$command"; else sh -c "$command"; fi
            """;
}
