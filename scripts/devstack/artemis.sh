#!/usr/bin/env bash
# artemis.sh: Apache ActiveMQ Artemis (the clustered MQTT broker of the scale-out tests) on
# 127.0.0.1, from the Maven artefact that scripts/fetch-maven.sh caches. No systemd, no
# containers: every node is one JVM started in the foreground, recorded and stopped by PID.
#
#   artemis.sh up ha             a replicated primary/backup pair (node 0 primary, 1 backup)
#   artemis.sh up cluster [N]    an N-node cluster (2 or 3, default 3), ON_DEMAND balancing
#   artemis.sh down              stop every node (TERM, then KILL after DEVSTACK_STOP_TIMEOUT)
#   artemis.sh status            per node: pid, role, MQTT port; exit 0 all up, 1 degraded, 3 down
#   artemis.sh env               print the env file (ARTEMIS_* KEY=VALUE); exit 1 if down
#   artemis.sh kill|stop|start|restart NODE
#                                fault injection on node NODE (0..N-1): kill = SIGKILL;
#                                start keeps the node's journal and waits until it is ready
#
# Node i listens on ARTEMIS_PORT_BASE+10i (MQTT), +10i+1 (MQTT over TLS, a throw-away CA in
# <dir>/tls/ca.pem) and +10i+2 (core: cluster and replication). Settings from the environment:
#   ARTEMIS_DIR        default $MQTT2S3_STACK_DIR/artemis (<repo>/.dev-stack/artemis)
#   ARTEMIS_PORT_BASE  default 36100
#   ARTEMIS_JAVA_ARGS  default "-Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
#   DEVSTACK_READY_TIMEOUT (60 s per node), DEVSTACK_STOP_TIMEOUT (15 s)
# Configuration: scripts/devstack/artemis/ (broker.xml.in + the HA policy of each role);
# docs/DEV-STACK.md ("Artemis") describes it.
set -euo pipefail

# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ARTEMIS_DIR=$(realpath -m "${ARTEMIS_DIR:-$STACK_DIR/artemis}")
ARTEMIS_PORT_BASE=${ARTEMIS_PORT_BASE:-36100}
ARTEMIS_JAVA_ARGS=${ARTEMIS_JAVA_ARGS:--Xms64m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1}
ARTEMIS_CONF_SRC=$DEVSTACK_LIB/artemis
# The bookkeeping of common.sh (pid files, ownership by command line) works on this dir.
STACK_DIR=$ARTEMIS_DIR
RUN_DIR=$ARTEMIS_DIR/run
LOG_DIR=$ARTEMIS_DIR/log
ART_ENV=$ARTEMIS_DIR/artemis.env
TLS_DIR=$ARTEMIS_DIR/tls

[[ $ARTEMIS_PORT_BASE =~ ^[0-9]+$ ]] && (( ARTEMIS_PORT_BASE > 0 && ARTEMIS_PORT_BASE + 30 < 65536 )) \
  || { err "ARTEMIS_PORT_BASE=$ARTEMIS_PORT_BASE is not a usable port base"; exit 2; }

mqtt_port() { echo $(( ARTEMIS_PORT_BASE + 10 * $1 )); }
mqtts_port() { echo $(( ARTEMIS_PORT_BASE + 10 * $1 + 1 )); }
core_port() { echo $(( ARTEMIS_PORT_BASE + 10 * $1 + 2 )); }
node_dir() { echo "$ARTEMIS_DIR/node-$1"; }

# The topology of the running (or last) `up`: ARTEMIS_TOPOLOGY, ARTEMIS_NODES, ports.
load_topology() {
  [[ -f $ARTEMIS_DIR/topology ]] || { err "no Artemis topology in $ARTEMIS_DIR; run: $0 up ha|cluster"; exit 1; }
  # shellcheck disable=SC1091
  source "$ARTEMIS_DIR/topology"
}

artemis_home() {
  local home
  home=$("$DEVSTACK_REPO/scripts/fetch-maven.sh" --path apache-artemis) || return 1
  [[ -x $home/bin/artemis ]] || { err "Artemis is not in the cache ($home); run scripts/fetch-maven.sh"; return 1; }
  echo "$home"
}

# Throw-away CA and server certificate (tests/tls/make-certs.sh), the key pair as PKCS#12
# for the broker's TLS acceptor.
write_tls() {
  mkdir -p "$TLS_DIR"
  "$DEVSTACK_REPO/tests/tls/make-certs.sh" "$TLS_DIR" >/dev/null
  openssl pkcs12 -export -in "$TLS_DIR/server.pem" -inkey "$TLS_DIR/server.key" \
    -name server -passout pass:devstack -out "$TLS_DIR/server.p12"
}

# write_node I ROLE: the node's etc/ from the committed templates. ROLE: primary | backup |
# cluster. Peers are every other node of the topology.
write_node() {
  local i=$1 role=$2 dir etc j peers="" statics="" ha=""
  dir=$(node_dir "$i"); etc=$dir/etc
  mkdir -p "$etc" "$dir/data" "$dir/tmp"
  for (( j = 0; j < ARTEMIS_NODES; j++ )); do
    (( j == i )) && continue
    peers+="      <connector name=\"node-$j\">tcp://127.0.0.1:$(core_port "$j")</connector>"$'\n'
    statics+="          <connector-ref>node-$j</connector-ref>"$'\n'
  done
  case $role in
    primary) ha=$(<"$ARTEMIS_CONF_SRC/ha-primary.xml") ;;
    backup) ha=$(<"$ARTEMIS_CONF_SRC/ha-backup.xml") ;;
  esac
  local xml
  xml=$(<"$ARTEMIS_CONF_SRC/broker.xml.in")
  xml=${xml//@NAME@/node-$i}
  xml=${xml//@DATA@/$dir/data}
  xml=${xml//@CORE_PORT@/$(core_port "$i")}
  xml=${xml//@MQTT_PORT@/$(mqtt_port "$i")}
  xml=${xml//@MQTTS_PORT@/$(mqtts_port "$i")}
  xml=${xml//@TLS_DIR@/$TLS_DIR}
  xml=${xml//@PEER_CONNECTORS@/${peers%$'\n'}}
  xml=${xml//@STATIC_CONNECTORS@/${statics%$'\n'}}
  xml=${xml//@HA_POLICY@/$ha}
  printf '%s\n' "$xml" >"$etc/broker.xml"
  xml=$(<"$ARTEMIS_CONF_SRC/bootstrap.xml.in")
  printf '%s\n' "${xml//@ETC@/$etc}" >"$etc/bootstrap.xml"
  cp "$ARTEMIS_CONF_SRC/log4j2.properties" "$ARTEMIS_CONF_SRC/management.xml" "$etc/"
  echo "$role" >"$dir/role"
}

node_role() { cat "$(node_dir "$1")/role" 2>/dev/null || echo "?"; }

launch_node() {
  local i=$1 home dir
  home=$(artemis_home)
  dir=$(node_dir "$i")
  # shellcheck disable=SC2086  # ARTEMIS_JAVA_ARGS is a list of JVM flags
  devstack_launch "artemis-$i" "$LOG_DIR/artemis-$i.out" java $ARTEMIS_JAVA_ARGS \
    -Dlog4j2.disableJmx=true --add-opens java.base/jdk.internal.misc=ALL-UNNAMED \
    -classpath "$home/lib/artemis-boot.jar" -Dartemis.home="$home" -Dartemis.instance="$dir" \
    -Dartemis.instance.etc="$dir/etc" -Ddata.dir="$dir/data" -Djava.io.tmpdir="$dir/tmp" \
    -Dlog4j2.configurationFile="file:$dir/etc/log4j2.properties" \
    org.apache.activemq.artemis.boot.Artemis run
}

log_count() { grep -c "$2" "$LOG_DIR/artemis-$1.out" 2>/dev/null || true; }

# Ready: a primary (or cluster node) accepts MQTT and, in a cluster, has a bridge to every
# peer; a backup has synchronised the primary's journal (it opens no client port until it
# takes over). A node restarted after its peer took over is checked by the caller.
node_ready() {
  local i=$1
  case $(node_role "$i") in
    backup) [[ $(log_count "$i" 'AMQ221024') -gt 0 ]] ;;
    cluster) port_listening "$(mqtt_port "$i")" && (( $(log_count "$i" 'AMQ221027') >= ARTEMIS_NODES - 1 )) ;;
    *) port_listening "$(mqtt_port "$i")" ;;
  esac
}

wait_node() {
  local i=$1 what
  case $(node_role "$i") in
    backup) what="journal synchronised with the primary (AMQ221024)" ;;
    cluster) what="MQTT on $(mqtt_port "$i") and cluster bridges to $((ARTEMIS_NODES - 1)) peers" ;;
    *) what="MQTT on $(mqtt_port "$i")" ;;
  esac
  wait_ready "$DEVSTACK_READY_TIMEOUT" "artemis-$i" "$what" node_ready "$i"
}

all_nodes() { local i; for (( i = 0; i < ARTEMIS_NODES; i++ )); do echo "artemis-$i"; done; }

write_env() {
  local i mq="" mqs="" tmp=$ART_ENV.tmp
  for (( i = 0; i < ARTEMIS_NODES; i++ )); do mq+="$(mqtt_port "$i") "; mqs+="$(mqtts_port "$i") "; done
  cat >"$tmp" <<EOF
ARTEMIS_TOPOLOGY=$ARTEMIS_TOPOLOGY
ARTEMIS_NODES=$ARTEMIS_NODES
ARTEMIS_MQTT_PORTS="${mq% }"
ARTEMIS_MQTTS_PORTS="${mqs% }"
ARTEMIS_CA_FILE=$TLS_DIR/ca.pem
ARTEMIS_DIR=$ARTEMIS_DIR
EOF
  mv "$tmp" "$ART_ENV"
}

FAILED=0
on_exit_artemis() {
  local rc=$?
  (( FAILED == 1 )) || return 0
  err "FAILED after $(devstack_elapsed)s; last lines of the node logs follow, then every node is stopped"
  local f
  for f in "$LOG_DIR"/artemis-*.out; do
    [[ -s $f ]] || continue
    printf -- '--- %s ---\n' "$f" >&2
    grep -E 'ERROR|WARN|Caused by|AMQ22[0-9]{4}' "$f" | tail -n 8 >&2 || true
  done
  stop_components $(all_nodes) >/dev/null
  rm -f "$ART_ENV"
  exit $(( rc == 0 ? 1 : rc ))
}

cmd_up() {
  local topo=${1:-}
  case $topo in
    ha) ARTEMIS_NODES=2 ;;
    cluster) ARTEMIS_NODES=${2:-3}; [[ $ARTEMIS_NODES == 2 || $ARTEMIS_NODES == 3 ]] \
               || { err "a cluster has 2 or 3 nodes, not '$ARTEMIS_NODES'"; exit 2; } ;;
    *) err "up needs a topology: ha | cluster [2|3]"; exit 2 ;;
  esac
  ARTEMIS_TOPOLOGY=$topo
  command -v java >/dev/null || { err "no java on PATH (scripts/install-deps.sh installs Java 17)"; exit 1; }
  artemis_home >/dev/null
  mkdir -p "$ARTEMIS_DIR"
  exec 9>"$ARTEMIS_DIR/.lock"
  flock -w 120 9 || { err "another artemis.sh command holds $ARTEMIS_DIR/.lock"; exit 1; }
  # Fresh every time: stop what an earlier `up` left, then wipe only our own entries.
  if [[ -f $ARTEMIS_DIR/topology ]]; then ( load_topology; stop_components $(all_nodes) >/dev/null ); fi
  local i p
  for (( i = 0; i < ARTEMIS_NODES; i++ )); do
    for p in "$(mqtt_port "$i")" "$(mqtts_port "$i")" "$(core_port "$i")"; do
      require_port_free "ARTEMIS_PORT_BASE+$(( p - ARTEMIS_PORT_BASE ))" "$p" || exit 1
    done
  done
  rm -rf "$ARTEMIS_DIR"/node-* "$RUN_DIR" "$LOG_DIR" "$TLS_DIR" "$ART_ENV"
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  printf 'ARTEMIS_TOPOLOGY=%s\nARTEMIS_NODES=%s\nARTEMIS_PORT_BASE=%s\n' \
    "$ARTEMIS_TOPOLOGY" "$ARTEMIS_NODES" "$ARTEMIS_PORT_BASE" >"$ARTEMIS_DIR/topology"
  FAILED=1
  trap on_exit_artemis EXIT
  write_tls
  for (( i = 0; i < ARTEMIS_NODES; i++ )); do
    if [[ $topo == ha ]]; then write_node "$i" "$([[ $i == 0 ]] && echo primary || echo backup)"
    else write_node "$i" cluster; fi
  done
  # All JVMs start together; a backup retries until its primary listens.
  for (( i = 0; i < ARTEMIS_NODES; i++ )); do launch_node "$i"; done
  for (( i = 0; i < ARTEMIS_NODES; i++ )); do
    wait_node "$i"
    log "artemis-$i ($(node_role "$i")) ready: pid $(<"$(pid_file "artemis-$i")"), MQTT 127.0.0.1:$(mqtt_port "$i"), TLS :$(mqtts_port "$i")"
  done
  write_env
  FAILED=0
  echo "artemis $topo ($ARTEMIS_NODES nodes) up in $(devstack_elapsed)s ($ARTEMIS_DIR; env: $ART_ENV)"
}

cmd_down() {
  [[ -f $ARTEMIS_DIR/topology ]] || { echo "artemis is not running (no $ARTEMIS_DIR/topology)"; return 0; }
  load_topology
  local stopped
  stopped=$(stop_components $(all_nodes) | paste -sd' ')
  rm -f "$ART_ENV"
  if [[ -z $stopped ]]; then echo "artemis was not running"; else echo "artemis down in $(devstack_elapsed)s (stopped: $stopped)"; fi
}

cmd_status() {
  [[ -f $ARTEMIS_DIR/topology ]] || { echo "artemis is down (no $ARTEMIS_DIR/topology)"; exit 3; }
  load_topology
  local i pid up=0
  echo "artemis $ARTEMIS_TOPOLOGY ($ARTEMIS_DIR):"
  for (( i = 0; i < ARTEMIS_NODES; i++ )); do
    if pid=$(owned_pid "artemis-$i"); then
      local serving="passive (no client port)"
      port_listening "$(mqtt_port "$i")" && serving="MQTT 127.0.0.1:$(mqtt_port "$i"), TLS :$(mqtts_port "$i")"
      printf '  artemis-%s up    pid %-7s %-8s %s\n' "$i" "$pid" "$(node_role "$i")" "$serving"
      up=$((up + 1))
    else
      printf '  artemis-%s DOWN  %s\n' "$i" "$(node_role "$i")"
    fi
  done
  (( up == ARTEMIS_NODES )) && return 0
  (( up == 0 )) && exit 3
  exit 1
}

cmd_node() {
  local action=$1 i=${2:-}
  load_topology
  [[ $i =~ ^[0-9]+$ ]] && (( i < ARTEMIS_NODES )) || { err "node must be 0..$((ARTEMIS_NODES - 1))"; exit 2; }
  local pid
  case $action in
    kill)
      if pid=$(owned_pid "artemis-$i"); then
        kill -KILL "$pid"
        local _; for _ in $(seq 1 100); do pid_alive "$pid" || break; sleep 0.02; done
        rm -f "$(pid_file "artemis-$i")"
        log "artemis-$i killed (SIGKILL, pid $pid)"
      else log "artemis-$i was not running"; fi ;;
    stop) stop_components "artemis-$i" >/dev/null; log "artemis-$i stopped" ;;
    start|restart)
      [[ $action == restart ]] && stop_components "artemis-$i" >/dev/null
      if pid=$(owned_pid "artemis-$i"); then log "artemis-$i already running (pid $pid)"; return 0; fi
      : >"$LOG_DIR/artemis-$i.out.new"; cat "$LOG_DIR/artemis-$i.out" >>"$LOG_DIR/artemis-$i.prev" 2>/dev/null || true
      mv "$LOG_DIR/artemis-$i.out.new" "$LOG_DIR/artemis-$i.out"
      launch_node "$i"
      # A restarted HA node may come back passive (its peer is active): then it is ready when
      # it has synchronised as a backup; otherwise when it serves MQTT.
      local deadline=$(( $(devstack_now_us) + DEVSTACK_READY_TIMEOUT * 1000000 ))
      until node_ready "$i" || [[ $(log_count "$i" 'AMQ221024') -gt 0 ]]; do
        component_up "artemis-$i" || { err "artemis-$i exited while starting"; exit 1; }
        (( $(devstack_now_us) < deadline )) || { err "artemis-$i not ready after ${DEVSTACK_READY_TIMEOUT}s"; exit 1; }
        sleep 0.05
      done
      log "artemis-$i started (pid $(<"$(pid_file "artemis-$i")"))" ;;
  esac
}

cmd_env() {
  [[ -f $ART_ENV ]] || { err "artemis is down ($ARTEMIS_DIR); start it with: $0 up ha|cluster"; exit 1; }
  cat "$ART_ENV"
}

case ${1:-} in
  up) shift; cmd_up "$@" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  kill|stop|start|restart) cmd_node "$1" "${2:-}" ;;
  -h|--help|help) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' ;;
  *) sed -n '2,22p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
