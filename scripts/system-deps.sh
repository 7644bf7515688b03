#!/usr/bin/env bash
# Installs from Debian what the tests need and the machine lacks: Chromium (widget and e2e tests)
# and redis-server (Redis store tests). Idempotent; needs root (CI and these machines have it).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]} from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a system redis on :6379; the tests start their own on a free port.
if [[ " ${missing[*]} " == *" redis-server "* ]]; then
  (service redis-server stop || systemctl stop redis-server || true) >/dev/null 2>&1
fi
