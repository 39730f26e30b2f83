#!/bin/sh
# One fleet host in docker-compose.yml: registers this host's demo app in Consul (as a configuration management
# tool or the app's own Consul agent would on a real host), then runs the Baton agent as "baton-agent"; the agent
# starts the installed release and restarts it on the orchestrator's request. The agent token comes from the
# Docker secret agent_token and reaches the agent through its environment (--token-env), never its command line.
set -eu

# Docker mounts the secrets here (overridable for the tests in dev.baton.dist).
secrets=${BATON_SECRETS_DIR:-/run/secrets}

fail() {
    echo "baton-host-entrypoint: $*" >&2
    exit 2
}

consul=${CONSUL_HTTP_ADDR:-http://consul:8500}
service=${BATON_SERVICE:-web}
zone=${BATON_ZONE:-zone-a}
app_port=8080
ip=$(hostname -i | awk '{print $1}')
name=$(hostname)
[ -n "$ip" ] || fail "cannot find this container's IP address"
[ -r "$secrets/agent_token" ] || fail "secret agent_token is missing: create docker/secrets/agent-token (see README, Packaging)"

definition=$(cat <<JSON
{"ID": "$service-$name", "Name": "$service", "Address": "$ip", "Port": $app_port, "Tags": ["prod", "compose"],
 "Meta": {"zone": "$zone"},
 "Checks": [{"CheckID": "$service-$name-http", "Name": "HTTP /healthz", "HTTP": "http://$ip:$app_port/healthz",
             "Interval": "1s", "Timeout": "1s"}]}
JSON
)
# A Consul ACL token (if any) reaches curl on stdin, never on its command line.
register() {
    if [ -n "${CONSUL_HTTP_TOKEN:-}" ]; then
        printf 'header = "X-Consul-Token: %s"\n' "$CONSUL_HTTP_TOKEN"
    fi | curl -fsS --config - -X PUT --data "$definition" "$consul/v1/agent/service/register" >/dev/null
}
# Consul may still be starting: bounded retries, then a clear error.
attempt=0
until register; do
    attempt=$((attempt + 1))
    [ "$attempt" -lt 60 ] || fail "cannot register $service-$name in Consul at $consul after 60 attempts"
    sleep 1
done
echo "baton-host-entrypoint: registered $service-$name ($ip:$app_port) in Consul" >&2

BATON_AGENT_TOKEN=$(cat "$secrets/agent_token")
[ -n "$BATON_AGENT_TOKEN" ] || fail "secret agent_token is empty"
export BATON_AGENT_TOKEN

exec setpriv --reuid=baton-agent --regid=baton-agent --init-groups --no-new-privs -- \
    baton-agent --listen 0.0.0.0:7070 --home /var/lib/baton-agent --token-env BATON_AGENT_TOKEN \
    --app-command "demo-app -listen $ip:$app_port -shutdown-timeout 30s -pidfile {pidfile}" \
    --ready-url "http://$ip:$app_port/healthz"
