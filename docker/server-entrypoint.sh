#!/bin/sh
# The Baton server in docker-compose.yml: secrets from /run/secrets (Docker secrets), never from the image or
# the command line. Runs as root only long enough to read them, then as "baton".
set -eu

# Docker mounts the secrets here (overridable for the tests in dev.baton.dist).
secrets=${BATON_SECRETS_DIR:-/run/secrets}

fail() {
    echo "baton-server-entrypoint: $*" >&2
    exit 2
}

[ -r "$secrets/api_tokens" ] || fail "secret api_tokens is missing: create docker/secrets/api-tokens (see README, Packaging)"
[ -r "$secrets/agent_token" ] || fail "secret agent_token is missing: create docker/secrets/agent-token (see README, Packaging)"

# The tokens file goes to a private copy the server's user can read (the bind-mounted secret keeps the host's owner).
install -d -m 0700 -o baton -g baton /run/baton
install -m 0600 -o baton -g baton "$secrets/api_tokens" /run/baton/tokens
BATON_AGENT_TOKEN=$(cat "$secrets/agent_token")
[ -n "$BATON_AGENT_TOKEN" ] || fail "secret agent_token is empty"
export BATON_AGENT_TOKEN

exec setpriv --reuid=baton --regid=baton --init-groups --no-new-privs -- \
    baton server --listen "${BATON_LISTEN:-0.0.0.0:8800}" --tokens-file /run/baton/tokens "$@"
