#!/usr/bin/env bash
# Builds and installs Citus (third_party/citus) into Debian's PostgreSQL 15,
# once per machine: the scale-out tests run a Citus cluster on loopback.
#
# Installs the build's Debian packages (apt-get, idempotent), unpacks the
# vendored source under /var/cache/natscope/citus (never in the source
# tree), patches it, and runs ./configure --without-libcurl, make and make
# install (PostgreSQL loads extensions only from its own directories).
# Skips everything when citus.so of this Citus version, built against this
# PostgreSQL minor version, is installed (about two minutes otherwise on 2
# cores). Run as root. Prints what it does; quiet when there is nothing to do.
set -euo pipefail

readonly CITUS_VERSION=13.2.2
readonly ROOT=$(cd "$(dirname "$0")/.." && pwd)
readonly SRC="$ROOT/third_party/citus"
readonly CACHE=/var/cache/natscope/citus
readonly PACKAGES=(
  postgresql-server-dev-15 libkrb5-dev libselinux1-dev libxslt1-dev
  libpam0g-dev liblz4-dev libzstd-dev libxml2-dev libssl-dev libreadline-dev
  make gcc patch
)

fail() { echo "build_citus: $*" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || fail "run as root (it installs packages and writes PostgreSQL's extension directories)"

missing=()
for pkg in "${PACKAGES[@]}"; do
  [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" == "install ok installed" ]] ||
    missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "build_citus: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

readonly PGC=/usr/lib/postgresql/15/bin/pg_config
[[ -x $PGC ]] || fail "$PGC missing: install postgresql-server-dev-15"
readonly PG_VERSION=$("$PGC" --version)
readonly STAMP="citus $CITUS_VERSION for $PG_VERSION"
readonly MARKER="$CACHE/installed"
if [[ -f "$("$PGC" --pkglibdir)/citus.so" && -f $MARKER && "$(cat "$MARKER")" == "$STAMP" ]]; then
  exit 0
fi

echo "build_citus: building $STAMP (about 2 minutes)"
build="$CACHE/build-$CITUS_VERSION"
rm -rf "$build" && mkdir -p "$build"
tar -xzf "$SRC/citus-$CITUS_VERSION-src.tar.gz" -C "$build"
cd "$build/citus-$CITUS_VERSION"
patch -p1 -s <"$SRC/pg15-minor-exports.patch"
PG_CONFIG=$PGC ./configure --without-libcurl >"$build/configure.log" 2>&1 ||
  fail "configure failed: see $build/configure.log"
make -j"$(nproc)" >"$build/make.log" 2>&1 || fail "make failed: see $build/make.log"
make install >"$build/install.log" 2>&1 || fail "make install failed: see $build/install.log"
echo "$STAMP" >"$MARKER"
echo "build_citus: installed $STAMP into $("$PGC" --pkglibdir)"
