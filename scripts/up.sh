#!/usr/bin/env bash
# Brings the whole system up locally: dependencies, Postgres and Kafka, migrations, and the
# api, ingester and dispatcher running and ready. Safe to run again (restarts the services).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"
source "$CARAVAN_ROOT/scripts/lib/services.sh"
cd "$CARAVAN_ROOT"

export CARAVAN_DATABASE_URL="${CARAVAN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/caravan}"
export CARAVAN_STATE_DIR="${CARAVAN_STATE_DIR:-$CARAVAN_ROOT/.run}"
mkdir -p "$CARAVAN_STATE_DIR"

# The instance admin key: generated once per checkout, kept private in the state dir.
if [[ -z "${CARAVAN_ADMIN_API_KEY:-}" ]]; then
  if [[ ! -s "$CARAVAN_STATE_DIR/admin-key" ]]; then
    (umask 077 && node -e "process.stdout.write(require('crypto').randomBytes(32).toString('base64url'))" >"$CARAVAN_STATE_DIR/admin-key")
  fi
  CARAVAN_ADMIN_API_KEY="$(cat "$CARAVAN_STATE_DIR/admin-key")"
fi
export CARAVAN_ADMIN_API_KEY

"$CARAVAN_ROOT/scripts/infra.sh" up

echo "build: api, ingester, dispatcher"
nx run-many -t build --projects=api,ingester,dispatcher --output-style=stream-without-prefixes >"$CARAVAN_STATE_DIR/build.log" 2>&1 || {
  echo "build failed; see $CARAVAN_STATE_DIR/build.log" >&2
  tail -n 40 "$CARAVAN_STATE_DIR/build.log" >&2
  exit 1
}

echo "migrate: $CARAVAN_DATABASE_URL"
node dist/apps/api/migrate.js

for service in "${CARAVAN_SERVICES[@]}"; do service_stop "$service" >/dev/null; done
for service in "${CARAVAN_SERVICES[@]}"; do service_start "$service"; done
for service in "${CARAVAN_SERVICES[@]}"; do service_wait_ready "$service"; done

node "$CARAVAN_ROOT/scripts/lib/demo-project.mjs"
echo
echo "Caravan is up. Logs: ${SERVICES_DIR}/<service>.log   Stop: scripts/down.sh"
