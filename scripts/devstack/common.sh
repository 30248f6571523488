# shellcheck shell=bash
# common.sh: settings, logging and process bookkeeping shared by scripts/dev-stack.sh.
#
# Sourced, never run. Every process the dev stack owns is started by devstack_launch, which
# records its pid in $RUN_DIR/<component>.pid; everything that stops or inspects a process goes
# through that pid file, and a pid counts as ours only while its command line names our stack
# dir (so a recycled pid is never signalled).

# ---- settings (all overridable by the environment) -----------------------------------------
DEVSTACK_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# Python for the MQTT probe: the project venv when it exists (Debian's paho either way).
DEVSTACK_PY=${MQTT2S3_PYTHON:-$DEVSTACK_REPO/.venv/bin/python}
[[ -x $DEVSTACK_PY ]] || DEVSTACK_PY=/usr/bin/python3
DEVSTACK_LIB=$DEVSTACK_REPO/scripts/devstack

MQTT2S3_STACK_DIR=${MQTT2S3_STACK_DIR:-$DEVSTACK_REPO/.dev-stack}
MQTT2S3_CACHE_DIR=${MQTT2S3_CACHE_DIR:-$DEVSTACK_REPO/.cache}
MQTT2S3_AEDES=${MQTT2S3_AEDES:-1}
MQTT_HOST=127.0.0.1
MQTT_PORT=${MQTT_PORT:-1883}
AEDES_PORT=${AEDES_PORT:-1884}
RGW_PORT=${RGW_PORT:-8000}
MON_PORT=${MON_PORT:-40000}
OSD_PORT_MIN=${OSD_PORT_MIN:-40010}
S3_REGION=${S3_REGION:-us-east-1}
S3_ACCESS_KEY=${S3_ACCESS_KEY:-TESTACCESSKEY0000001}
S3_SECRET_KEY=${S3_SECRET_KEY:-testsecretkey0000000000000000000000000001}
DEVSTACK_READY_TIMEOUT=${DEVSTACK_READY_TIMEOUT:-60}   # seconds per readiness wait
DEVSTACK_STOP_TIMEOUT=${DEVSTACK_STOP_TIMEOUT:-15}     # seconds of TERM before KILL

# Absolute, so it can be matched in /proc/<pid>/cmdline and used from any cwd.
STACK_DIR=$(realpath -m "$MQTT2S3_STACK_DIR")
RUN_DIR=$STACK_DIR/run           # our pid files
LOG_DIR=$STACK_DIR/log           # every daemon's log and stdout/stderr
STATE_FILE=$STACK_DIR/state.env  # settings of the stack that is running (0600, has the keys)
ENV_FILE=$STACK_DIR/stack.env    # the contract with tests; present only while the stack is up

# Start order; stop order is the reverse. mon/osd are only ever stopped with the whole stack.
DEVSTACK_COMPONENTS=(mosquitto mon osd rgw aedes)

# ---- output ---------------------------------------------------------------------------------
devstack_now_us() { local t=$EPOCHREALTIME; echo "${t//[.,]/}"; }
DEVSTACK_T0=$(devstack_now_us)

# Seconds since the command started, e.g. "2.41".
devstack_elapsed() {
  local us=$(( $(devstack_now_us) - DEVSTACK_T0 ))
  printf '%d.%02d' $(( us / 1000000 )) $(( us % 1000000 / 10000 ))
}
log() { printf '[%6ss] %s\n' "$(devstack_elapsed)" "$*"; }
err() { printf 'dev-stack: %s\n' "$*" >&2; }

# Copies stdin to stdout with every occurrence of the S3 secret replaced, for log tails.
redact() { awk -v s="$S3_SECRET_KEY" '{ if (s != "") while ((i = index($0, s)) > 0) $0 = substr($0, 1, i - 1) "***" substr($0, i + length(s)); print }'; }

# ---- validation -----------------------------------------------------------------------------
# The env file is plain KEY=VALUE read by shells and by tests/support/stack_env.cc, so values
# must not need quoting.
devstack_validate() {
  local name
  for name in MQTT_PORT AEDES_PORT RGW_PORT MON_PORT OSD_PORT_MIN; do
    local v=${!name}
    if ! [[ $v =~ ^[0-9]+$ ]] || (( v < 1 || v > 65535 )); then
      err "$name=$v is not a port number"; return 1
    fi
  done
  if (( OSD_PORT_MIN + 50 > 65535 )); then err "OSD_PORT_MIN=$OSD_PORT_MIN leaves no room for +50"; return 1; fi
  if ! [[ $STACK_DIR =~ ^[A-Za-z0-9._/+-]+$ ]]; then
    err "MQTT2S3_STACK_DIR=$STACK_DIR: use only letters, digits and ._/+- in the path"; return 1
  fi
  if ! [[ $S3_ACCESS_KEY =~ ^[A-Za-z0-9/+=._-]+$ && $S3_SECRET_KEY =~ ^[A-Za-z0-9/+=._-]+$ ]]; then
    err "S3_ACCESS_KEY / S3_SECRET_KEY: use only letters, digits and /+=._-"; return 1
  fi
  if ! [[ $S3_REGION =~ ^[a-z0-9-]+$ ]]; then err "S3_REGION=$S3_REGION is not a region name"; return 1; fi
}

# ---- process bookkeeping --------------------------------------------------------------------
pid_file() { echo "$RUN_DIR/$1.pid"; }

# pid_alive PID: running and not a zombie (killed daemons wait for init to reap them).
pid_alive() {
  local st
  st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n $st && ${st:0:1} != Z ]]
}

# owned_pid COMPONENT: prints the component's pid if its pid file names a live process whose
# command line mentions our stack dir; fails otherwise.
owned_pid() {
  local pf pid cmdline
  pf=$(pid_file "$1")
  [[ -f $pf ]] || return 1
  pid=$(<"$pf")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$STACK_DIR"* ]] || return 1
  echo "$pid"
}
component_up() { owned_pid "$1" >/dev/null; }

# devstack_launch COMPONENT LOGFILE CMD...: starts CMD in the foreground mode of the daemon,
# detached (own session, no terminal, stdio to LOGFILE), and records its pid. Every daemon is
# run in the foreground so the pid is known at once; there is no window in which a started
# process has no pid file. Inherited descriptors are closed first: a daemon holding our lock
# or a caller's pipe open would block the next command or hang `$(dev-stack.sh up)`.
devstack_launch() {
  local comp=$1 logfile=$2; shift 2
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      (( fd > 2 )) && eval "exec $fd>&-"
    done
    # Not a process group leader, so setsid does not fork: the pid stays the one recorded.
    exec setsid "$@" </dev/null >>"$logfile" 2>&1
  ) &
  echo "$!" >"$(pid_file "$comp")"
}

# stop_components COMPONENT...: TERM all of them at once, wait up to DEVSTACK_STOP_TIMEOUT,
# KILL what is left, then remove the pid files. Processes that are not ours are never touched.
stop_components() {
  local comp pid pids=() names=()
  for comp in "$@"; do
    if pid=$(owned_pid "$comp"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid"); names+=("$comp")
    fi
  done
  local deadline=$(( $(devstack_now_us) + DEVSTACK_STOP_TIMEOUT * 1000000 )) i left
  while :; do
    left=0
    for pid in "${pids[@]}"; do pid_alive "$pid" && left=$((left + 1)); done
    (( left == 0 )) && break
    if (( $(devstack_now_us) > deadline )); then
      for i in "${!pids[@]}"; do
        if pid_alive "${pids[$i]}"; then
          err "${names[$i]} (pid ${pids[$i]}) ignored TERM for ${DEVSTACK_STOP_TIMEOUT}s; sending KILL"
          kill -KILL "${pids[$i]}" 2>/dev/null || true
        fi
      done
      local _
      for _ in $(seq 1 40); do
        left=0
        for pid in "${pids[@]}"; do pid_alive "$pid" && left=$((left + 1)); done
        (( left == 0 )) && break
        sleep 0.05
      done
      break
    fi
    sleep 0.05
  done
  for comp in "$@"; do rm -f "$(pid_file "$comp")"; done
  for i in "${!names[@]}"; do echo "${names[$i]}"; done
}

# wait_ready TIMEOUT_S COMPONENT WHAT CMD...: polls CMD until it succeeds. Fails early when the
# component's process has gone, and at the deadline.
wait_ready() {
  local timeout=$1 comp=$2 what=$3; shift 3
  local deadline=$(( $(devstack_now_us) + timeout * 1000000 ))
  while :; do
    "$@" >/dev/null 2>&1 && return 0
    if ! component_up "$comp"; then
      DEVSTACK_FAILED_COMPONENT=$comp; err "$comp exited while waiting for: $what"; return 1
    fi
    if (( $(devstack_now_us) > deadline )); then
      DEVSTACK_FAILED_COMPONENT=$comp; err "$comp: timed out after ${timeout}s waiting for: $what"; return 1
    fi
    sleep 0.05
  done
}

# ---- ports ----------------------------------------------------------------------------------
port_listening() { [[ -n $(ss -ltnH "sport = :$1" 2>/dev/null) ]]; }

# Who listens on the port, for error messages ("pid 123 (nginx)" or "unknown process").
port_owner() {
  local line pid
  line=$(ss -ltnpH "sport = :$1" 2>/dev/null | head -1)
  pid=$(sed -n 's/.*pid=\([0-9]*\).*/\1/p' <<<"$line")
  if [[ -n $pid ]]; then echo "pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null || echo '?'))"; else echo "an unknown process"; fi
}

# require_port_free NAME PORT: fails with a clear message if anything listens there. Called
# only after our own processes on that port were stopped, so a listener is never ours.
require_port_free() {
  if port_listening "$2"; then
    err "$1 port $2 is already in use by $(port_owner "$2"), which is not part of this dev stack ($STACK_DIR)"
    err "stop it or choose another port: $1=<port> $(basename "$0") up"
    return 1
  fi
}

# The OSD picks up to 8 ports (public/cluster/heartbeat x msgr v1/v2) from its range.
require_osd_range_free() {
  local p free=0 taken
  taken=" $(ss -ltnH 2>/dev/null | awk '{ n = split($4, a, ":"); printf "%s ", a[n] }') "
  for (( p = OSD_PORT_MIN; p <= OSD_PORT_MIN + 50; p++ )); do
    [[ $taken == *" $p "* ]] || free=$((free + 1))
  done
  if (( free < 8 )); then
    err "only $free free ports in OSD_PORT_MIN range $OSD_PORT_MIN-$((OSD_PORT_MIN + 50)); the OSD needs 8"
    return 1
  fi
}

# ---- state ----------------------------------------------------------------------------------
# The settings a stack was started with win over the environment for every command but a
# fresh `up`, so `status`, `down` and component commands act on the stack that really runs.
load_state() {
  # shellcheck disable=SC1090
  [[ -f $STATE_FILE ]] && source "$STATE_FILE"
  return 0
}

write_state() {
  local tmp=$STATE_FILE.tmp
  ( umask 077
    cat >"$tmp" <<EOF
MQTT_PORT=$MQTT_PORT
AEDES_PORT=$AEDES_PORT
MQTT2S3_AEDES=$MQTT2S3_AEDES
RGW_PORT=$RGW_PORT
MON_PORT=$MON_PORT
OSD_PORT_MIN=$OSD_PORT_MIN
S3_REGION=$S3_REGION
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
EOF
  )
  mv "$tmp" "$STATE_FILE"
}

# The components this stack runs (aedes is optional).
enabled_components() {
  local c
  for c in "${DEVSTACK_COMPONENTS[@]}"; do
    [[ $c == aedes && $MQTT2S3_AEDES == 0 ]] && continue
    echo "$c"
  done
}
