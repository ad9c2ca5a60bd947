# shellcheck shell=bash
# Shared helpers for scripts/infra.sh (sourced, not executed).
#
# Conventions: every helper prints nothing on success unless it is a log helper;
# failures go to stderr. Locks use fds 8 (cache) and 9 (instance); background
# processes are started with those fds closed so they never hold a lock.

# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

# Set while a step line has been printed without its final newline
# ("kafka: starting ... "); log helpers finish that line first.
_INFRA_OPEN_LINE=0

_infra_close_line() {
  if [[ $_INFRA_OPEN_LINE == 1 ]]; then
    printf '\n'
    _INFRA_OPEN_LINE=0
  fi
}

# log MSG...: one line to stdout.
log() {
  _infra_close_line
  printf '%s\n' "$*"
}

# step_begin MSG...: start a step line, to be finished by step_end.
step_begin() {
  _infra_close_line
  printf '%s ' "$*"
  _INFRA_OPEN_LINE=1
}

# step_end MSG...: finish the line started by step_begin.
step_end() {
  if [[ $_INFRA_OPEN_LINE == 1 ]]; then
    printf '%s\n' "$*"
    _INFRA_OPEN_LINE=0
  else
    printf '%s\n' "$*"
  fi
}

warn() {
  _infra_close_line
  printf '%s\n' "$*" >&2
}

# die MSG...: print to stderr and exit 1.
die() {
  _infra_close_line
  printf 'error: %s\n' "$*" >&2
  exit 1
}

# show_log_tail FILE [LINES]: print the end of a log to stderr, framed.
show_log_tail() {
  local file=$1 lines=${2:-30}
  _infra_close_line
  if [[ -s $file ]]; then
    printf -- '----- last %s lines of %s -----\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" >&2 || true
    printf -- '----- end of %s -----\n' "$file" >&2
  else
    printf '(log %s is empty or missing)\n' "$file" >&2
  fi
}

# ---------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------

now_ms() { date +%s%3N; }

# elapsed_since START_MS -> "7.2s"
elapsed_since() {
  local start=$1 end
  end=$(now_ms)
  local d=$((end - start))
  printf '%d.%ds' $((d / 1000)) $(((d % 1000) / 100))
}

# ---------------------------------------------------------------------------
# Processes and pidfiles
# ---------------------------------------------------------------------------

# pid_alive PID: true if the process exists and is not a zombie.
pid_alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  # Field 3 of /proc/PID/stat is the state; the command (field 2) may contain
  # spaces, so cut after the last ')'.
  state=$(sed -e 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# pid_cmdline PID: the process's command line, arguments separated by spaces.
pid_cmdline() {
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true
}

# pidfile_pid PIDFILE [PATTERN]: print the pid recorded in PIDFILE if that
# process is alive and (when PATTERN is given) its command line contains
# PATTERN (guards against pid reuse). A stale pidfile is removed. Returns 1
# when nothing of ours is running.
pidfile_pid() {
  local pidfile=$1 pattern=${2:-} pid
  [[ -f $pidfile ]] || return 1
  pid=$(head -n1 "$pidfile" 2>/dev/null | tr -dc '0-9')
  if [[ -n $pid ]] && pid_alive "$pid"; then
    if [[ -z $pattern || $(pid_cmdline "$pid") == *"$pattern"* ]]; then
      printf '%s\n' "$pid"
      return 0
    fi
  fi
  rm -f "$pidfile"
  return 1
}

# start_background PIDFILE LOGFILE WORKDIR CMD [ARGS...]
# Starts CMD detached (own session, immune to SIGHUP, stdin from /dev/null,
# stdout+stderr appended to LOGFILE) so it outlives this script, and writes its
# pid to PIDFILE (the pid of CMD itself: the wrapper shell execs it).
# Prints the pid.
start_background() {
  local pidfile=$1 logfile=$2 workdir=$3
  shift 3
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  rm -f "$pidfile"
  (
    cd "$workdir" || exit 1
    # shellcheck disable=SC2016
    exec setsid nohup sh -c 'echo $$ > "$0.tmp" && mv -f "$0.tmp" "$0" && exec "$@"' \
      "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 8>&- 9>&-
  ) &
  local i pid=''
  for ((i = 0; i < 100; i++)); do
    if [[ -s $pidfile ]]; then
      pid=$(head -n1 "$pidfile" | tr -dc '0-9')
      [[ -n $pid ]] && break
    fi
    sleep 0.05
  done
  [[ -n $pid ]] || return 1
  printf '%s\n' "$pid"
}

# stop_pidfile NAME PIDFILE PATTERN [TIMEOUT_S]
# SIGTERM the process recorded in PIDFILE, wait up to TIMEOUT_S (default 30)
# for it to exit, then SIGKILL. Removes the pidfile. Harmless when nothing
# runs. Prints one line.
stop_pidfile() {
  local name=$1 pidfile=$2 pattern=$3 timeout=${4:-30} pid start
  if ! pid=$(pidfile_pid "$pidfile" "$pattern"); then
    log "$name: not running"
    return 0
  fi
  start=$(now_ms)
  step_begin "$name: stopping pid $pid ..."
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$(($(now_ms) + timeout * 1000))
  while pid_alive "$pid" && (($(now_ms) < deadline)); do
    sleep 0.2
  done
  if pid_alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
      pid_alive "$pid" || break
      sleep 0.1
    done
    if pid_alive "$pid"; then
      die "$name: pid $pid survived SIGKILL (pidfile $pidfile kept)"
    fi
    rm -f "$pidfile"
    step_end "killed (SIGKILL after ${timeout}s) in $(elapsed_since "$start")"
    return 0
  fi
  rm -f "$pidfile"
  step_end "stopped in $(elapsed_since "$start")"
}

# group_pids PGID [PATTERN]: the live (non-zombie) processes of process group
# PGID whose command line contains PATTERN (all of them without one), one a line.
group_pids() {
  local pgid=$1 pattern=${2:-} pid
  [[ $pgid =~ ^[0-9]+$ ]] || return 0
  for pid in $(pgrep -g "$pgid" 2>/dev/null || true); do
    pid_alive "$pid" || continue
    if [[ -z $pattern || $(pid_cmdline "$pid") == *"$pattern"* ]]; then
      printf '%s\n' "$pid"
    fi
  done
}

# pidfile_group PIDFILE PATTERN: for a process started by start_background (its
# pid is also its process group id, thanks to setsid), print that group id while
# any process of the group whose command line contains PATTERN is alive, even if
# the leader itself has exited (e.g. a wrapper that died and left its child).
# A stale pidfile is removed. Returns 1 when nothing of ours is running.
pidfile_group() {
  local pidfile=$1 pattern=$2 pgid
  [[ -f $pidfile ]] || return 1
  pgid=$(head -n1 "$pidfile" 2>/dev/null | tr -dc '0-9')
  if [[ -n $pgid && -n $(group_pids "$pgid" "$pattern") ]]; then
    printf '%s\n' "$pgid"
    return 0
  fi
  rm -f "$pidfile"
  return 1
}

# stop_group NAME PIDFILE PATTERN [TIMEOUT_S]
# Like stop_pidfile, for a process that starts children (a launcher and its JVM):
# SIGTERM the whole process group recorded in PIDFILE (see pidfile_group), wait up
# to TIMEOUT_S (default 30) until no process of the group is left, then SIGKILL the
# group. Removes the pidfile. Harmless when nothing runs. Prints one line.
stop_group() {
  local name=$1 pidfile=$2 pattern=$3 timeout=${4:-30} pgid start
  if ! pgid=$(pidfile_group "$pidfile" "$pattern"); then
    log "$name: not running"
    return 0
  fi
  start=$(now_ms)
  local members
  members=$(group_pids "$pgid" | tr '\n' ' ')
  step_begin "$name: stopping process group $pgid (pids ${members% }) ..."
  kill -TERM -- "-$pgid" 2>/dev/null || true
  local deadline=$(($(now_ms) + timeout * 1000))
  while [[ -n $(group_pids "$pgid") ]] && (($(now_ms) < deadline)); do
    sleep 0.2
  done
  if [[ -n $(group_pids "$pgid") ]]; then
    kill -KILL -- "-$pgid" 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
      [[ -n $(group_pids "$pgid") ]] || break
      sleep 0.1
    done
    if [[ -n $(group_pids "$pgid") ]]; then
      die "$name: process group $pgid survived SIGKILL: $(group_pids "$pgid" | tr '\n' ' ')(pidfile $pidfile kept)"
    fi
    rm -f "$pidfile"
    step_end "killed (SIGKILL after ${timeout}s) in $(elapsed_since "$start")"
    return 0
  fi
  rm -f "$pidfile"
  step_end "stopped in $(elapsed_since "$start")"
}

# ---------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------

# port_open HOST PORT: true if something accepts TCP connections there.
port_open() {
  # shellcheck disable=SC2016 # $0/$1 expand in the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

# port_owner PORT: short description of who listens on PORT (best effort).
port_owner() {
  local out
  out=$(ss -Hltnp "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1)
  printf '%s\n' "${out:-unknown process}"
}

# wait_for_port HOST PORT TIMEOUT_S [PID]
# Returns 0 when the port accepts connections, 1 on timeout, 2 if PID died.
wait_for_port() {
  local host=$1 port=$2 timeout=$3 pid=${4:-}
  local deadline=$(($(now_ms) + timeout * 1000))
  while :; do
    port_open "$host" "$port" && return 0
    if [[ -n $pid ]] && ! pid_alive "$pid"; then
      return 2
    fi
    (($(now_ms) < deadline)) || return 1
    sleep 0.2
  done
}

# ---------------------------------------------------------------------------
# Locks
# ---------------------------------------------------------------------------

# lock_fd FD LOCKFILE WHAT [TIMEOUT_S]: take an exclusive lock on LOCKFILE
# through fd FD (8 or 9), held until the script exits.
lock_fd() {
  local fd=$1 file=$2 what=$3 timeout=${4:-300}
  mkdir -p "$(dirname "$file")"
  eval "exec $fd>\"\$file\""
  if ! flock -n "$fd"; then
    log "$what: waiting for another infra.sh run (lock $file) ..."
    flock -w "$timeout" "$fd" || die "$what: could not take lock $file within ${timeout}s"
  fi
}

# ---------------------------------------------------------------------------
# Downloads
# ---------------------------------------------------------------------------

# mvn_fetch NAME POM DEST_DIR LOGFILE [MVN_ARGS...]
# Copies the runtime dependencies of POM (a packaging=pom dependency list)
# into DEST_DIR with maven-dependency-plugin, unless DEST_DIR/.complete
# exists. Atomic: copies into a temp dir and renames it. Uses ~/.m2 as the
# Maven repository (it persists between sessions).
MAVEN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1
mvn_fetch() {
  local name=$1 pom=$2 dest=$3 logfile=$4
  shift 4
  [[ -f $dest/.complete ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "$name: mvn (Maven) is not installed; it is needed to download jars"
  local parent
  parent=$(dirname "$dest")
  mkdir -p "$parent" "$(dirname "$logfile")"
  lock_fd 8 "$parent/.download.lock" "$name" 900
  [[ -f $dest/.complete ]] && return 0 # another run finished it meanwhile
  local tmp="$dest.tmp.$$" start
  rm -rf "$tmp"
  start=$(now_ms)
  step_begin "$name: downloading jars into $dest ..."
  if ! mvn -B -q -f "$pom" "$@" "$MAVEN_DEPENDENCY_PLUGIN:copy-dependencies" \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$logfile" 2>&1; then
    rm -rf "$tmp"
    show_log_tail "$logfile" 30
    die "$name: Maven download failed (full log: $logfile)"
  fi
  local count
  count=$(find "$tmp" -maxdepth 1 -name '*.jar' | wc -l)
  ((count > 0)) || die "$name: Maven copied no jars into $tmp (log: $logfile)"
  date -u +%FT%TZ >"$tmp/.complete"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  step_end "$count jars in $(elapsed_since "$start")"
}

# find_node: print the Node binary to use (the repo's Node 24 first).
find_node() {
  if [[ -x $REPO_ROOT/node_modules/.bin/node ]]; then
    printf '%s\n' "$REPO_ROOT/node_modules/.bin/node"
  elif command -v node >/dev/null 2>&1; then
    command -v node
  else
    die "node not found (run npm ci first)"
  fi
}

# check_running_instance LABEL COMPONENT PID ADDR ADDRESS_FILE HOST PORT TIMEOUT LOG READY_FN
# For an instance this script started (its pidfile is live): dies when it listens somewhere
# else or does not answer, otherwise runs its readiness check READY_FN. The caller logs.
check_running_instance() {
  local label=$1 component=$2 pid=$3 addr=$4 address_file=$5 host=$6 port=$7 timeout=$8 logfile=$9 ready_fn=${10}
  local running_addr
  running_addr=$(cat "$address_file" 2>/dev/null || echo '?')
  if [[ $running_addr != "$addr" ]]; then
    die "$label: already running (pid $pid) on $running_addr, not $addr; run 'scripts/infra.sh down $component' first"
  fi
  if ! wait_for_port "$host" "$port" "$timeout" "$pid"; then
    show_log_tail "$logfile" 30
    die "$label: pid $pid is running but $addr does not answer (log: $logfile)"
  fi
  "$ready_fn"
}
