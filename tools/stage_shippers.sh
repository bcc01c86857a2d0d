#!/usr/bin/env bash
# Stages the real log shippers that tests/e2e:intake_shippers_test runs
# against natscope-server's syslog intake: rsyslog (with its OpenSSL
# network driver, rsyslog-openssl) and syslog-ng (syslog-ng-core).
#
# They are not installed: both packages are Debian's "system-log-daemon",
# conflict with each other, and installing either would start a system
# daemon. Instead the archive's current versions are downloaded and
# unpacked (dpkg-deb -x) under /var/cache/natscope/shippers:
#
#   rsyslog_<version>/          rsyslog + rsyslog-openssl (one source, one
#                               version: rsyslogd loads modules from one dir)
#   syslog-ng-core_<version>/   syslog-ng-core
#   current-rsyslog, current-syslog-ng   symlinks to the trees above
#
# A tree is complete when it holds `ready` (written last); a complete tree
# of the offered version is kept as is. Their shared libraries are ordinary
# packages in tools/setup.sh. Run as root (tools/setup.sh does); as another
# user it changes nothing, and says so unless both shippers are staged.
# Idempotent, and quiet when done.
set -euo pipefail

DEST=/var/cache/natscope/shippers

if [[ $(id -u) -ne 0 ]]; then
  # Staged already (perhaps an older version): nothing to say.
  [[ -f "$DEST/current-rsyslog/ready" && -f "$DEST/current-syslog-ng/ready" ]] && exit 0
  echo "stage_shippers: not root, nothing staged: run sudo $0 (or sudo tools/setup.sh)" \
    "to stage rsyslog and syslog-ng for tests/e2e:intake_shippers_test"
  exit 0
fi

# The version apt would install; after one `apt-get update` if unknown.
_updated=${NATSCOPE_STAGE_UPDATED:-0}
candidate() {
  local version
  version=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
  if [[ -z "$version" || "$version" == "(none)" ]] && [[ $_updated -eq 0 ]]; then
    apt-get update -qq
    _updated=1
    version=$(apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p')
  fi
  if [[ -z "$version" || "$version" == "(none)" ]]; then
    echo "stage_shippers: the archive offers no $1: check /etc/apt/sources.list (Debian 12 main)" >&2
    exit 1
  fi
  echo "$version"
}

# stage NAME LINK PKG...: unpacks PKG... (all at the version of the first)
# into $DEST/NAME_<version> unless that tree is ready, then points LINK at it.
stage() {
  local name=$1 link=$2; shift 2
  local version tree work pkg deb
  version=$(candidate "$1")
  tree="$DEST/${name}_${version//:/%3a}"
  if [[ ! -f "$tree/ready" ]]; then
    echo "stage_shippers: staging $* $version in $tree"
    work=$(mktemp -d /tmp/natscope-stage.XXXXXX)
    # shellcheck disable=SC2064  # Expand now: $work is local.
    trap "rm -rf '$work'" EXIT
    for pkg in "$@"; do
      # Stale package lists can name a version the mirror no longer has:
      # refresh them once and ask again.
      if ! (cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "$pkg=$version"); then
        if [[ $_updated -eq 0 ]]; then
          apt-get update -qq
          _updated=1
          NATSCOPE_STAGE_UPDATED=1 exec "$0"
        fi
        echo "stage_shippers: apt-get download $pkg=$version failed" >&2
        exit 1
      fi
    done
    rm -rf "$tree.partial"
    mkdir -p "$tree.partial"
    for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$tree.partial"; done
    rm -rf "$tree" "$work"
    trap - EXIT
    mv "$tree.partial" "$tree"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$tree/ready"
  fi
  if [[ "$(readlink "$DEST/$link" 2>/dev/null)" != "$(basename "$tree")" ]]; then
    ln -sfn "$(basename "$tree")" "$DEST/$link.new"
    mv -T "$DEST/$link.new" "$DEST/$link"
  fi
}

mkdir -p "$DEST"
stage rsyslog current-rsyslog rsyslog rsyslog-openssl
stage syslog-ng-core current-syslog-ng syslog-ng-core
