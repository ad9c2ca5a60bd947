# Sourced: start/stop the three Caravan services from their built bundles (dist/apps/*).
# Pidfiles and logs live in $CARAVAN_STATE_DIR/services.
# Ports can be moved (CARAVAN_API_PORT, …) so a second copy runs beside the first (its test does).
CARAVAN_SERVICES=(api ingester dispatcher)
declare -A CARAVAN_SERVICE_PORT=(
  [api]="${CARAVAN_API_PORT:-5005}"
  [ingester]="${CARAVAN_INGESTER_PORT:-5006}"
  [dispatcher]="${CARAVAN_DISPATCHER_PORT:-5007}"
)
DEMO_RECEIVER_PORT="${CARAVAN_DEMO_RECEIVER_PORT:-5008}"
SERVICES_DIR="${CARAVAN_STATE_DIR:-$CARAVAN_ROOT/.run}/services"

service_pid() {
  local pidfile="$SERVICES_DIR/$1.pid"
  [[ -f "$pidfile" ]] || return 1
  local pid
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

service_stop() {
  local name="$1" pid
  pid="$(service_pid "$name")" || { rm -f "$SERVICES_DIR/$name.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name: did not stop within 30 s of SIGTERM; killing pid $pid" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$SERVICES_DIR/$name.pid"
  echo "$name: stopped"
}

service_start() {
  local name="$1" port="${CARAVAN_SERVICE_PORT[$1]}"
  mkdir -p "$SERVICES_DIR"
  local log="$SERVICES_DIR/$name.log"
  CARAVAN_HTTP_PORT="$port" CARAVAN_LOG_FORMAT="${CARAVAN_LOG_FORMAT:-json}" \
    nohup node "$CARAVAN_ROOT/dist/apps/$name/main.js" >>"$log" 2>&1 </dev/null &
  echo $! > "$SERVICES_DIR/$name.pid"
}

# Waits until GET /readyz answers 200; prints the last log lines when it does not.
service_wait_ready() {
  local name="$1" port="${CARAVAN_SERVICE_PORT[$1]}" started=$SECONDS
  while (( SECONDS - started < 90 )); do
    if ! service_pid "$name" >/dev/null; then
      echo "$name: exited during start-up; last lines of $SERVICES_DIR/$name.log:" >&2
      tail -n 30 "$SERVICES_DIR/$name.log" >&2
      return 1
    fi
    if node -e "fetch('http://127.0.0.1:$port/readyz').then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"; then
      echo "$name: ready on http://127.0.0.1:$port (health /healthz, readiness /readyz, metrics /metrics)"
      return 0
    fi
    sleep 0.5
  done
  echo "$name: not ready after 90 s; /readyz says:" >&2
  node -e "fetch('http://127.0.0.1:$port/readyz').then(r=>r.text()).then(t=>console.error(t),e=>console.error(e.message))" >&2
  tail -n 30 "$SERVICES_DIR/$name.log" >&2
  return 1
}

# The demo webhook receiver (scripts/demo-receiver.mjs), run like a service with its own pidfile.
demo_receiver_start() {
  local secret="$1" log="$SERVICES_DIR/demo-receiver.log"
  mkdir -p "$SERVICES_DIR"
  : >"$log"
  nohup node "$CARAVAN_ROOT/scripts/demo-receiver.mjs" --port "$DEMO_RECEIVER_PORT" --secret "$secret" \
    >>"$log" 2>&1 </dev/null &
  echo $! >"$SERVICES_DIR/demo-receiver.pid"
  local started=$SECONDS
  until grep -q 'listening on' "$log"; do
    if ! service_pid demo-receiver >/dev/null; then
      echo "demo-receiver: exited during start-up:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    if (( SECONDS - started > 30 )); then
      echo "demo-receiver: not listening after 30 s; see $log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "demo-receiver: listening on http://127.0.0.1:$DEMO_RECEIVER_PORT (prints each delivery to $log)"
}
