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

# Local mode: the dispatcher may deliver to this machine (the demo receiver, a server you run),
# which the SSRF guard refuses by default. Production (Helm, compose, a plain `node dist/...`)
# leaves CARAVAN_SSRF_ALLOW_CIDRS unset. An explicitly empty value keeps the guard closed here too.
export CARAVAN_SSRF_ALLOW_CIDRS="${CARAVAN_SSRF_ALLOW_CIDRS-127.0.0.0/8,::1/128}"
# Likewise the ingester may consume pub_sub sources whose brokers run on this machine.
export CARAVAN_INGESTER_BROKER_ALLOW_CIDRS="${CARAVAN_INGESTER_BROKER_ALLOW_CIDRS-127.0.0.0/8,::1/128}"

# The walk-through's commands use curl and jq.
for tool in curl jq; do
  command -v "$tool" >/dev/null 2>&1 && continue
  echo "tools: installing $tool (apt-get) for the printed walk-through"
  if [[ $(id -u) == 0 ]]; then apt-get install -y -qq "$tool" >/dev/null; else sudo apt-get install -y -qq "$tool" >/dev/null; fi ||
    echo "tools: could not install $tool; install it to run the printed commands" >&2
done

# The demo receiver's secret (the endpoints of the walk-through are created with it).
if [[ ! -s "$CARAVAN_STATE_DIR/demo-receiver-secret" ]]; then
  (umask 077 && node -e "process.stdout.write('demo-' + require('crypto').randomBytes(12).toString('hex'))" >"$CARAVAN_STATE_DIR/demo-receiver-secret")
fi

"$CARAVAN_ROOT/scripts/infra.sh" up

echo "build: api, ingester, dispatcher"
nx run-many -t build --projects=api,ingester,dispatcher --output-style=stream-without-prefixes >"$CARAVAN_STATE_DIR/build.log" 2>&1 || {
  echo "build failed; see $CARAVAN_STATE_DIR/build.log" >&2
  tail -n 40 "$CARAVAN_STATE_DIR/build.log" >&2
  exit 1
}

echo "migrate: $CARAVAN_DATABASE_URL"
node dist/apps/api/migrate.js

for service in "${CARAVAN_SERVICES[@]}" demo-receiver; do service_stop "$service" >/dev/null; done
for service in "${CARAVAN_SERVICES[@]}"; do service_start "$service"; done
for service in "${CARAVAN_SERVICES[@]}"; do service_wait_ready "$service"; done
demo_receiver_start "$(cat "$CARAVAN_STATE_DIR/demo-receiver-secret")"

if [[ -n "$CARAVAN_SSRF_ALLOW_CIDRS" ]]; then
  echo "local mode: the dispatcher may deliver to $CARAVAN_SSRF_ALLOW_CIDRS (CARAVAN_SSRF_ALLOW_CIDRS; production leaves it unset, and 'CARAVAN_SSRF_ALLOW_CIDRS= ./scripts/up.sh' keeps the SSRF guard closed here too)"
else
  echo "SSRF guard closed: CARAVAN_SSRF_ALLOW_CIDRS is empty, so deliveries to this machine (the demo receiver included) are refused"
fi
if [[ -n "$CARAVAN_INGESTER_BROKER_ALLOW_CIDRS" ]]; then
  echo "local mode: the ingester may consume brokers on $CARAVAN_INGESTER_BROKER_ALLOW_CIDRS (CARAVAN_INGESTER_BROKER_ALLOW_CIDRS; production leaves it unset)"
fi

CARAVAN_API_URL="http://127.0.0.1:${CARAVAN_SERVICE_PORT[api]}" \
  CARAVAN_DEMO_RECEIVER_URL="http://127.0.0.1:$DEMO_RECEIVER_PORT" \
  CARAVAN_DEMO_RECEIVER_LOG="$SERVICES_DIR/demo-receiver.log" \
  CARAVAN_DEMO_RECEIVER_SECRET="$(cat "$CARAVAN_STATE_DIR/demo-receiver-secret")" \
  node "$CARAVAN_ROOT/scripts/lib/demo-project.mjs"
echo
echo "Caravan is up. Logs: ${SERVICES_DIR}/<service>.log   Stop: scripts/down.sh"
