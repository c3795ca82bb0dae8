#!/usr/bin/env bash
# A 3-master Redis Cluster on loopback for tests and local trials (no persistence; replicas on request).
#   scripts/redis-cluster.sh          start it, or reuse it when already up and healthy; prints REDIS_CLUSTER_NODES
#   scripts/redis-cluster.sh restart-node PORT   kill that node and start it again from its nodes.conf
#   scripts/redis-cluster.sh kill-node PORT      kill that node and leave it down (its replica, if any, takes over)
#   scripts/redis-cluster.sh start-node PORT     start a node left down again, from its nodes.conf (a lost master rejoins as a replica)
#   scripts/redis-cluster.sh stop     shut every node down
# Ports: REDIS_CLUSTER_PORTS (default "7101 7102 7103"); files under REDIS_CLUSTER_DIR (default /tmp/hookline-redis-cluster).
# REDIS_CLUSTER_REPLICAS (default 0) replicas per master, taken from the ports; REDIS_CLUSTER_NODE_TIMEOUT
# (default 5000 ms) how long a master is unreachable before its replica is promoted.
set -euo pipefail
PORTS=(${REDIS_CLUSTER_PORTS:-7101 7102 7103})
DIR=${REDIS_CLUSTER_DIR:-/tmp/hookline-redis-cluster}
REPLICAS=${REDIS_CLUSTER_REPLICAS:-0}
NODE_TIMEOUT=${REDIS_CLUSTER_NODE_TIMEOUT:-5000}
mkdir -p "$DIR"

cli() { redis-cli -h 127.0.0.1 -p "$1" "${@:2}"; }
up() { cli "$1" ping >/dev/null 2>&1; }
healthy() {
  for port in "${PORTS[@]}"; do
    local info
    info=$(cli "$port" cluster info 2>/dev/null) || return 1
    grep -q '^cluster_state:ok' <<<"$info" || return 1
    grep -q "^cluster_known_nodes:${#PORTS[@]}" <<<"$info" || return 1
  done
}
# A replica fails over however long ago it last heard from its master (validity factor 0): with a
# short node timeout, Redis's default (10 × the timeout, plus the 10 s ping period) can find a replica
# of a quiet master "too old" and leave its slots unserved until the master comes back.
start_node() {
  local port=$1
  redis-server --port "$port" --bind 127.0.0.1 --dir "$DIR" --cluster-enabled yes --cluster-config-file "nodes-$port.conf" \
    --cluster-node-timeout "$NODE_TIMEOUT" --cluster-replica-validity-factor 0 \
    --save "" --appendonly no --daemonize yes --pidfile "$DIR/redis-$port.pid" --logfile "$DIR/redis-$port.log"
  for _ in $(seq 1 50); do up "$port" && return 0; sleep 0.1; done
  echo "redis on port $port did not start (see $DIR/redis-$port.log)" >&2
  return 1
}
wait_ok() {
  for _ in $(seq 1 100); do healthy && return 0; sleep 0.2; done
  echo "the cluster on ports ${PORTS[*]} did not reach cluster_state:ok" >&2
  return 1
}
nodes() { local IFS=,; echo "${PORTS[*]/#/127.0.0.1:}"; }

case "${1:-start}" in
  start)
    if ! healthy; then
      for port in "${PORTS[@]}"; do up "$port" || start_node "$port"; done
      if ! healthy; then
        # Up but not one healthy cluster (a half-made one, stale nodes.conf): start it over, empty.
        for port in "${PORTS[@]}"; do cli "$port" flushall >/dev/null 2>&1 || true; cli "$port" cluster reset hard >/dev/null; done
        redis-cli --cluster create $(for port in "${PORTS[@]}"; do echo "127.0.0.1:$port"; done) --cluster-replicas "$REPLICAS" --cluster-yes >"$DIR/create.log"
        wait_ok
      fi
    fi
    nodes
    ;;
  restart-node)
    port=${2:?port}
    pid=$(cat "$DIR/redis-$port.pid")
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    start_node "$port"
    wait_ok
    ;;
  start-node)
    start_node "${2:?port}"
    wait_ok
    ;;
  kill-node)
    port=${2:?port}
    pid=$(cat "$DIR/redis-$port.pid")
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    ;;
  stop)
    for port in "${PORTS[@]}"; do cli "$port" shutdown nosave >/dev/null 2>&1 || true; done
    ;;
  *)
    echo "usage: $0 [start|restart-node PORT|kill-node PORT|start-node PORT|stop]" >&2
    exit 2
    ;;
esac
