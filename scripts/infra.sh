#!/usr/bin/env bash
# Local infrastructure for Caravan: real servers, no Docker.
#
#   scripts/infra.sh up     [component ...]   start (all when none given); no-op if running
#   scripts/infra.sh down   [component ...]   stop what this script started (all when none given)
#   scripts/infra.sh status                   one line per component
#   scripts/infra.sh reset  component ...     stop and wipe its data (kafka)
#
# Components: postgres, kafka.
#
# Environment:
#   CARAVAN_STATE_DIR   pidfiles, logs, data      (default <repo>/.run)
#   CARAVAN_CACHE_DIR   downloaded jars           (default <repo>/.cache)
#   postgres: PGHOST (127.0.0.1), PGPORT (5432), PGUSER (postgres),
#             CARAVAN_DB_NAME (caravan), CARAVAN_TEST_DB_NAME (caravan_test)
#   kafka:    KAFKA_INSTANCE (kafka; state under $CARAVAN_STATE_DIR/<instance>/),
#             KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093),
#             KAFKA_HEAP_OPTS (-Xms256m -Xmx768m), KAFKA_JVM_OPTS (extra JVM flags),
#             KAFKA_START_TIMEOUT (90 s for the port), KAFKA_READY_TIMEOUT (60 s for metadata),
#             KAFKA_STOP_TIMEOUT (30 s before SIGKILL),
#             CARAVAN_KAFKA_EVENTS_TOPIC (caravan.events),
#             CARAVAN_KAFKA_DELIVERIES_TOPIC (caravan.deliveries), CARAVAN_KAFKA_PARTITIONS (12)
#
# Adding a component: append its name to COMPONENTS and define up_<name>, down_<name>,
# status_<name> (and optionally reset_<name>), using the helpers in scripts/lib/common.sh
# (mvn_fetch, start_background, wait_for_port, stop_pidfile, pidfile_pid, lock_fd).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

STATE_DIR=${CARAVAN_STATE_DIR:-$REPO_ROOT/.run}
CACHE_DIR=${CARAVAN_CACHE_DIR:-$REPO_ROOT/.cache}

# Order matters: `up` goes left to right, `down` right to left.
COMPONENTS=(postgres kafka)

# ===========================================================================
# postgres: the machine's PostgreSQL cluster (not ours to own unless we start it)
# ===========================================================================
PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}
PG_USER=${PGUSER:-postgres}
PG_STARTED_MARKER=$STATE_DIR/postgres/started-by-infra

pg_answers() {
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -t 3 >/dev/null 2>&1
}

# pg_psql [psql args]: run psql against the maintenance database, SQL on stdin.
pg_psql() {
  PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" \
    -d postgres "$@"
}

pg_cluster_version() {
  local v
  v=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -type d -printf '%f\n' 2>/dev/null | sort -V | tail -n1) || true
  [[ -n $v ]] || return 1
  printf '%s\n' "$v"
}

pg_server_pid() {
  local datadir pid
  datadir=$(pg_psql -tA <<<'SHOW data_directory' 2>/dev/null) || return 1
  pid=$(head -n1 "$datadir/postmaster.pid" 2>/dev/null) || return 1
  [[ -n $pid ]] && printf '%s\n' "$pid"
}

up_postgres() {
  command -v psql >/dev/null 2>&1 || die "postgres: psql is not installed"
  local start note=''
  start=$(now_ms)
  if ! pg_answers; then
    local ver
    if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ver=$(pg_cluster_version); then
      die "postgres: nothing answers on $PG_HOST:$PG_PORT and there is no local cluster to start (pg_ctlcluster / /etc/postgresql)"
    fi
    step_begin "postgres: starting cluster $ver/main ..."
    local out
    if ! out=$(pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>&1); then
      printf '%s\n' "$out" >&2
      die "postgres: pg_ctlcluster $ver main start failed (log: /var/log/postgresql/postgresql-$ver-main.log)"
    fi
    mkdir -p "$(dirname "$PG_STARTED_MARKER")"
    printf '%s\n' "$ver" >"$PG_STARTED_MARKER"
    local i
    for ((i = 0; i < 150; i++)); do
      pg_answers && break
      sleep 0.2
    done
    pg_answers || die "postgres: cluster $ver/main started but $PG_HOST:$PG_PORT does not answer after 30s (log: /var/log/postgresql/postgresql-$ver-main.log)"
    step_end "started in $(elapsed_since "$start")"
    note=' (started by infra.sh)'
  fi

  local db created=()
  for db in "${CARAVAN_DB_NAME:-caravan}" "${CARAVAN_TEST_DB_NAME:-caravan_test}"; do
    local exists
    exists=$(pg_psql -tA -v db="$db" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'") ||
      die "postgres: cannot query databases on $PG_HOST:$PG_PORT as $PG_USER"
    if [[ $exists != 1 ]]; then
      local out
      if ! out=$(pg_psql -v db="$db" <<<'CREATE DATABASE :"db"' 2>&1); then
        # Lost a race with a concurrent run? Then it exists now.
        exists=$(pg_psql -tA -v db="$db" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'" || true)
        [[ $exists == 1 ]] || die "postgres: CREATE DATABASE $db failed: $out"
      else
        created+=("$db")
      fi
    fi
  done
  local dbs="databases ${CARAVAN_DB_NAME:-caravan}, ${CARAVAN_TEST_DB_NAME:-caravan_test}"
  if ((${#created[@]})); then
    dbs+=" (created ${created[*]})"
  else
    dbs+=" ok"
  fi
  log "postgres: running on $PG_HOST:$PG_PORT$note; $dbs"
}

down_postgres() {
  if [[ ! -f $PG_STARTED_MARKER ]]; then
    log "postgres: left running (not started by infra.sh)"
    return 0
  fi
  local ver start
  ver=$(head -n1 "$PG_STARTED_MARKER")
  start=$(now_ms)
  step_begin "postgres: stopping cluster $ver/main ..."
  local out
  if ! out=$(pg_ctlcluster --skip-systemctl-redirect "$ver" main stop 2>&1); then
    # Already stopped is fine; anything else is an error.
    if pg_answers; then
      printf '%s\n' "$out" >&2
      die "postgres: pg_ctlcluster $ver main stop failed (log: /var/log/postgresql/postgresql-$ver-main.log)"
    fi
  fi
  rm -f "$PG_STARTED_MARKER"
  step_end "stopped in $(elapsed_since "$start")"
}

status_postgres() {
  local pid
  if pg_answers; then
    pid=$(pg_server_pid || echo '-')
    local owner='external'
    [[ -f $PG_STARTED_MARKER ]] && owner='started by infra.sh'
    status_line postgres running "$pid" "$PG_HOST:$PG_PORT" "$owner"
  else
    status_line postgres stopped - "$PG_HOST:$PG_PORT"
  fi
}

# ===========================================================================
# kafka: Apache Kafka broker+controller (KRaft), jars from Maven Central
# ===========================================================================
# Newest release Maven Central serves here; verified with kafkajs 2.2.4
# (produce/consume, consumer groups, admin) by test/infra/infra-script.spec.ts.
KAFKA_VERSION=4.4.0

KAFKA_HOST=127.0.0.1
KAFKA_INSTANCE=${KAFKA_INSTANCE:-kafka}
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_HOME=$CACHE_DIR/kafka-$KAFKA_VERSION
KAFKA_LIBS=$KAFKA_HOME/libs
KAFKA_DIR=$STATE_DIR/$KAFKA_INSTANCE
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_PROPS=$KAFKA_DIR/server.properties
KAFKA_PIDFILE=$KAFKA_DIR/kafka.pid
KAFKA_LOG=$KAFKA_DIR/kafka.log
KAFKA_ADDRESS_FILE=$KAFKA_DIR/address

# slf4j-simple settings for every Kafka JVM we start. The full config dumps (~400 lines
# each, several per start) bury what matters; the settings are in server.properties.
KAFKA_LOG_OPTS=(
  -Dorg.slf4j.simpleLogger.showDateTime=true
  "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS"
  -Dorg.slf4j.simpleLogger.defaultLogLevel=info
  -Dorg.slf4j.simpleLogger.log.org.apache.kafka.common.config.AbstractConfig=warn
)

kafka_validate() {
  [[ $KAFKA_INSTANCE =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] ||
    die "kafka: KAFKA_INSTANCE '$KAFKA_INSTANCE' must be letters, digits, '.', '_' or '-'"
  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if ! [[ $p =~ ^[0-9]+$ ]] || ((p < 1 || p > 65535)); then
      die "kafka: invalid port '$p'"
    fi
  done
  [[ $KAFKA_PORT != "$KAFKA_CONTROLLER_PORT" ]] ||
    die "kafka: KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
}

# Our broker's command line contains this; guards against pid reuse.
kafka_pattern() { printf 'kafka.Kafka %s' "$KAFKA_PROPS"; }

kafka_label() {
  if [[ $KAFKA_INSTANCE == kafka ]]; then printf 'kafka'; else printf 'kafka[%s]' "$KAFKA_INSTANCE"; fi
}

kafka_write_props() {
  mkdir -p "$KAFKA_DIR"
  local h=$KAFKA_HOST p=$KAFKA_PORT c=$KAFKA_CONTROLLER_PORT
  {
    printf '# Written by scripts/infra.sh on each start; edits are overwritten.\n'
    cat <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$h:$c
listeners=PLAINTEXT://$h:$p,CONTROLLER://$h:$c
advertised.listeners=PLAINTEXT://$h:$p
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$KAFKA_DATA

# Single node: every internal topic has one replica.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
default.replication.factor=1
min.insync.replicas=1

# Light on a 2-core machine.
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
num.replica.fetchers=1
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
offsets.topic.num.partitions=5
transaction.state.log.num.partitions=5
log.retention.hours=4
log.retention.check.interval.ms=60000
log.segment.bytes=16777216

# Topics are created explicitly (scripts/lib/kafka-ready.mjs, the apps); consumers join fast.
auto.create.topics.enable=false
num.partitions=1
group.initial.rebalance.delay.ms=0
EOF
    if [[ ${KAFKA_VERSION%%.*} -ge 4 ]]; then
      cat <<EOF
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=5
EOF
    fi
  } >"$KAFKA_PROPS.tmp"
  mv -f "$KAFKA_PROPS.tmp" "$KAFKA_PROPS"
}

kafka_java() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "kafka: java not found (Kafka $KAFKA_VERSION needs Java 17+)"
  fi
}

# A Kafka cluster id: 16 random bytes, URL-safe base64 without padding. It may start with
# '-', so it is always passed as --cluster-id=<id>, never as a separate argument.
kafka_cluster_id() {
  head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
}

kafka_format_if_needed() {
  [[ -f $KAFKA_DATA/meta.properties ]] && return 0
  local java=$1
  rm -rf "$KAFKA_DATA"
  mkdir -p "$KAFKA_DATA"
  {
    printf '\n===== %s infra.sh: formatting %s =====\n' "$(date -u +%FT%TZ)" "$KAFKA_DATA"
  } >>"$KAFKA_LOG"
  if ! "$java" -Xmx256m "${KAFKA_LOG_OPTS[@]}" -cp "$KAFKA_LIBS/*" kafka.tools.StorageTool format \
    --cluster-id="$(kafka_cluster_id)" --config="$KAFKA_PROPS" >>"$KAFKA_LOG" 2>&1; then
    rm -rf "$KAFKA_DATA"
    show_log_tail "$KAFKA_LOG" 30
    die "$(kafka_label): formatting storage in $KAFKA_DATA failed (log: $KAFKA_LOG)"
  fi
}

# kafka_ready: wait for metadata and ensure topics; sets KAFKA_SUMMARY.
KAFKA_SUMMARY=''
kafka_ready() {
  local node out
  node=$(find_node)
  # --disable-warning: kafkajs 2.2.4 calls setTimeout with a negative delay (its
  # initial throttledUntil is -1); Node >= 23 warns about it. Harmless.
  if ! out=$(KAFKA_HOST=$KAFKA_HOST KAFKA_PORT=$KAFKA_PORT \
    KAFKA_READY_TIMEOUT_MS=$((${KAFKA_READY_TIMEOUT:-60} * 1000)) \
    KAFKAJS_NO_PARTITIONER_WARNING=1 \
    "$node" --disable-warning=TimeoutNegativeWarning "$SCRIPT_DIR/lib/kafka-ready.mjs" 2>&1); then
    printf '%s\n' "$out" >&2
    show_log_tail "$KAFKA_LOG" 30
    die "$(kafka_label): broker on $KAFKA_HOST:$KAFKA_PORT did not become ready (log: $KAFKA_LOG)"
  fi
  # Warnings (stderr) come first, the summary is the last line.
  KAFKA_SUMMARY=$(printf '%s\n' "$out" | tail -n1)
  local warnings
  warnings=$(printf '%s\n' "$out" | sed '$d')
  [[ -z $warnings ]] || warn "$warnings"
}

# Rotate a big log on start so it never grows without bound.
kafka_rotate_log() {
  if [[ -f $KAFKA_LOG ]] && (($(stat -c %s "$KAFKA_LOG") > 50 * 1024 * 1024)); then
    mv -f "$KAFKA_LOG" "$KAFKA_LOG.1"
  fi
}

up_kafka() {
  kafka_validate
  local label addr="$KAFKA_HOST:$KAFKA_PORT" pid start
  label=$(kafka_label)
  mkdir -p "$KAFKA_DIR"
  lock_fd 9 "$KAFKA_DIR/.lock" "$label"
  start=$(now_ms)

  if pid=$(pidfile_pid "$KAFKA_PIDFILE" "$(kafka_pattern)"); then
    local running_addr
    running_addr=$(cat "$KAFKA_ADDRESS_FILE" 2>/dev/null || echo '?')
    if [[ $running_addr != "$addr" ]]; then
      die "$label: already running (pid $pid) on $running_addr, not $addr; run 'scripts/infra.sh down kafka' first"
    fi
    if ! wait_for_port "$KAFKA_HOST" "$KAFKA_PORT" "${KAFKA_START_TIMEOUT:-90}" "$pid"; then
      show_log_tail "$KAFKA_LOG" 30
      die "$label: pid $pid is running but $addr does not answer (log: $KAFKA_LOG)"
    fi
    kafka_ready
    log "$label: already running (pid $pid) on $addr; $KAFKA_SUMMARY"
    return 0
  fi

  # A broker this checkout did not start (e.g. one left by another clone of the project on
  # the same machine) is used as it is when it answers Kafka metadata: tests and services only
  # need a broker, and `down` leaves it alone since there is no pidfile for it here.
  if port_open "$KAFKA_HOST" "$KAFKA_PORT" && [[ ${CARAVAN_REUSE_KAFKA:-1} == 1 ]] &&
    (KAFKA_READY_TIMEOUT=10 kafka_ready) >/dev/null 2>&1; then
    kafka_ready
    log "$label: using the broker already answering on $addr (not started here; 'down' leaves it running); $KAFKA_SUMMARY"
    return 0
  fi

  local p
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if port_open "$KAFKA_HOST" "$p"; then
      die "$label: port $KAFKA_HOST:$p is already in use by $(port_owner "$p"), which infra.sh did not start (no live pidfile at $KAFKA_PIDFILE). Stop it, or choose other ports with KAFKA_PORT / KAFKA_CONTROLLER_PORT."
    fi
  done

  mvn_fetch kafka "$SCRIPT_DIR/kafka/pom.xml" "$KAFKA_LIBS" "$KAFKA_HOME/mvn.log" \
    -Dkafka.version="$KAFKA_VERSION"

  local java
  java=$(kafka_java)
  kafka_rotate_log
  kafka_write_props
  printf '%s\n' "$addr" >"$KAFKA_ADDRESS_FILE"
  printf '%s\n' "$KAFKA_VERSION" >"$KAFKA_DIR/version"

  start=$(now_ms) # time the start itself; the download line has its own timing
  step_begin "$label: starting $KAFKA_VERSION on $addr ..."
  kafka_format_if_needed "$java"

  # shellcheck disable=SC2206
  local heap=(${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}) extra=(${KAFKA_JVM_OPTS:-})
  local jvm=(
    "${heap[@]}"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:ParallelGCThreads=2 -XX:ConcGCThreads=1 -XX:CICompilerCount=2
    -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true
    "${KAFKA_LOG_OPTS[@]}"
    "${extra[@]}"
  )
  printf '\n===== %s infra.sh: starting Kafka %s on %s (controller %s) =====\n' \
    "$(date -u +%FT%TZ)" "$KAFKA_VERSION" "$addr" "$KAFKA_HOST:$KAFKA_CONTROLLER_PORT" >>"$KAFKA_LOG"

  if ! pid=$(start_background "$KAFKA_PIDFILE" "$KAFKA_LOG" "$KAFKA_DIR" \
    "$java" "${jvm[@]}" -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_PROPS"); then
    show_log_tail "$KAFKA_LOG" 30
    die "$label: could not start the JVM (log: $KAFKA_LOG)"
  fi

  local rc=0
  wait_for_port "$KAFKA_HOST" "$KAFKA_PORT" "${KAFKA_START_TIMEOUT:-90}" "$pid" || rc=$?
  if ((rc != 0)); then
    show_log_tail "$KAFKA_LOG" 30
    if ((rc == 2)); then
      rm -f "$KAFKA_PIDFILE"
      die "$label: the broker exited during startup (log: $KAFKA_LOG)"
    fi
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$KAFKA_PIDFILE"
    die "$label: $addr did not open within ${KAFKA_START_TIMEOUT:-90}s; killed pid $pid (log: $KAFKA_LOG)"
  fi
  kafka_ready
  step_end "ready in $(elapsed_since "$start") (pid $pid; $KAFKA_SUMMARY)"
}

down_kafka() {
  kafka_validate
  local label
  label=$(kafka_label)
  [[ -d $KAFKA_DIR ]] || {
    log "$label: not running"
    return 0
  }
  lock_fd 9 "$KAFKA_DIR/.lock" "$label"
  stop_pidfile "$label" "$KAFKA_PIDFILE" "$(kafka_pattern)" "${KAFKA_STOP_TIMEOUT:-30}"
}

reset_kafka() {
  down_kafka
  if [[ -d $KAFKA_DATA ]]; then
    rm -rf "$KAFKA_DATA"
    log "$(kafka_label): wiped $KAFKA_DATA"
  fi
}

status_kafka() {
  kafka_validate
  local label pid addr="$KAFKA_HOST:$KAFKA_PORT"
  label=$(kafka_label)
  if pid=$(pidfile_pid "$KAFKA_PIDFILE" "$(kafka_pattern)"); then
    addr=$(cat "$KAFKA_ADDRESS_FILE" 2>/dev/null || echo "$addr")
    local version
    version=$(cat "$KAFKA_DIR/version" 2>/dev/null || echo '?')
    if port_open "${addr%:*}" "${addr##*:}"; then
      status_line "$label" running "$pid" "$addr" "Kafka $version, log $KAFKA_LOG"
    else
      status_line "$label" starting "$pid" "$addr" "not answering yet, log $KAFKA_LOG"
    fi
  elif port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
    status_line "$label" stopped - "$addr" "port in use by $(port_owner "$KAFKA_PORT"), not ours"
  else
    status_line "$label" stopped - "$addr"
  fi
}

# ===========================================================================
# Dispatch
# ===========================================================================
status_line() {
  local name=$1 state=$2 pid=$3 addr=$4 note=${5:-}
  printf '%-10s %-8s pid %-8s %-21s %s\n' "$name:" "$state" "$pid" "$addr" "$note" | sed 's/ *$//'
}

usage() {
  cat <<EOF
usage: scripts/infra.sh up     [component ...]
       scripts/infra.sh down   [component ...]
       scripts/infra.sh status
       scripts/infra.sh reset  component ...
components: ${COMPONENTS[*]}
EOF
}

# resolve_components ARGS...: sets SELECTED to the validated list (all when empty).
SELECTED=()
resolve_components() {
  if (($# == 0)); then
    SELECTED=("${COMPONENTS[@]}")
    return
  fi
  local c known
  for c in "$@"; do
    for known in "${COMPONENTS[@]}"; do
      [[ $c == "$known" ]] && continue 2
    done
    die "unknown component '$c' (known: ${COMPONENTS[*]})"
  done
  SELECTED=("$@")
}

main() {
  local cmd=${1:-}
  (($#)) && shift
  local list=() c
  case $cmd in
    up)
      resolve_components "$@"; list=("${SELECTED[@]}")
      mkdir -p "$STATE_DIR"
      for c in "${list[@]}"; do "up_$c"; done
      ;;
    down)
      resolve_components "$@"; list=("${SELECTED[@]}")
      local i
      for ((i = ${#list[@]} - 1; i >= 0; i--)); do "down_${list[i]}"; done
      ;;
    status)
      resolve_components "$@"; list=("${SELECTED[@]}")
      for c in "${list[@]}"; do "status_$c"; done
      ;;
    reset)
      (($#)) || die "reset needs a component (e.g. scripts/infra.sh reset kafka)"
      resolve_components "$@"; list=("${SELECTED[@]}")
      for c in "${list[@]}"; do
        declare -F "reset_$c" >/dev/null || die "$c has no reset"
        "reset_$c"
      done
      ;;
    -h | --help | help)
      usage
      ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

main "$@"
