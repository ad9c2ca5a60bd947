#!/usr/bin/env bash
# Benchmarks, against the real Postgres and Kafka (and the brokers for --ingest):
#
#   scripts/bench.sh [options]    end to end: the built api and dispatcher, a local receiver and
#                                 events through the REST API; prints throughput, latency
#                                 percentiles, CPU ms per event and peak RSS (bench/e2e.mjs)
#   scripts/bench.sh --ingest     the ingester per broker (Kafka, SQS, AMQP, Pub/Sub): messages/s
#                                 into accepted events next to the bare client's ceiling, and CPU
#                                 per message of every process (test/ingester/throughput.bench.ts;
#                                 BENCH_MESSAGES, BENCH_WORKERS, BENCH_BROKERS)
#   scripts/bench.sh --floor      what the stack's building blocks cost per request on this
#                                 machine: node:http, the api's Nest pipeline, got, a pg round
#                                 trip (bench/stack-floor.mjs)
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

if [[ "${1:-}" == "--floor" ]]; then
  shift
  "$CARAVAN_ROOT/scripts/infra.sh" up postgres kafka
  nx run-many -t build --projects=api --output-style=stream-without-prefixes >"$CARAVAN_STATE_DIR/bench/build.log" 2>&1 || {
    tail -n 40 "$CARAVAN_STATE_DIR/bench/build.log" >&2
    exit 1
  }
  exec node bench/stack-floor.mjs "$@"
fi

"$CARAVAN_ROOT/scripts/infra.sh" up postgres kafka
nx run-many -t build --projects=api,dispatcher --output-style=stream-without-prefixes >"$CARAVAN_STATE_DIR/bench/build.log" 2>&1 || {
  tail -n 40 "$CARAVAN_STATE_DIR/bench/build.log" >&2
  exit 1
}
exec node bench/e2e.mjs "$@"
