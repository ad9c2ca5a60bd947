#!/usr/bin/env bash
# The fault-injection suite (test/faults/faults.mjs): an isolated Caravan (its own Postgres
# cluster, its own Kafka broker, its own topics and ports) under load while services are
# SIGKILLed and Kafka and Postgres restart; checks nothing accepted is lost.
#   scripts/faults.sh                  the CI configuration (about 2 minutes; run by scripts/test.sh)
#   scripts/faults.sh --profile full   100,000 events at 200/s, a fault every 10 s (npm run faults)
# FAULTS_SKIP_BUILD=1 uses the bundles already in dist/ (scripts/test.sh has just built them).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"
cd "$CARAVAN_ROOT"
export CARAVAN_STATE_DIR="${CARAVAN_STATE_DIR:-$CARAVAN_ROOT/.run}"
mkdir -p "$CARAVAN_STATE_DIR/faults"
if [[ ${FAULTS_SKIP_BUILD:-0} != 1 ]]; then
  nx run-many -t build --projects=api,ingester,dispatcher --output-style=stream-without-prefixes \
    >"$CARAVAN_STATE_DIR/faults/build.log" 2>&1 || {
    tail -n 40 "$CARAVAN_STATE_DIR/faults/build.log" >&2
    exit 1
  }
fi
exec node test/faults/faults.mjs "$@"
