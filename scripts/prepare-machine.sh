#!/usr/bin/env bash
# Makes a Debian machine ready to run keepwatch's tests: installs the tools the tests use for
# real (pg_dump, mariadb-dump, zstd, rsync, age, Prometheus, Alertmanager, the blackbox exporter,
# systemd-analyze, sshd), starts PostgreSQL, MariaDB and Redis when they are down, and waits until
# each answers. Safe to run again.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have pg_dump || need+=(postgresql-client)
have mariadb-dump || need+=(mariadb-client)
have zstd || need+=(zstd)
have rsync || need+=(rsync)
have age || need+=(age)
have prometheus || need+=(prometheus)
have promtool || need+=(prometheus)
# deploy-check's alert path test (tooling/deploy-check): Prometheus -> Alertmanager -> a webhook,
# with the blackbox exporter probing /healthcheck/; systemd-analyze verifies deploy/systemd/.
have prometheus-alertmanager || need+=(prometheus-alertmanager)
have prometheus-blackbox-exporter || need+=(prometheus-blackbox-exporter)
have systemd-analyze || need+=(systemd)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
have ssh || need+=(openssh-client)
have pgbench || need+=(postgresql-contrib)
have redis-server || need+=(redis-server)
# Not used by the tests: the load generator of the benchmarks (tooling/bench), small enough to have.
have wrk || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "prepare-machine: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Debian's prometheus package starts a service on :9090 on some machines; the tests start their own.
wait_for() { # name, command
  for _ in $(seq 1 60); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  echo "prepare-machine: $1 did not come up" >&2
  return 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "prepare-machine: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
fi
wait_for PostgreSQL "pg_isready -h 127.0.0.1 -p 5432 -q"

if ! mariadb-admin -h 127.0.0.1 -uroot ping >/dev/null 2>&1; then
  echo "prepare-machine: starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
wait_for MariaDB "mariadb-admin -h 127.0.0.1 -uroot ping"

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "prepare-machine: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi
wait_for Redis "redis-cli -h 127.0.0.1 -p 6379 ping"

have pnpm || npm i -g pnpm@10 >/dev/null
echo "prepare-machine: ready (PostgreSQL, MariaDB, Redis up; tools installed)"
