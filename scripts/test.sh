#!/usr/bin/env bash
# The full test suite: installs dependencies, starts the real Postgres, Kafka, RabbitMQ,
# ElasticMQ (SQS) and Pub/Sub emulator it needs, Prometheus and promtool (Debian's package),
# and Debian's Chromium (for the dashboard's browser tests),
# then lint, format check, type-check, build, every Jest project (unit, integration, system and
# browser tests) and the fault-injection suite's CI configuration.
# Extra arguments go to Jest (e.g. scripts/test.sh libs/persistence).
# `scripts/test.sh --unit` runs the unit tier alone (jest.unit.config.cts): no infrastructure,
# lint, build or browser; extra arguments after it go to Jest as well.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"
cd "$CARAVAN_ROOT"
STATE_DIR="${CARAVAN_STATE_DIR:-$CARAVAN_ROOT/.run}"
mkdir -p "$STATE_DIR"
started=$SECONDS

if [[ "${1:-}" == "--unit" ]]; then
  shift
  echo "jest: the unit tier (jest.unit.config.cts)"
  status=0
  jest --config jest.unit.config.cts --ci "$@" || status=$?
  echo "total: $(( SECONDS - started )) s"
  exit $status
fi

"$CARAVAN_ROOT/scripts/infra.sh" up
"$CARAVAN_ROOT/scripts/lib/chromium.sh"
source "$CARAVAN_ROOT/scripts/lib/prometheus.sh"
caravan_ensure_prometheus

echo "lint: eslint (module boundaries included)"
# The boundary rule reads Nx's cached project graph and silently skips itself when there is
# none (a fresh clone), so compute the graph first.
nx show projects >/dev/null
eslint . --cache --cache-location "$STATE_DIR/eslintcache" --max-warnings=0

echo "format: prettier --check (the repository's .prettierrc)"
prettier --check --log-level=warn "**/*.{ts,tsx,js,mjs,cjs,json}"

echo "typecheck: tsc --noEmit over apps, libs and tests, and the dashboard (browser settings)"
tsc -p tsconfig.check.json
tsc -p apps/dashboard/tsconfig.json

echo "build: api (with the dashboard), ingester, dispatcher (the system tests run the built bundles)"
nx run-many -t build --projects=api,ingester,dispatcher --output-style=stream-without-prefixes >"$STATE_DIR/build.log" 2>&1 || {
  tail -n 40 "$STATE_DIR/build.log" >&2
  exit 1
}

echo "jest: every project"
set +e
jest --ci --maxWorkers=2 --json --outputFile="$STATE_DIR/jest-results.json" "$@"
status=$?
set -e
# The plain summary line CI reads, from Jest's own result file.
node -e "
const r = require(process.argv[1]);
const skipped = r.numPendingTests + r.numTodoTests;
console.log('tests: ' + r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed' + (skipped ? ', ' + skipped + ' skipped' : ''));
" "$STATE_DIR/jest-results.json" || true
# The fault-injection suite's CI configuration (about 2 minutes of load plus its own Kafka
# and Postgres start-up), on the whole-suite run only (not when Jest is given paths).
if [[ $# -eq 0 ]]; then
  echo "faults: the fault-injection suite, CI configuration (scripts/faults.sh)"
  FAULTS_SKIP_BUILD=1 "$CARAVAN_ROOT/scripts/faults.sh" --profile ci || status=1
fi
echo "total: $(( SECONDS - started )) s"
exit $status
