#!/usr/bin/env bash
# Benchmarks, against the real Postgres and Kafka (and the brokers for --ingest):
#
#   scripts/bench.sh [options]    end to end: the built api and dispatcher, a local receiver and
#                                 events through the REST API; prints throughput, latency
#                                 percentiles, CPU ms per event and peak RSS (bench/e2e.mjs)
#   scripts/bench.sh --ingest     the ingester per broker (Kafka, SQS, AMQP, Pub/Sub): messages/s
#                                 into accepted events (test/ingester/throughput.bench.ts;
#                                 BENCH_MESSAGES, BENCH_WORKERS)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/node-env.sh"
cd "$CARAVAN_ROOT"
export CARAVAN_STATE_DIR="${CARAVAN_STATE_DIR:-$CARAVAN_ROOT/.run}"
mkdir -p "$CARAVAN_STATE_DIR/bench"

if [[ "${1:-}" == "--ingest" ]]; then
  "$CARAVAN_ROOT/scripts/infra.sh" up
  nx run-many -t build --projects=ingester,dispatcher --output-style=stream-without-prefixes >"$CARAVAN_STATE_DIR/bench/build.log" 2>&1 || {
    tail -n 40 "$CARAVAN_STATE_DIR/bench/build.log" >&2
    exit 1
  }
  exec jest --config test/jest.config.cts --testMatch '<rootDir>/ingester/throughput.bench.ts' --runInBand
fi

"$CARAVAN_ROOT/scripts/infra.sh" up postgres kafka
nx run-many -t build --projects=api,dispatcher --output-style=stream-without-prefixes >"$CARAVAN_STATE_DIR/bench/build.log" 2>&1 || {
  tail -n 40 "$CARAVAN_STATE_DIR/bench/build.log" >&2
  exit 1
}
exec node bench/e2e.mjs "$@"
