#!/usr/bin/env bash
# dev-stack.sh: the one-command local stack for mqtt2s3's integration tests and demos.
#
#   scripts/dev-stack.sh up        start mosquitto, a fresh Ceph cluster with RGW (S3) and aedes
#   scripts/dev-stack.sh down      stop exactly what `up` started
#   scripts/dev-stack.sh status    per-component truth; exit 0 all up, 1 degraded, 3 down
#   scripts/dev-stack.sh env       print the env file (KEY=VALUE) for eval/source; exit 1 if down
#   scripts/dev-stack.sh stop|start|restart rgw|mosquitto|aedes
#                                  fault injection; keeps data (cluster, mosquitto persistence)
#   scripts/dev-stack.sh deps [--check]
#                                  install (or check) aedes into the cache; `up` also does it
#   scripts/dev-stack.sh artemis up ha|cluster [2|3] | down | status | env | kill|start N
#                                  opt-in: Apache ActiveMQ Artemis (replicated pair or cluster)
#                                  in $MQTT2S3_STACK_DIR/artemis (scripts/devstack/artemis.sh);
#                                  `down` stops it too
#
# Everything binds 127.0.0.1 and lives in $MQTT2S3_STACK_DIR (default <repo>/.dev-stack).
# Settings come from the environment; see docs/DEV-STACK.md. The S3 secret is never printed:
# it is only in the env file and the state file, both mode 0600.
set -euo pipefail

# shellcheck source=devstack/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/devstack/common.sh"
# shellcheck source=devstack/ceph.sh
source "$DEVSTACK_LIB/ceph.sh"
# shellcheck source=devstack/brokers.sh
source "$DEVSTACK_LIB/brokers.sh"

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

# ---- failure handling -----------------------------------------------------------------------
# Components to stop if the command fails (set -e, a failed readiness wait, or a signal).
CLEANUP_ON_FAILURE=()
COMMAND_OK=0

log_files_of() {
  case $1 in
    mon) echo mon.a.log mon.out mon.mkfs.log ;;
    osd) echo osd.0.log osd.out osd.mkfs.log ;;
    rgw) echo rgw.log rgw.out radosgw-admin.log ;;
    mosquitto) echo mosquitto.log mosquitto.out ;;
    aedes) echo aedes.log npm-install.log ;;
  esac
}

# The component that failed (set by wait_ready) goes last, next to the error message.
print_log_tails() {
  local comp f order=()
  for comp in "$@"; do [[ $comp == "${DEVSTACK_FAILED_COMPONENT:-}" ]] || order+=("$comp"); done
  [[ " $* " == *" ${DEVSTACK_FAILED_COMPONENT:-} "* ]] && order+=("$DEVSTACK_FAILED_COMPONENT")
  for comp in "${order[@]}"; do
    for f in $(log_files_of "$comp"); do
      [[ -s $LOG_DIR/$f ]] || continue
      printf -- '--- %s: last lines of %s ---\n' "$comp" "$LOG_DIR/$f"
      tail -n 12 "$LOG_DIR/$f" | redact
    done
  done >&2
}

# Traps run inside whatever redirection was active (e.g. a probe's >/dev/null), so the
# failure report goes to copies of the original stdout/stderr.
exec {DEVSTACK_STDOUT}>&1 {DEVSTACK_STDERR}>&2

on_exit() {
  local rc=$?
  (( ${#CLEANUP_ON_FAILURE[@]} == 0 || COMMAND_OK == 1 )) && return
  trap - ERR INT TERM
  set +e
  exec 1>&"$DEVSTACK_STDOUT" 2>&"$DEVSTACK_STDERR"
  err "FAILED after $(devstack_elapsed)s; log tails follow, then everything this command started is stopped"
  print_log_tails "${CLEANUP_ON_FAILURE[@]}"
  local stopped
  if [[ ${CLEANUP_ON_FAILURE[*]} == "${DEVSTACK_COMPONENTS[*]}" ]]; then
    stopped=$(stop_everything | paste -sd' ')
    rm -f "$ENV_FILE" "$STATE_FILE"
  else
    stopped=$(stop_components "${CLEANUP_ON_FAILURE[@]}" | paste -sd' ')
  fi
  err "stopped: ${stopped:-nothing was running}"
  (( rc == 0 )) && rc=1
  exit "$rc"
}
trap on_exit EXIT
trap 'err "interrupted" 2>&"$DEVSTACK_STDERR"; exit 130' INT TERM

# Serialises commands that change the stack. The lock fd is closed in every launched daemon.
take_lock() {
  mkdir -p "$STACK_DIR"
  exec 9>"$STACK_DIR/.lock"
  flock -w 120 9 || { err "another dev-stack.sh command holds $STACK_DIR/.lock"; exit 1; }
}

# ---- helpers over the running stack ---------------------------------------------------------
# Components the recorded stack runs (from its state file; all of them if there is none).
expected_components() { ( load_state; enabled_components ); }

# Names of expected components whose process is not running.
down_components() {
  local c
  for c in $(expected_components); do component_up "$c" || echo "$c"; done
}

any_component_up() {
  local c
  for c in "${DEVSTACK_COMPONENTS[@]}"; do component_up "$c" && return 0; done
  return 1
}

stop_everything() {
  # Front ends first, in parallel; then the OSD, then the mon: a stopping OSD tells the mon
  # and waits up to 5 s for an answer that a stopped mon never gives (measured: 5 s vs 0.1 s).
  stop_components rgw aedes mosquitto
  stop_components osd
  stop_components mon
  rm -f "$RUN_DIR/aedes.ready"
}

write_env_file() {
  local aedes_port=$AEDES_PORT tmp=$ENV_FILE.tmp
  [[ $MQTT2S3_AEDES == 0 ]] && aedes_port=0
  ( umask 077
    cat >"$tmp" <<EOF
MQTT_HOST=$MQTT_HOST
MQTT_PORT=$MQTT_PORT
AEDES_PORT=$aedes_port
S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
S3_REGION=$S3_REGION
S3_ACCESS_KEY=$S3_ACCESS_KEY
S3_SECRET_KEY=$S3_SECRET_KEY
MQTT2S3_STACK_DIR=$STACK_DIR
CEPH_CONF=$CEPH_CONF_FILE
EOF
  )
  mv "$tmp" "$ENV_FILE"
}

print_endpoints() {
  echo "  mosquitto  mqtt://127.0.0.1:$MQTT_PORT"
  if [[ $MQTT2S3_AEDES == 0 ]]; then echo "  aedes      (skipped: MQTT2S3_AEDES=0)"
  else echo "  aedes      mqtt://127.0.0.1:$AEDES_PORT"; fi
  echo "  S3 (RGW)   http://127.0.0.1:$RGW_PORT  region $S3_REGION  access key $S3_ACCESS_KEY"
  echo "  env file   $ENV_FILE  (secret key there only; eval \"\$($0 env)\")"
}

# ---- commands -------------------------------------------------------------------------------
cmd_up() {
  take_lock
  local down
  if [[ -f $STATE_FILE ]] && any_component_up; then
    down=$(down_components | paste -sd' ')
    if [[ -z $down && -f $ENV_FILE ]]; then
      load_state
      echo "dev stack already up ($STACK_DIR); nothing changed"
      print_endpoints
      COMMAND_OK=1; return 0
    fi
    echo "dev stack is partially up (down: ${down:-env file missing}); restarting it from scratch"
  fi
  devstack_validate

  local stopped
  stopped=$(stop_everything | paste -sd' ')
  [[ -n $stopped ]] && log "stopped leftovers: $stopped"
  # Nothing of ours runs now, so a listener on our ports belongs to someone else: refuse
  # before starting anything.
  require_port_free MQTT_PORT "$MQTT_PORT"
  [[ $MQTT2S3_AEDES == 0 ]] || require_port_free AEDES_PORT "$AEDES_PORT"
  require_port_free RGW_PORT "$RGW_PORT"
  require_port_free MON_PORT "$MON_PORT"
  require_port_free "MON_PORT+1" "$((MON_PORT + 1))"
  require_osd_range_free
  rm -f "$ENV_FILE" "$STATE_FILE"
  CLEANUP_ON_FAILURE=("${DEVSTACK_COMPONENTS[@]}")

  # Fresh: only our own entries are wiped, in case the stack dir is shared with other files.
  rm -rf "$CEPH_DIR" "$MOSQ_DIR" "$RUN_DIR" "$LOG_DIR" "$ENV_FILE" "$STATE_FILE"
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  write_state

  mosquitto_write_conf
  mosquitto_start
  if [[ $MQTT2S3_AEDES != 0 ]]; then aedes_install; aedes_start; fi
  ceph_create_and_start
  [[ $MQTT2S3_AEDES == 0 ]] || aedes_wait

  write_env_file
  COMMAND_OK=1
  echo "dev stack up in $(devstack_elapsed)s ($STACK_DIR)"
  print_endpoints
}

cmd_down() {
  if [[ ! -d $STACK_DIR ]]; then echo "dev stack is not running (no $STACK_DIR)"; COMMAND_OK=1; return 0; fi
  # The opt-in Artemis nodes (`artemis up`) go down with the stack.
  if [[ -f $STACK_DIR/artemis/topology ]]; then
    ARTEMIS_DIR=$STACK_DIR/artemis "$DEVSTACK_LIB/artemis.sh" down
  fi
  take_lock
  load_state
  local stopped
  stopped=$(stop_everything | paste -sd' ')
  rm -f "$ENV_FILE" "$STATE_FILE"
  COMMAND_OK=1
  if [[ -z $stopped ]]; then echo "dev stack was not running; nothing to stop"
  else echo "dev stack down in $(devstack_elapsed)s (stopped: $stopped)"; fi
}

# status_line COMPONENT CHECK_DESC CHECK_CMD...: prints one line, returns 0 if healthy.
status_line() {
  local comp=$1 desc=$2; shift 2
  local pid
  if ! pid=$(owned_pid "$comp"); then printf '  %-9s DOWN  (no process)\n' "$comp"; return 1; fi
  if "$@" >/dev/null 2>&1; then printf '  %-9s up    pid %-7s %s\n' "$comp" "$pid" "$desc"; return 0; fi
  printf '  %-9s FAIL  pid %-7s process runs but check failed: %s\n' "$comp" "$pid" "$desc"
  return 1
}

cmd_status() {
  load_state
  local c up=0 total=0 running=0
  echo "dev stack $STACK_DIR:"
  for c in $(expected_components); do
    total=$((total + 1))
    component_up "$c" && running=$((running + 1))
    case $c in
      mosquitto) status_line mosquitto "127.0.0.1:$MQTT_PORT, QoS 1 round trip" mqtt_round_trip "$MQTT_PORT" ;;
      aedes) status_line aedes "127.0.0.1:$AEDES_PORT, QoS 1 round trip" mqtt_round_trip "$AEDES_PORT" ;;
      mon) status_line mon "127.0.0.1:$MON_PORT, answers 'mon stat'" timeout 5 ceph -c "$CEPH_CONF_FILE" --connect-timeout 4 mon stat ;;
      osd) status_line osd "osd.0 up in the osd map" timeout 5 bash -c "ceph -c '$CEPH_CONF_FILE' --connect-timeout 4 osd dump | grep -q '^osd\.0 up'" ;;
      rgw) status_line rgw "http://127.0.0.1:$RGW_PORT, signed S3 request 200" s3_ready ;;
    esac && up=$((up + 1))
  done
  [[ -f $ENV_FILE ]] || echo "  (no env file: $ENV_FILE)"
  COMMAND_OK=1
  if (( up == total )) && [[ -f $ENV_FILE ]]; then echo "all $total components up"; return 0; fi
  if (( running == 0 )); then echo "dev stack is down"; exit 3; fi
  echo "dev stack is degraded: $up of $total components healthy"; exit 1
}

cmd_env() {
  COMMAND_OK=1
  if [[ ! -f $ENV_FILE ]] || ! any_component_up; then
    err "dev stack is down ($STACK_DIR); start it with: $0 up"; exit 1
  fi
  local down
  down=$(down_components | paste -sd' ')
  [[ -z $down ]] || err "warning: stack is degraded, not running: $down"
  cat "$ENV_FILE"
}

# Component commands: act on one front end of a running stack and keep all data.
check_component_arg() {
  case ${1:-} in
    rgw|mosquitto|aedes) ;;
    *) err "component must be one of: rgw mosquitto aedes"; usage 2 ;;
  esac
  [[ -f $STATE_FILE ]] || { err "dev stack is not up ($STACK_DIR); run: $0 up"; exit 1; }
  load_state
  if [[ $1 == aedes && $MQTT2S3_AEDES == 0 ]]; then err "aedes is not part of this stack (MQTT2S3_AEDES=0)"; exit 1; fi
}

component_stop() {
  local comp=$1 stopped
  stopped=$(stop_components "$comp")
  [[ $comp == aedes ]] && rm -f "$RUN_DIR/aedes.ready"
  if [[ -n $stopped ]]; then log "$comp stopped"; else log "$comp was not running"; fi
}

component_start() {
  local comp=$1 pid
  if pid=$(owned_pid "$comp"); then log "$comp already running (pid $pid)"; return 0; fi
  CLEANUP_ON_FAILURE=("$comp")
  rm -f "$(pid_file "$comp")"
  case $comp in
    rgw)
      component_up mon && component_up osd || { err "the Ceph cluster (mon/osd) is down; run: $0 up"; exit 1; }
      require_port_free RGW_PORT "$RGW_PORT"
      rgw_start ;;
    mosquitto)
      require_port_free MQTT_PORT "$MQTT_PORT"
      mosquitto_start ;;
    aedes)
      require_port_free AEDES_PORT "$AEDES_PORT"
      aedes_start
      aedes_wait ;;
  esac
  CLEANUP_ON_FAILURE=()
}

cmd_component() {
  local action=$1 comp=${2:-}
  check_component_arg "$comp"
  take_lock
  case $action in
    stop) component_stop "$comp" ;;
    start) component_start "$comp" ;;
    restart) component_stop "$comp"; component_start "$comp" ;;
  esac
  COMMAND_OK=1
}

# aedes (npm, pinned by scripts/devstack/aedes/package-lock.json) into the cache, for
# scripts/install-deps.sh; --check only reports.
cmd_deps() {
  local dir
  dir=$(aedes_install_dir)
  if [[ ${1:-} == --check ]]; then
    echo "npm: aedes (scripts/devstack/aedes/package-lock.json)"
    if [[ -f $dir/node_modules/aedes/package.json ]]; then echo "  present in $dir"; return 0; fi
    echo "  MISSING: aedes in $dir"; return 1
  fi
  mkdir -p "$LOG_DIR"
  aedes_install
  echo "$dir"
}

main() {
  case ${1:-} in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    stop|start|restart) cmd_component "$1" "${2:-}" ;;
    deps) COMMAND_OK=1; cmd_deps "${2:-}" ;;
    artemis) COMMAND_OK=1; shift; ARTEMIS_DIR=$STACK_DIR/artemis exec "$DEVSTACK_LIB/artemis.sh" "$@" ;;
    -h|--help|help) COMMAND_OK=1; usage 0 ;;
    *) COMMAND_OK=1; usage 2 ;;
  esac
}

main "$@"
