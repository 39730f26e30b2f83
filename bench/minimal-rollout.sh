#!/usr/bin/env bash
# The minimal safe rolling restart, one host at a time, as a short shell script would do it (the baseline of
# `bin/bench zero-downtime`): deregister from Consul, poll HAProxy's `show servers state` until no slot routes to
# the host, restart through the Baton agent (drain, switch, start, ready), probe /healthz, register again, wait
# until Consul reports it passing. Usage:
#   minimal-rollout.sh CONSUL_URL HAPROXY_TCP(host:port) BACKEND SERVICE VERSION ARTIFACT_URL SHA256 ID=IP... 
# with the agent token in $AGENT_TOKEN; agents on :7070, apps on :8080.
set -euo pipefail
consul=$1 runtime=$2 backend=$3 service=$4 version=$5 url=$6 sha=$7
shift 7

haproxy() { # one runtime command over the TCP stats socket
  exec 3<>"/dev/tcp/${runtime%:*}/${runtime#*:}"; echo "$1" >&3; cat <&3; exec 3<&-
}
routes_to() { # a slot with this address, operational state 2 (running), no maintenance/drain admin flag
  haproxy "show servers state $backend" | awk -v ip="$1" '$5 == ip && $6 == 2 && $7 % 64 == 0 { found = 1 } END { exit !found }'
}
agent() { curl -fsS -H "Authorization: Bearer $AGENT_TOKEN" "$@"; }

for pair in "$@"; do
  id=${pair%%=*} ip=${pair#*=}
  start=$(date +%s%3N)
  registration=$(curl -fsS "$consul/v1/agent/service/$id")
  curl -fsS -X PUT "$consul/v1/agent/service/deregister/$id" >/dev/null
  while routes_to "$ip"; do sleep 0.02; done
  out=$(date +%s%3N)
  op=$(agent -X POST -H 'Content-Type: application/json' "http://$ip:7070/v1/restarts" \
    -d "{\"version\":\"$version\",\"strategy\":\"stop-start\",\"artifact\":{\"url\":\"$url\",\"sha256\":\"$sha\"},\"drainTimeoutMs\":30000,\"readyTimeoutMs\":30000}" | jq -r .id)
  while state=$(agent "http://$ip:7070/v1/operations/$op" | jq -r .state); [ "$state" != SUCCEEDED ]; do
    [ "$state" != FAILED ] || { echo "restart of $id failed" >&2; exit 1; }
    sleep 0.1
  done
  restarted=$(date +%s%3N)
  until curl -fsS -o /dev/null "http://$ip:8080/healthz"; do sleep 0.1; done
  healthy=$(date +%s%3N)
  echo "$registration" | jq -c --arg ip "$ip" '{ID, Name: .Service, Address, Port, Tags, Meta,
      Check: {HTTP: "http://\($ip):\(.Port)/healthz", Interval: "500ms", Timeout: "1s"}}' \
    | curl -fsS -X PUT "$consul/v1/agent/service/register" -d @- >/dev/null
  until curl -fsS "$consul/v1/health/service/$service?passing=true" | jq -e --arg id "$id" 'any(.[]; .Service.ID == $id)' >/dev/null; do
    sleep 0.05
  done
  done_at=$(date +%s%3N)
  echo "host $id leave+propagate=$((out - start))ms restart=$((restarted - out))ms check=$((healthy - restarted))ms join=$((done_at - healthy))ms"
done
