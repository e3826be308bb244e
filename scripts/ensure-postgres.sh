#!/usr/bin/env bash
# Make sure the PostgreSQL server binaries are here, so the PostgreSQL half of the test suite runs.
# The tests start their own throwaway server (tests/postgres_server.py); this only installs
# Debian's package when no initdb is found, without creating or starting a default cluster.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  else
    echo "ensure-postgres: no initdb and no root: the PostgreSQL tests will skip (apt-get install postgresql)" >&2
    exit 0
  fi
fi
echo "ensure-postgres: installing Debian's postgresql package for the tests" >&2
$SUDO mkdir -p /etc/postgresql-common
echo "create_main_cluster = false" | $SUDO tee -a /etc/postgresql-common/createcluster.conf >/dev/null
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
