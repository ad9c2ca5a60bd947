#!/usr/bin/env bash
# End-to-end benchmark: the built api and dispatcher against the real Postgres and Kafka, a
# local receiver, and a fixed number of events through the REST API. Prints accepted/s,
# delivered/s and accepted→delivered latency percentiles. Options go to bench/e2e.mjs
# (e.g. --events 5000 --concurrency 64 --endpoints 10).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"
cd "$CARAVAN_ROOT"
export CARAVAN_STATE_DIR="${CARAVAN_STATE_DIR:-$CARAVAN_ROOT/.run}"
mkdir -p "$CARAVAN_STATE_DIR/bench"

"$CARAVAN_ROOT/scripts/infra.sh" up postgres kafka
nx run-many -t build --projects=api,dispatcher --output-style=stream-without-prefixes >"$CARAVAN_STATE_DIR/bench/build.log" 2>&1 || {
  tail -n 40 "$CARAVAN_STATE_DIR/bench/build.log" >&2
  exit 1
}
exec node bench/e2e.mjs "$@"
