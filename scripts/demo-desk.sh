#!/usr/bin/env bash
# The end of `make demo`: open cases for the judged sample, create demo accounts, and serve the desk on
# 127.0.0.1. Usage: scripts/demo-desk.sh WORKSPACE_DIR [PORT]
set -euo pipefail
WORKSPACE="$1"
PORT="${2:-${DESK_PORT:-8080}}"
GOODWILL="$(cd "$(dirname "$0")/.." && pwd)/.venv/bin/goodwill"
PASSWORD="goodwill-demo"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$WORKSPACE"
# The desk's [care] settings (queues, SLAs, routing) and a small knowledge base for suggested answers.
cat "$ROOT/examples/desk/care.toml" >> goodwill.toml
rm -rf kb && cp -r "$ROOT/examples/desk/kb" kb
echo "$PASSWORD" | "$GOODWILL" users add demo --role admin --name "Demo Admin" --password-stdin
echo "$PASSWORD" | "$GOODWILL" users add agent --role agent --name "Demo Agent" --capacity 20 --password-stdin
echo "$PASSWORD" | "$GOODWILL" users add ambassador --role ambassador --name "Demo Ambassador" \
  --expertise roaming --expertise esim --expertise wifi --password-stdin
echo "$PASSWORD" | "$GOODWILL" users add analyst --role analyst --name "Demo Analyst" --password-stdin
"$GOODWILL" cases sync
cat <<MSG

  The care desk: http://127.0.0.1:${PORT}/
  Log in as demo / ${PASSWORD}  (also agent, ambassador and analyst, same password)
  Ctrl+C stops it.

MSG
exec "$GOODWILL" serve --port "$PORT" --no-sync
