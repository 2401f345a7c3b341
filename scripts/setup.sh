#!/usr/bin/env bash
# Self-setup for bgp-rr development, tests, demo and benchmarks on Debian (bookworm).
# Idempotent and quiet when there is nothing to do; used by `npm test`, `npm run demo`,
# `npm run bench*`, `npm run setup` and .ci/run.
#
#   1. system packages the tests and demo run (apt-get, as root or via sudo):
#      bird (BIRD 1.6: bird, bird6), etcd-server, etcd-client, gobgpd, iproute2,
#      nftables, openssl, procps, systemd (systemd-analyze verifies our unit);
#   2. BIRD 2 unpacked into .cache/bird2 (Debian's bird2 conflicts with bird, so it
#      is never installed: `apt-get download bird2` + `dpkg-deb -x`), plus the shared
#      libraries it needs, checked by running `bird --version`;
#   3. node_modules: `npm ci` when missing or older than package-lock.json.
#
# Environment: BGP_RR_SKIP_NPM=1 skips step 3.
set -euo pipefail
# shellcheck source=lib/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$BGP_RR_ROOT"

# Node first: nothing else works without it.
command -v node >/dev/null 2>&1 || die "node is not installed (need Node.js >= 20)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old (need >= 20)"

mkdir -p .cache
# One setup at a time (several engineers, parallel npm scripts).
exec 9>.cache/setup.lock
flock 9

# --- 1. system packages: "package:program program..." (a program missing => install)
REQUIRED=(
  "bird:bird bird6 birdc birdc6"
  "etcd-server:etcd"
  "etcd-client:etcdctl"
  "gobgpd:gobgpd gobgp"
  "iproute2:ip"
  "nftables:nft"
  "openssl:openssl"
  "procps:pgrep sysctl"
  "util-linux:flock"
  "systemd:systemd-analyze"
)
missing=()
for entry in "${REQUIRED[@]}"; do
  pkg="${entry%%:*}"
  for prog in ${entry#*:}; do
    if ! command -v "$prog" >/dev/null 2>&1; then
      missing+=("$pkg")
      break
    fi
  done
done
apt_install "${missing[@]}"

# --- 2. BIRD 2 in .cache/bird2
BIRD2="$BGP_RR_ROOT/.cache/bird2"
bird2_ok() { "$BIRD2/usr/sbin/bird" --version >/dev/null 2>&1 && [ -x "$BIRD2/usr/sbin/birdc" ]; }
if ! bird2_ok; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  chmod 755 "$tmp" # lets apt's _apt sandbox user write the download
  log "downloading bird2 into .cache/bird2"
  if ! (cd "$tmp" && apt-get download -qq bird2 >/dev/null 2>&1); then
    # A fresh machine may have no package lists yet.
    apt_update_once
    (cd "$tmp" && apt-get download -qq bird2 >&2) || die "apt-get download bird2 failed"
  fi
  deb="$(ls "$tmp"/bird2_*.deb)"
  # Its shared libraries (libssh-gcrypt-4, libreadline8...): the Depends that are
  # libraries, installed system-wide (they do not conflict with bird).
  libs=()
  for dep in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed -e 's/(.*)//' -e 's/|.*//' -e 's/[[:space:]]//g'); do
    case "$dep" in
      lib*) pkg_installed "$dep" || libs+=("$dep") ;;
    esac
  done
  apt_install "${libs[@]}"
  rm -rf "$BIRD2.tmp"
  dpkg-deb -x "$deb" "$BIRD2.tmp"
  rm -rf "$BIRD2"
  mv "$BIRD2.tmp" "$BIRD2"
  if ! bird2_ok; then
    ldd "$BIRD2/usr/sbin/bird" >&2 || true
    die "$BIRD2/usr/sbin/bird does not run (missing shared libraries above?)"
  fi
  log "$("$BIRD2/usr/sbin/bird" --version 2>&1) ready in .cache/bird2"
fi

# --- 3. node_modules
if [ "${BGP_RR_SKIP_NPM:-0}" != 1 ]; then
  if [ -f package-lock.json ]; then
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      log "npm ci"
      npm ci --no-audit --no-fund >&2 || die "npm ci failed"
    fi
  elif [ ! -d node_modules ]; then
    log "npm install"
    npm install --no-audit --no-fund >&2 || die "npm install failed"
  fi
fi
