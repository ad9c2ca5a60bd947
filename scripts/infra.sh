#!/usr/bin/env bash
# Local infrastructure for Caravan: real servers, no Docker.
#
#   scripts/infra.sh up     [component ...]   start (all when none given); no-op if running
#   scripts/infra.sh down   [component ...]   stop what this script started (all when none given)
#   scripts/infra.sh status [component ...]   one line per component
#   scripts/infra.sh reset  component ...     stop and wipe its data (kafka, pubsub)
#
# Components: postgres, kafka, elasticmq (SQS), pubsub (Google Pub/Sub emulator).
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
#   elasticmq: ELASTICMQ_INSTANCE (elasticmq; state under $CARAVAN_STATE_DIR/<instance>/),
#             ELASTICMQ_PORT (9324; SQS endpoint http://127.0.0.1:<port>, in memory),
#             ELASTICMQ_HEAP_OPTS (-Xms64m -Xmx256m), ELASTICMQ_JVM_OPTS (extra JVM flags),
#             ELASTICMQ_START_TIMEOUT (60 s for the port), ELASTICMQ_READY_TIMEOUT (30 s for
#             the SQS API), ELASTICMQ_STOP_TIMEOUT (20 s before SIGKILL),
#             CARAVAN_REUSE_ELASTICMQ (1: use an SQS endpoint already answering on the port)
#   pubsub:   PUBSUB_INSTANCE (pubsub; state under $CARAVAN_STATE_DIR/<instance>/),
#             PUBSUB_PORT (8085; clients set PUBSUB_EMULATOR_HOST=127.0.0.1:<port>),
#             PUBSUB_PROJECT_ID (caravan-local), PUBSUB_JVM_OPTS (-Xms64m -Xmx256m ...),
#             PUBSUB_START_TIMEOUT (60 s), PUBSUB_READY_TIMEOUT (30 s),
#             PUBSUB_STOP_TIMEOUT (20 s before SIGKILL of the process group),
#             CARAVAN_REUSE_PUBSUB (1: use an emulator already answering on the port)
#
# Adding a component: append its name to COMPONENTS and define up_<name>, down_<name>,
# status_<name> (and optionally reset_<name>), using the helpers in scripts/lib/common.sh
# (mvn_fetch, start_background, wait_for_port, stop_pidfile, stop_group, pidfile_pid,
# pidfile_group, lock_fd).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$SCRIPT_DIR/lib/common.sh"

STATE_DIR=${CARAVAN_STATE_DIR:-$REPO_ROOT/.run}
CACHE_DIR=${CARAVAN_CACHE_DIR:-$REPO_ROOT/.cache}

# Order matters: `up` goes left to right, `down` right to left.
COMPONENTS=(postgres rabbitmq kafka elasticmq pubsub)

# ===========================================================================
# postgres: the machine's PostgreSQL cluster (not ours to own unless we start it)
# ===========================================================================
PG_HOST=${PGHOST:-127.0.0.1}
PG_PORT=${PGPORT:-5432}
PG_USER=${PGUSER:-postgres}
PG_STARTED_MARKER=$STATE_DIR/postgres/started-by-infra
RABBITMQ_HOST=${RABBITMQ_HOST:-127.0.0.1}
RABBITMQ_PORT=${RABBITMQ_PORT:-5672}
RABBITMQ_STARTED_MARKER=$STATE_DIR/rabbitmq/started-by-infra

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

# ---------------------------------------------------------------------------
# rabbitmq: the machine's RabbitMQ (AMQP sources); like postgres, started only when it does
# not answer, and stopped by `down` only in that case.
# ---------------------------------------------------------------------------
up_rabbitmq() {
  local start
  start=$(now_ms)
  if port_open "$RABBITMQ_HOST" "$RABBITMQ_PORT"; then
    log "rabbitmq: running on $RABBITMQ_HOST:$RABBITMQ_PORT"
    return 0
  fi
  command -v rabbitmq-server >/dev/null 2>&1 ||
    die "rabbitmq: nothing answers on $RABBITMQ_HOST:$RABBITMQ_PORT and rabbitmq-server is not installed"
  step_begin "rabbitmq: starting the local server ..."
  local out
  out=$(rabbitmq-server -detached 2>&1) || { printf '%s\n' "$out" >&2; die "rabbitmq: rabbitmq-server -detached failed"; }
  mkdir -p "$(dirname "$RABBITMQ_STARTED_MARKER")"
  touch "$RABBITMQ_STARTED_MARKER"
  local i
  for ((i = 0; i < 300; i++)); do
    port_open "$RABBITMQ_HOST" "$RABBITMQ_PORT" && break
    sleep 0.2
  done
  port_open "$RABBITMQ_HOST" "$RABBITMQ_PORT" ||
    die "rabbitmq: started but $RABBITMQ_HOST:$RABBITMQ_PORT does not answer after 60s (logs: /var/log/rabbitmq/)"
  step_end "started in $(elapsed_since "$start")"
}

down_rabbitmq() {
  if [[ ! -f $RABBITMQ_STARTED_MARKER ]]; then
    log "rabbitmq: left running (not started by infra.sh)"
    return 0
  fi
  rabbitmqctl stop >/dev/null 2>&1 || true
  rm -f "$RABBITMQ_STARTED_MARKER"
  log "rabbitmq: stopped"
}

status_rabbitmq() {
  if port_open "$RABBITMQ_HOST" "$RABBITMQ_PORT"; then
    local owner='external'
    [[ -f $RABBITMQ_STARTED_MARKER ]] && owner='started by infra.sh'
    status_line rabbitmq running - "$RABBITMQ_HOST:$RABBITMQ_PORT" "$owner"
  else
    status_line rabbitmq stopped - "$RABBITMQ_HOST:$RABBITMQ_PORT"
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
    check_running_instance "$label" kafka "$pid" "$addr" "$KAFKA_ADDRESS_FILE" "$KAFKA_HOST" "$KAFKA_PORT" \
      "${KAFKA_START_TIMEOUT:-90}" "$KAFKA_LOG" kafka_ready
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
# shared by elasticmq and pubsub
# ===========================================================================
# validate_instance LABEL NAME VALUE: instance names become folder names.
validate_instance() {
  [[ $3 =~ ^[A-Za-z0-9][A-Za-z0-9._-]*$ ]] ||
    die "$1: $2 '$3' must be letters, digits, '.', '_' or '-'"
}

# validate_port LABEL VALUE
validate_port() {
  if ! [[ $2 =~ ^[0-9]+$ ]] || (($2 < 1 || $2 > 65535)); then
    die "$1: invalid port '$2'"
  fi
}

# instance_label COMPONENT INSTANCE -> "elasticmq" or "elasticmq[other]"
instance_label() {
  if [[ $1 == "$2" ]]; then printf '%s' "$1"; else printf '%s[%s]' "$1" "$2"; fi
}

# find_java NAME: the java binary (JAVA_HOME first).
find_java() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  elif command -v java >/dev/null 2>&1; then
    command -v java
  else
    die "$1: java not found (Java 17+ is needed)"
  fi
}

# rotate_log FILE: keep one old copy once a log passes 50 MiB.
rotate_log() {
  if [[ -f $1 ]] && (($(stat -c %s "$1") > 50 * 1024 * 1024)); then
    mv -f "$1" "$1.1"
  fi
}

# run_ready_script LABEL LOGFILE SCRIPT [VAR=VALUE ...]: run a scripts/lib/*-ready.mjs
# check with the given environment; on success sets READY_SUMMARY to its last line,
# on failure prints its output and the log tail and dies.
READY_SUMMARY=''
run_ready_script() {
  local label=$1 logfile=$2 script=$3 node out
  shift 3
  node=$(find_node)
  if ! out=$(env "$@" "$node" "$SCRIPT_DIR/lib/$script" 2>&1); then
    printf '%s\n' "$out" >&2
    show_log_tail "$logfile" 30
    die "$label: did not become ready (log: $logfile)"
  fi
  READY_SUMMARY=$(printf '%s\n' "$out" | tail -n1)
  local warnings
  warnings=$(printf '%s\n' "$out" | sed '$d')
  [[ -z $warnings ]] || warn "$warnings"
}

# ready_quietly SCRIPT [VAR=VALUE ...]: true if the check passes (no output).
ready_quietly() {
  local script=$1 node
  shift
  node=$(find_node)
  env "$@" "$node" "$SCRIPT_DIR/lib/$script" >/dev/null 2>&1
}

# wait_started LABEL HOST PORT TIMEOUT PID PIDFILE LOGFILE STOPCMD...: wait for the
# port of a process just started; on failure show the log, stop it and die.
wait_started() {
  local label=$1 host=$2 port=$3 timeout=$4 pid=$5 pidfile=$6 logfile=$7 rc=0
  shift 7
  wait_for_port "$host" "$port" "$timeout" "$pid" || rc=$?
  ((rc == 0)) && return 0
  show_log_tail "$logfile" 30
  if ((rc == 2)); then
    "$@" >/dev/null 2>&1 || true # leftovers of a launcher that died
    rm -f "$pidfile"
    die "$label: exited during startup (log: $logfile)"
  fi
  "$@" >/dev/null 2>&1 || true
  rm -f "$pidfile"
  die "$label: $host:$port did not open within ${timeout}s; stopped pid $pid (log: $logfile)"
}

# ===========================================================================
# elasticmq: ElasticMQ (SQS-compatible), jars from Maven Central
# ===========================================================================
# Newest 1.x release Maven Central serves here; verified with @aws-sdk/client-sqs
# 3.1169.0 (create queue, send, receive, delete) by test/infra/brokers-script.spec.ts.
ELASTICMQ_VERSION=1.7.1

ELASTICMQ_HOST=127.0.0.1
ELASTICMQ_INSTANCE=${ELASTICMQ_INSTANCE:-elasticmq}
ELASTICMQ_PORT=${ELASTICMQ_PORT:-9324}
ELASTICMQ_HOME=$CACHE_DIR/elasticmq-$ELASTICMQ_VERSION
ELASTICMQ_LIBS=$ELASTICMQ_HOME/libs
ELASTICMQ_DIR=$STATE_DIR/$ELASTICMQ_INSTANCE
ELASTICMQ_CONF=$ELASTICMQ_DIR/elasticmq.conf
ELASTICMQ_PIDFILE=$ELASTICMQ_DIR/elasticmq.pid
ELASTICMQ_LOG=$ELASTICMQ_DIR/elasticmq.log
ELASTICMQ_ADDRESS_FILE=$ELASTICMQ_DIR/address

elasticmq_label() { instance_label elasticmq "$ELASTICMQ_INSTANCE"; }

elasticmq_validate() {
  validate_instance elasticmq ELASTICMQ_INSTANCE "$ELASTICMQ_INSTANCE"
  validate_port elasticmq "$ELASTICMQ_PORT"
}

# Our server's command line contains this; guards against pid reuse.
elasticmq_pattern() { printf -- '-Dconfig.file=%s ' "$ELASTICMQ_CONF"; }

elasticmq_write_conf() {
  mkdir -p "$ELASTICMQ_DIR"
  local h=$ELASTICMQ_HOST p=$ELASTICMQ_PORT
  cat >"$ELASTICMQ_CONF.tmp" <<EOF
# Written by scripts/infra.sh on each start; edits are overwritten.
include classpath("application.conf")

# Queue URLs the server hands out: http://$h:$p/<account>/<queue>.
node-address {
  protocol = http
  host = "$h"
  port = $p
  context-path = ""
}
generate-node-address = false

rest-sqs {
  enabled = true
  bind-port = $p
  bind-hostname = "$h"
  sqs-limits = strict
}

# The statistics UI/API (default port 9325) is not needed and would clash between instances.
rest-stats {
  enabled = false
}

# In memory only: queues and messages are gone after a restart. Queues are created by the
# apps (or tests) with the SDK.
queues {}
queues-storage {
  enabled = false
}
messages-storage {
  enabled = false
}

aws {
  region = us-east-1
  accountId = 000000000000
}
EOF
  mv -f "$ELASTICMQ_CONF.tmp" "$ELASTICMQ_CONF"
}

elasticmq_ready() {
  run_ready_script "$(elasticmq_label)" "$ELASTICMQ_LOG" sqs-ready.mjs \
    SQS_HOST="$ELASTICMQ_HOST" SQS_PORT="$ELASTICMQ_PORT" \
    SQS_READY_TIMEOUT_MS=$((${ELASTICMQ_READY_TIMEOUT:-30} * 1000))
}

up_elasticmq() {
  elasticmq_validate
  local label addr="$ELASTICMQ_HOST:$ELASTICMQ_PORT" pid start
  label=$(elasticmq_label)
  mkdir -p "$ELASTICMQ_DIR"
  lock_fd 9 "$ELASTICMQ_DIR/.lock" "$label"

  if pid=$(pidfile_pid "$ELASTICMQ_PIDFILE" "$(elasticmq_pattern)"); then
    check_running_instance "$label" elasticmq "$pid" "$addr" "$ELASTICMQ_ADDRESS_FILE" "$ELASTICMQ_HOST" "$ELASTICMQ_PORT" \
      "${ELASTICMQ_START_TIMEOUT:-60}" "$ELASTICMQ_LOG" elasticmq_ready
    log "$label: already running (pid $pid) on $addr; $READY_SUMMARY"
    return 0
  fi

  # An SQS endpoint this checkout did not start (e.g. another clone's ElasticMQ) is used
  # as it is when it answers the SQS API; `down` leaves it alone (no pidfile here).
  if port_open "$ELASTICMQ_HOST" "$ELASTICMQ_PORT"; then
    if [[ ${CARAVAN_REUSE_ELASTICMQ:-1} == 1 ]] &&
      ready_quietly sqs-ready.mjs SQS_HOST="$ELASTICMQ_HOST" SQS_PORT="$ELASTICMQ_PORT" SQS_READY_TIMEOUT_MS=5000; then
      elasticmq_ready
      log "$label: using the SQS endpoint already answering on $addr (not started here; 'down' leaves it running); $READY_SUMMARY"
      return 0
    fi
    die "$label: port $addr is already in use by $(port_owner "$ELASTICMQ_PORT"), which infra.sh did not start (no live pidfile at $ELASTICMQ_PIDFILE). Stop it, or choose another port with ELASTICMQ_PORT."
  fi

  mvn_fetch elasticmq "$SCRIPT_DIR/elasticmq/pom.xml" "$ELASTICMQ_LIBS" "$ELASTICMQ_HOME/mvn.log" \
    -Delasticmq.version="$ELASTICMQ_VERSION"

  local java
  java=$(find_java elasticmq)
  rotate_log "$ELASTICMQ_LOG"
  elasticmq_write_conf
  printf '%s\n' "$addr" >"$ELASTICMQ_ADDRESS_FILE"
  printf '%s\n' "$ELASTICMQ_VERSION" >"$ELASTICMQ_DIR/version"

  start=$(now_ms) # time the start itself; the download line has its own timing
  step_begin "$label: starting $ELASTICMQ_VERSION on $addr ..."
  # shellcheck disable=SC2206
  local heap=(${ELASTICMQ_HEAP_OPTS:--Xms64m -Xmx256m}) extra=(${ELASTICMQ_JVM_OPTS:-})
  local jvm=(
    "${heap[@]}"
    -XX:+UseSerialGC -XX:CICompilerCount=2 -XX:+ExitOnOutOfMemoryError
    -Djava.awt.headless=true
    "${extra[@]}"
  )
  printf '\n===== %s infra.sh: starting ElasticMQ %s on %s =====\n' \
    "$(date -u +%FT%TZ)" "$ELASTICMQ_VERSION" "$addr" >>"$ELASTICMQ_LOG"

  # -Dconfig.file comes last before the main class so that the pattern ends with a space.
  if ! pid=$(start_background "$ELASTICMQ_PIDFILE" "$ELASTICMQ_LOG" "$ELASTICMQ_DIR" \
    "$java" "${jvm[@]}" -cp "$ELASTICMQ_LIBS/*" "-Dconfig.file=$ELASTICMQ_CONF" org.elasticmq.server.Main); then
    show_log_tail "$ELASTICMQ_LOG" 30
    die "$label: could not start the JVM (log: $ELASTICMQ_LOG)"
  fi
  wait_started "$label" "$ELASTICMQ_HOST" "$ELASTICMQ_PORT" "${ELASTICMQ_START_TIMEOUT:-60}" \
    "$pid" "$ELASTICMQ_PIDFILE" "$ELASTICMQ_LOG" kill -KILL "$pid"
  elasticmq_ready
  step_end "ready in $(elapsed_since "$start") (pid $pid; $READY_SUMMARY)"
}

down_elasticmq() {
  elasticmq_validate
  local label
  label=$(elasticmq_label)
  [[ -d $ELASTICMQ_DIR ]] || {
    log "$label: not running"
    return 0
  }
  lock_fd 9 "$ELASTICMQ_DIR/.lock" "$label"
  stop_pidfile "$label" "$ELASTICMQ_PIDFILE" "$(elasticmq_pattern)" "${ELASTICMQ_STOP_TIMEOUT:-20}"
}

status_elasticmq() {
  elasticmq_validate
  local label pid addr="$ELASTICMQ_HOST:$ELASTICMQ_PORT"
  label=$(elasticmq_label)
  if pid=$(pidfile_pid "$ELASTICMQ_PIDFILE" "$(elasticmq_pattern)"); then
    addr=$(cat "$ELASTICMQ_ADDRESS_FILE" 2>/dev/null || echo "$addr")
    local version
    version=$(cat "$ELASTICMQ_DIR/version" 2>/dev/null || echo '?')
    if port_open "${addr%:*}" "${addr##*:}"; then
      status_line "$label" running "$pid" "$addr" "ElasticMQ $version, log $ELASTICMQ_LOG"
    else
      status_line "$label" starting "$pid" "$addr" "not answering yet, log $ELASTICMQ_LOG"
    fi
  elif port_open "$ELASTICMQ_HOST" "$ELASTICMQ_PORT"; then
    status_line "$label" stopped - "$addr" "port in use by $(port_owner "$ELASTICMQ_PORT"), not ours"
  else
    status_line "$label" stopped - "$addr"
  fi
}

# ===========================================================================
# pubsub: the Google Cloud Pub/Sub emulator (Debian package
# google-cloud-cli-pubsub-emulator), run through gcloud
# ===========================================================================
# `gcloud beta emulators pubsub start` is a Python process that runs the emulator's
# launcher script, which execs a JVM. Signalling gcloud alone leaves the JVM running, so
# the whole process group (start_background makes gcloud a group leader) is stopped.
PUBSUB_HOST=127.0.0.1
PUBSUB_INSTANCE=${PUBSUB_INSTANCE:-pubsub}
PUBSUB_PORT=${PUBSUB_PORT:-8085}
PUBSUB_PROJECT=${PUBSUB_PROJECT_ID:-caravan-local}
PUBSUB_DIR=$STATE_DIR/$PUBSUB_INSTANCE
PUBSUB_DATA=$PUBSUB_DIR/data
PUBSUB_PIDFILE=$PUBSUB_DIR/pubsub.pid
PUBSUB_LOG=$PUBSUB_DIR/pubsub.log
PUBSUB_ADDRESS_FILE=$PUBSUB_DIR/address

pubsub_label() { instance_label pubsub "$PUBSUB_INSTANCE"; }

pubsub_validate() {
  validate_instance pubsub PUBSUB_INSTANCE "$PUBSUB_INSTANCE"
  validate_port pubsub "$PUBSUB_PORT"
}

# The group leader's (gcloud's) command line contains this; guards against pid reuse.
pubsub_pattern() { printf -- '--host-port=%s:%s ' "$PUBSUB_HOST" "$PUBSUB_PORT"; }
# Every process of the group (gcloud, the launcher, the JVM) mentions pubsub.
PUBSUB_MEMBER_PATTERN=pubsub

pubsub_ready() {
  run_ready_script "$(pubsub_label)" "$PUBSUB_LOG" pubsub-ready.mjs \
    PUBSUB_EMULATOR_HOST="$PUBSUB_HOST:$PUBSUB_PORT" PUBSUB_PROJECT_ID="$PUBSUB_PROJECT" \
    PUBSUB_READY_TIMEOUT_MS=$((${PUBSUB_READY_TIMEOUT:-30} * 1000))
}

pubsub_stop_group() {
  stop_group "$(pubsub_label)" "$PUBSUB_PIDFILE" "$PUBSUB_MEMBER_PATTERN" "${PUBSUB_STOP_TIMEOUT:-20}"
}

up_pubsub() {
  pubsub_validate
  local label addr="$PUBSUB_HOST:$PUBSUB_PORT" pid start
  label=$(pubsub_label)
  mkdir -p "$PUBSUB_DIR"
  lock_fd 9 "$PUBSUB_DIR/.lock" "$label"

  if pid=$(pidfile_group "$PUBSUB_PIDFILE" "$PUBSUB_MEMBER_PATTERN"); then
    if ! pid_alive "$pid" || [[ $(pid_cmdline "$pid") != *"$(pubsub_pattern)"* ]]; then
      # gcloud is gone but left its JVM: not a state worth keeping.
      warn "$label: gcloud (pid $pid) exited but left part of its process group running; restarting"
      pubsub_stop_group >/dev/null
    else
      check_running_instance "$label" pubsub "$pid" "$addr" "$PUBSUB_ADDRESS_FILE" "$PUBSUB_HOST" "$PUBSUB_PORT" \
        "${PUBSUB_START_TIMEOUT:-60}" "$PUBSUB_LOG" pubsub_ready
      log "$label: already running (pid $pid) on $addr; $READY_SUMMARY"
      return 0
    fi
  fi

  # An emulator this checkout did not start is used as it is when it answers the
  # Pub/Sub API; `down` leaves it alone (no pidfile here).
  if port_open "$PUBSUB_HOST" "$PUBSUB_PORT"; then
    if [[ ${CARAVAN_REUSE_PUBSUB:-1} == 1 ]] &&
      ready_quietly pubsub-ready.mjs PUBSUB_EMULATOR_HOST="$addr" PUBSUB_PROJECT_ID="$PUBSUB_PROJECT" PUBSUB_READY_TIMEOUT_MS=5000; then
      pubsub_ready
      log "$label: using the Pub/Sub emulator already answering on $addr (not started here; 'down' leaves it running); $READY_SUMMARY"
      return 0
    fi
    die "$label: port $addr is already in use by $(port_owner "$PUBSUB_PORT"), which infra.sh did not start (no live pidfile at $PUBSUB_PIDFILE). Stop it, or choose another port with PUBSUB_PORT."
  fi

  command -v gcloud >/dev/null 2>&1 ||
    die "$label: gcloud is not installed (Debian packages google-cloud-cli and google-cloud-cli-pubsub-emulator)"
  find_java pubsub >/dev/null

  rotate_log "$PUBSUB_LOG"
  mkdir -p "$PUBSUB_DATA" # gcloud writes env.yaml there and fails if it is missing
  printf '%s\n' "$addr" >"$PUBSUB_ADDRESS_FILE"

  start=$(now_ms)
  step_begin "$label: starting the emulator on $addr ..."
  printf '\n===== %s infra.sh: starting the Pub/Sub emulator on %s =====\n' \
    "$(date -u +%FT%TZ)" "$addr" >>"$PUBSUB_LOG"
  # CLOUD_PUBSUB_EMULATOR_OPTS: JVM flags, read by the emulator's launcher script.
  if ! pid=$(start_background "$PUBSUB_PIDFILE" "$PUBSUB_LOG" "$PUBSUB_DIR" \
    env CLOUDSDK_CORE_DISABLE_PROMPTS=1 CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1 \
    CLOUD_PUBSUB_EMULATOR_OPTS="${PUBSUB_JVM_OPTS:--Xms64m -Xmx256m -XX:+UseSerialGC -XX:CICompilerCount=2}" \
    gcloud beta emulators pubsub start "--host-port=$addr" "--data-dir=$PUBSUB_DATA" \
    "--project=$PUBSUB_PROJECT" --quiet); then
    show_log_tail "$PUBSUB_LOG" 30
    die "$label: could not start gcloud (log: $PUBSUB_LOG)"
  fi
  wait_started "$label" "$PUBSUB_HOST" "$PUBSUB_PORT" "${PUBSUB_START_TIMEOUT:-60}" \
    "$pid" "$PUBSUB_PIDFILE" "$PUBSUB_LOG" pubsub_stop_group
  pubsub_ready
  local java_pid
  java_pid=$(group_pids "$pid" java | head -n1)
  step_end "ready in $(elapsed_since "$start") (pid $pid, emulator JVM pid ${java_pid:-?}; $READY_SUMMARY)"
}

down_pubsub() {
  pubsub_validate
  local label
  label=$(pubsub_label)
  [[ -d $PUBSUB_DIR ]] || {
    log "$label: not running"
    return 0
  }
  lock_fd 9 "$PUBSUB_DIR/.lock" "$label"
  pubsub_stop_group
}

reset_pubsub() {
  down_pubsub
  if [[ -d $PUBSUB_DATA ]]; then
    rm -rf "$PUBSUB_DATA"
    log "$(pubsub_label): wiped $PUBSUB_DATA"
  fi
}

status_pubsub() {
  pubsub_validate
  local label pid addr="$PUBSUB_HOST:$PUBSUB_PORT"
  label=$(pubsub_label)
  if pid=$(pidfile_group "$PUBSUB_PIDFILE" "$PUBSUB_MEMBER_PATTERN"); then
    addr=$(cat "$PUBSUB_ADDRESS_FILE" 2>/dev/null || echo "$addr")
    if ! pid_alive "$pid"; then
      status_line "$label" broken "$pid" "$addr" "gcloud exited, its JVM did not; 'down pubsub' stops it"
    elif port_open "${addr%:*}" "${addr##*:}"; then
      status_line "$label" running "$pid" "$addr" "emulator, project $PUBSUB_PROJECT, log $PUBSUB_LOG"
    else
      status_line "$label" starting "$pid" "$addr" "not answering yet, log $PUBSUB_LOG"
    fi
  elif port_open "$PUBSUB_HOST" "$PUBSUB_PORT"; then
    status_line "$label" stopped - "$addr" "port in use by $(port_owner "$PUBSUB_PORT"), not ours"
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
       scripts/infra.sh status [component ...]
       scripts/infra.sh reset  component ...
components: ${COMPONENTS[*]} (all of them when none is given)
  postgres   the machine's PostgreSQL on \$PGHOST:\$PGPORT (127.0.0.1:5432)
  rabbitmq   the machine's RabbitMQ on 127.0.0.1:\$RABBITMQ_PORT (5672), started only if it does not answer
  kafka      Apache Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:\$KAFKA_PORT (9092)
  elasticmq  ElasticMQ $ELASTICMQ_VERSION (SQS API) on http://127.0.0.1:\$ELASTICMQ_PORT (9324)
  pubsub     Pub/Sub emulator (gcloud) on 127.0.0.1:\$PUBSUB_PORT (8085), project \$PUBSUB_PROJECT_ID (caravan-local)
Environment variables: see the header of scripts/infra.sh.
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
