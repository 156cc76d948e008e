#!/usr/bin/env bash
# Install the Debian packages the test suite needs, but only those whose files are missing:
# Chromium (browser tests), PostgreSQL and Redis (throwaway servers on 127.0.0.1), the Noto
# fonts (so Vietnamese renders in screenshots) and zbar-tools (QR codes read back). Safe to run
# again: a no-op once all are there.
set -euo pipefail

have_postgres() {
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    if [[ -x $bin/initdb && -x $bin/pg_ctl && -x $bin/postgres ]]; then
      return 0
    fi
  done
  return 1
}

have_redis() {
  command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]]
}

# Sets `missing` to the packages whose files are not there.
find_missing() {
  missing=()
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  have_postgres || missing+=(postgresql)
  have_redis || missing+=(redis-server)
  [[ -e /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ]] || missing+=(fonts-noto-core)
  # zbarimg reads the join sheets' QR codes back in the tests.
  command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
}

fail() {
  echo "system-packages: $*" >&2
  echo "system-packages: install by hand: apt-get install ${missing[*]}" >&2
  exit 1
}

find_missing
if ((${#missing[@]} == 0)); then
  echo "system-packages: chromium, postgresql, redis-server, fonts-noto-core and zbar-tools already installed"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: this script needs Debian"
as_root=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || fail "not running as root and sudo is not installed"
  as_root=(sudo)
fi

for package in "${missing[@]}"; do
  echo "system-packages: installing $package"
done
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
  || fail "apt-get update failed"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" \
  || fail "apt-get install failed"

find_missing
((${#missing[@]} == 0)) || fail "still missing after apt-get install"
