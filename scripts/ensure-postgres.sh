#!/usr/bin/env bash
# Makes sure a real PostgreSQL answers for the test suite on this (Debian) machine, as root:
#   - installs the server (apt) when it is missing,
#   - creates the cluster when there is none and starts it when it is down,
#   - ensures the role handover/handover (LOGIN SUPERUSER CREATEDB; superuser because the
#     tests create databases and extensions such as pg_trgm),
#   - verifies a password login over TCP:
#       PGPASSWORD=handover psql -h 127.0.0.1 -U handover -d postgres -c 'select 1'
# Idempotent; when everything is already fine it only runs one psql and exits.
#
# Overrides (rarely needed): ENSURE_PG_CLUSTER (default main), ENSURE_PG_PORT (default 5432).
set -euo pipefail

ROLE=handover
PASSWORD=handover
CLUSTER="${ENSURE_PG_CLUSTER:-main}"
PORT="${ENSURE_PG_PORT:-5432}"

say() { printf 'ensure-postgres: %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# One psql as the test role over TCP with the password; prints "t" when the role is a superuser.
tcp_check() {
  PGPASSWORD="$PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -h 127.0.0.1 -p "$1" -U "$ROLE" -d postgres -Atq \
    -c "select rolsuper and rolcreatedb and rolcanlogin from pg_roles where rolname = current_user" 2>/dev/null
}

# --- fast path: already reachable with the right role ------------------------------------------
if command -v psql >/dev/null 2>&1 && [ "$(tcp_check "$PORT" || true)" = "t" ]; then
  say "PostgreSQL on 127.0.0.1:$PORT accepts $ROLE/$PASSWORD (superuser); nothing to do"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "PostgreSQL is not ready on 127.0.0.1:$PORT and fixing it needs root"

as_postgres() {
  # cd / so that psql does not complain about root's home directory.
  if command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && su postgres -s /bin/sh -c "$(printf '%q ' "$@")")
  fi
}

# --- 1. server installed? --------------------------------------------------------------------------
server_installed() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null && command -v pg_ctlcluster >/dev/null 2>&1; }
if ! server_installed; then
  say "installing PostgreSQL (apt-get install postgresql postgresql-contrib)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib >&2
  server_installed || die "postgresql installed but no server binary found under /usr/lib/postgresql"
fi

# --- 2. cluster exists? ------------------------------------------------------------------------------
VERSION=""
if [ -d /etc/postgresql ]; then
  for dir in $(ls /etc/postgresql 2>/dev/null | sort -V); do
    [ -d "/etc/postgresql/$dir/$CLUSTER" ] && VERSION="$dir"
  done
fi
if [ -z "$VERSION" ]; then
  VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
  say "creating cluster $VERSION/$CLUSTER"
  pg_createcluster "$VERSION" "$CLUSTER" --port "$PORT" >/dev/null
fi

# --- 3. cluster running? -----------------------------------------------------------------------------
# pg_lsclusters -h: "version cluster port status owner datadir logfile"
read -r _ _ CLUSTER_PORT STATUS _ < <(pg_lsclusters -h "$VERSION" "$CLUSTER" 2>/dev/null) || true
[ -n "${CLUSTER_PORT:-}" ] || die "cluster $VERSION/$CLUSTER not found by pg_lsclusters"
if [ "$CLUSTER_PORT" != "$PORT" ]; then
  say "warning: cluster $VERSION/$CLUSTER listens on port $CLUSTER_PORT, not $PORT; using $CLUSTER_PORT (set TEST_DATABASE_URL accordingly)"
  PORT="$CLUSTER_PORT"
fi
if [[ "$STATUS" != online* ]]; then
  say "starting cluster $VERSION/$CLUSTER on port $PORT"
  install -d -m 2775 -o postgres -g postgres /var/run/postgresql
  pg_ctlcluster --skip-systemctl-redirect "$VERSION" "$CLUSTER" start >&2
fi

# Wait until it accepts connections on the Unix socket (a fresh start can take a moment).
for _ in $(seq 1 50); do
  as_postgres psql -X -p "$PORT" -d postgres -Atqc 'select 1' >/dev/null 2>&1 && break
  sleep 0.2
done
as_postgres psql -X -p "$PORT" -d postgres -Atqc 'select 1' >/dev/null || die "cluster $VERSION/$CLUSTER does not accept connections (see /var/log/postgresql/postgresql-$VERSION-$CLUSTER.log)"

# --- 4. role ---------------------------------------------------------------------------------------
say "ensuring role $ROLE (LOGIN SUPERUSER CREATEDB, password $PASSWORD)"
as_postgres psql -X -p "$PORT" -d postgres -v ON_ERROR_STOP=1 -q >/dev/null <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN
    CREATE ROLE $ROLE;
  END IF;
END
\$\$;
-- password_encryption is scram-sha-256 by default (PostgreSQL 14+), matching Debian's pg_hba host lines
ALTER ROLE $ROLE WITH LOGIN SUPERUSER CREATEDB PASSWORD '$PASSWORD';
SQL

# --- 5. TCP password login -------------------------------------------------------------------------
if [ "$(tcp_check "$PORT" || true)" != "t" ]; then
  HBA_FILE="$(as_postgres psql -X -p "$PORT" -d postgres -Atqc 'show hba_file')"
  say "TCP login as $ROLE failed; allowing it in $HBA_FILE (host all $ROLE 127.0.0.1/32 scram-sha-256)"
  if ! grep -qE "^host[[:space:]]+all[[:space:]]+$ROLE[[:space:]]+127\.0\.0\.1/32[[:space:]]+scram-sha-256" "$HBA_FILE"; then
    # Put it first: pg_hba.conf is matched top-down.
    sed -i "1i host all $ROLE 127.0.0.1/32 scram-sha-256" "$HBA_FILE"
  fi
  as_postgres psql -X -p "$PORT" -d postgres -Atqc 'select pg_reload_conf()' >/dev/null
  sleep 0.3
  if [ "$(tcp_check "$PORT" || true)" != "t" ]; then
    PGPASSWORD="$PASSWORD" psql -X -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d postgres -c 'select 1' >&2 || true
    die "still cannot log in as $ROLE on 127.0.0.1:$PORT (is listen_addresses including localhost?)"
  fi
fi
say "PostgreSQL $VERSION/$CLUSTER ready: postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/postgres"
