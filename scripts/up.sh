#!/usr/bin/env bash
# Brings the whole system up locally: dependencies, Postgres and Kafka, migrations, and the
# api, ingester and dispatcher running and ready. Safe to run again (restarts the services).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"
source "$CARAVAN_ROOT/scripts/lib/services.sh"
cd "$CARAVAN_ROOT"

export CARAVAN_DATABASE_URL="${CARAVAN_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/caravan}"

"$CARAVAN_ROOT/scripts/infra.sh" up postgres kafka

echo "build: api, ingester, dispatcher"
nx run-many -t build --projects=api,ingester,dispatcher --output-style=stream-without-prefixes >"${CARAVAN_STATE_DIR:-.run}/build.log" 2>&1 || {
  echo "build failed; see ${CARAVAN_STATE_DIR:-.run}/build.log" >&2
  tail -n 40 "${CARAVAN_STATE_DIR:-.run}/build.log" >&2
  exit 1
}

echo "migrate: $CARAVAN_DATABASE_URL"
node dist/apps/api/migrate.js

for service in "${CARAVAN_SERVICES[@]}"; do service_stop "$service" >/dev/null; done
for service in "${CARAVAN_SERVICES[@]}"; do service_start "$service"; done
for service in "${CARAVAN_SERVICES[@]}"; do service_wait_ready "$service"; done

echo
echo "Caravan is up. Logs: ${SERVICES_DIR}/<service>.log   Stop: scripts/down.sh"
