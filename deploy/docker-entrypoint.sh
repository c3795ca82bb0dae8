#!/bin/sh
# One image, the role chosen by the first argument: api, worker, migrate or cli <command…>.
# exec, so the role is PID 1's only child and receives SIGTERM directly (Docker, Kubernetes).
set -e
cd "$(dirname "$0")/.."

role="${1:-api}"
[ "$#" -gt 0 ] && shift

case "$role" in
  api)     exec node --enable-source-maps dist/apps/api/src/main.js "$@" ;;
  worker)  exec node --enable-source-maps dist/apps/worker/src/main.js "$@" ;;
  migrate) exec node --enable-source-maps dist/libs/platform/database/src/migrate.main.js "$@" ;;
  cli)     exec node --enable-source-maps dist/apps/cli/src/main.js "$@" ;;
  *)
    echo "unknown role \"$role\": expected api, worker, migrate or cli <command>" >&2
    exit 64
    ;;
esac
