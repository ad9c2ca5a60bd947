# shellcheck shell=bash
# Sourced: makes Prometheus and promtool (Debian's `prometheus` package) available to the tests
# and exports CARAVAN_PROMETHEUS_BIN_DIR. Uses the machine's when installed; otherwise fetches the
# package with apt-get once and unpacks only its binaries into .cache/ (no daemon is installed
# or started, and no root is needed to use them).
caravan_ensure_prometheus() {
  if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
    CARAVAN_PROMETHEUS_BIN_DIR="$(dirname "$(command -v promtool)")"
  else
    local cache="$CARAVAN_ROOT/.cache/prometheus"
    if [[ ! -x "$cache/usr/bin/promtool" ]]; then
      echo "prometheus: fetching Debian's prometheus package (apt-get download) into $cache"
      local tmp
      tmp="$(mktemp -d)"
      (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1) || (apt-get update -qq >/dev/null && cd "$tmp" && apt-get download prometheus >/dev/null) || {
        echo "prometheus: could not download the prometheus package; install it (apt-get install prometheus)" >&2
        rm -rf "$tmp"
        return 1
      }
      rm -rf "$cache" && mkdir -p "$cache"
      dpkg -x "$tmp"/prometheus_*.deb "$cache"
      rm -rf "$tmp"
    fi
    CARAVAN_PROMETHEUS_BIN_DIR="$cache/usr/bin"
  fi
  export CARAVAN_PROMETHEUS_BIN_DIR
  echo "prometheus: $("$CARAVAN_PROMETHEUS_BIN_DIR/promtool" --version 2>&1 | head -n 1) in $CARAVAN_PROMETHEUS_BIN_DIR"
}
