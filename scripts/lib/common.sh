# shellcheck shell=bash
# Helpers shared by scripts/setup.sh, scripts/test.sh and .ci/run. Source, do not run.

# Repository root (this file is <root>/scripts/lib/common.sh).
BGP_RR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export BGP_RR_ROOT

# System tools live in sbin directories that a non-root PATH may lack.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="$PATH:/usr/sbin:/sbin" ;; esac
export PATH

log() { printf '%s: %s\n' "${BGP_RR_LOG_TAG:-setup}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Runs a command as root: directly when we are root, else through passwordless sudo.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root to run: $* (run as root, or configure passwordless sudo)"
  fi
}

# True when the Debian package is installed.
pkg_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

APT_UPDATED=0
# Runs an apt-get command as root, quietly; its output is shown only if it fails.
apt_quiet() {
  local out rc
  out="$(mktemp)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get -q "$@" >"$out" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || cat "$out" >&2
  rm -f "$out"
  return "$rc"
}

apt_update_once() {
  [ "$APT_UPDATED" -eq 0 ] || return 0
  log "apt-get update"
  apt_quiet update || die "apt-get update failed"
  APT_UPDATED=1
}

# Installs the given Debian packages with apt-get (update first, once per run).
apt_install() {
  [ "$#" -gt 0 ] || return 0
  apt_update_once
  log "apt-get install $*"
  apt_quiet install -y --no-install-recommends "$@" || die "apt-get install $* failed"
}
