# Sourced by the project's scripts: installs the pinned dependencies when the lockfile changed
# and puts the project's Node 24 (the npm package `node`) first on PATH.
CARAVAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export CARAVAN_ROOT

caravan_install_dependencies() {
  local marker="$CARAVAN_ROOT/node_modules/.caravan-lock.sha256"
  local wanted
  wanted="$(sha256sum "$CARAVAN_ROOT/package-lock.json" | cut -d' ' -f1)"
  if [[ -x "$CARAVAN_ROOT/node_modules/.bin/node" && -f "$marker" && "$(cat "$marker")" == "$wanted" ]]; then
    return 0
  fi
  # `npm install` from the lockfile, not `npm ci`: the registry reachable here lacks other
  # platforms' optional binaries (@swc/core-darwin-*, …), so no lockfile made here lists
  # them and `npm ci` rejects it as out of sync. With a lockfile present, `npm install`
  # installs exactly the locked versions.
  echo "deps: installing pinned dependencies (npm install from package-lock.json)"
  (cd "$CARAVAN_ROOT" && npm install --no-audit --no-fund --loglevel=error) || {
    echo "deps: npm install failed; see the output above" >&2
    return 1
  }
  echo "$wanted" > "$marker"
}

caravan_install_dependencies
export PATH="$CARAVAN_ROOT/node_modules/.bin:$PATH"
export KAFKAJS_NO_PARTITIONER_WARNING=1

case "$(node --version)" in
  v24.*) ;;
  *) echo "deps: expected Node 24 from node_modules/.bin, got $(node --version)" >&2; exit 1 ;;
esac

# kafkajs 2.2.4 schedules a negative setTimeout on Node 24, which only prints a warning.
case " ${NODE_OPTIONS:-} " in
  *TimeoutNegativeWarning*) ;;
  *) export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=TimeoutNegativeWarning" ;;
esac

# V8 otherwise grows the young generation to 128 MB under load (most of a service's peak
# memory, no throughput gained); the container image sets the same (deploy/docker/Dockerfile).
case " ${NODE_OPTIONS:-} " in
  *max-semi-space-size*) ;;
  *) export NODE_OPTIONS="${NODE_OPTIONS:-} --max-semi-space-size=16" ;;
esac

# @google-cloud/pubsub probes for a GCP metadata server it will not find here (Caravan passes
# credentials explicitly, and tests use the emulator); skip the probe and its warning.
export METADATA_SERVER_DETECTION="${METADATA_SERVER_DETECTION:-none}"
