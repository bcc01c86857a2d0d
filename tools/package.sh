#!/usr/bin/env bash
# Builds natscope's Debian 12 packages, offline: natscope-agent,
# natscope-server and natscope-cli, as dist/PKG_VERSION-1_ARCH.deb (the
# binaries say VERSION; "-1" is the Debian revision of the packaging).
#
#   tools/package.sh [--version=X.Y.Z] [--out=DIR] [--fastbuild] [--nolintian]
#
# The binaries are built with -c opt and stamped (tools/workspace_status.sh:
# `--version` prints the commit), then stripped. Depends: comes from
# dpkg-shlibdeps; dpkg-gencontrol writes each DEBIAN/control from
# deploy/debian/control; dpkg-deb --root-owner-group builds (no fakeroot).
#   --version=X.Y.Z  the binaries' version (default: the VERSION file); the
#                    packages are X.Y.Z-1
#   --out=DIR        where the .deb files go (default: dist)
#   --fastbuild      reuse the default (fastbuild) build: for tests, where
#                    an opt build of everything would cost minutes
#   --nolintian      skip lintian (otherwise run when installed; an error
#                    fails the script)
#
# Layout: /usr/bin/natscope-agent, /usr/sbin/natscope-server,
# /usr/bin/natscope; units in /lib/systemd/system (deploy/*.service with
# the packaged paths); conffiles /etc/natscope/agent.textproto.example
# and /etc/natscope/server.env (the agent's config is written by
# `natscope-agent enroll`, or copied from the example); state in /var/lib/natscope-agent and
# /var/lib/natscope (created by postinst, removed on purge). Maintainer
# scripts: deploy/debian/.
#
# lintian warnings left on purpose (none is an error):
#   no-manual-page (all three): --help is the manual, and no man page
#     exists yet to ship.
#   initial-upload-closes-no-bugs (all three): the changelog's only entry
#     closes no Debian bug, as natscope is not in Debian.
set -euo pipefail
cd "$(dirname "$0")/.."
root_dir=$PWD

version=$(tr -d '[:space:]' < VERSION)
out=dist
mode=(-c opt)
lint=1
for arg in "$@"; do
  case "$arg" in
    --version=*) version=${arg#--version=} ;;
    --out=*) out=${arg#--out=} ;;
    --fastbuild) mode=() ;;
    --nolintian) lint=0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "package: unknown argument \"$arg\" (see tools/package.sh --help)" >&2; exit 2 ;;
  esac
done
if [[ ! "$version" =~ ^[0-9][0-9A-Za-z.+~]*$ ]]; then
  echo "package: \"$version\" is not a Debian version (e.g. 0.5.0, 0.5.1~rc1)" >&2
  exit 2
fi
for tool in dpkg-deb dpkg-shlibdeps dpkg-gencontrol strip gzip; do
  command -v "$tool" >/dev/null || {
    echo "package: $tool is missing: run tools/setup.sh (as root)" >&2
    exit 1
  }
done

targets=(//ingest/agent:natscope-agent //server:natscope-server //server/cli:natscope)
work=$(mktemp -d /tmp/natscope-package.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin"
commit=$(NATSCOPE_VERSION=$version tools/workspace_status.sh | sed -n 's/^STABLE_GIT_COMMIT //p')
echo "package: building natscope $version (${mode[*]:-fastbuild}, stamped: commit ${commit:-unknown})"
# Another bazel command in this tree between our build and the copy below
# (an unstamped build of the same configuration) would replace the stamped
# binaries: copy them at once, check what they say, and rebuild if needed.
for attempt in 1 2 3; do
  # NATSCOPE_VERSION reaches //common:build_info through the stable status.
  NATSCOPE_VERSION=$version bazel build "${mode[@]}" --stamp \
    --workspace_status_command="$root_dir/tools/workspace_status.sh" "${targets[@]}"
  bin=$(bazel info "${mode[@]}" bazel-bin 2>/dev/null)
  cp -f "$bin/ingest/agent/natscope-agent" "$bin/server/natscope-server" \
    "$bin/server/cli/natscope" "$work/bin/"
  stamped=1
  for b in natscope-agent natscope-server natscope; do
    line=$("$work/bin/$b" --version)
    [[ "$line" == "$b $version (commit ${commit:-unknown}"* ]] || stamped=0
  done
  [[ $stamped -eq 1 ]] && break
  echo "package: $line: replaced by another build in this tree; building again" >&2
done
[[ $stamped -eq 1 ]] || { echo "package: could not get stamped binaries (see above)" >&2; exit 1; }
bin=$work/bin

arch=$(dpkg --print-architecture)
deb_version=$version-1
umask 022
mkdir -p "$work/debian" "$out"
cp deploy/debian/control "$work/debian/control"
# One changelog for the three packages, dated by the commit (reproducible).
date_rfc=$(git log -1 --format=%aD HEAD 2>/dev/null || date -R)
maintainer=$(sed -n 's/^Maintainer: //p' deploy/debian/control)
cat > "$work/debian/changelog" <<EOF
natscope ($deb_version) unstable; urgency=medium

  * natscope $version, built from commit $(git rev-parse --short=8 HEAD 2>/dev/null || echo unknown).

 -- $maintainer  $date_rfc
EOF

# stage PKG: an empty package tree with its docs and maintainer scripts.
stage() {
  local pkg=$1 dir=$work/$1 script
  mkdir -p "$dir/DEBIAN" "$dir/usr/share/doc/$pkg"
  install -m 0644 deploy/debian/copyright "$dir/usr/share/doc/$pkg/copyright"
  gzip -9n < "$work/debian/changelog" > "$dir/usr/share/doc/$pkg/changelog.Debian.gz"
  chmod 0644 "$dir/usr/share/doc/$pkg/changelog.Debian.gz"
  for script in postinst prerm postrm; do
    if [[ -f deploy/debian/$pkg.$script ]]; then
      install -m 0755 "deploy/debian/$pkg.$script" "$dir/DEBIAN/$script"
    fi
  done
}

# install_binary SRC DEST: stripped as dh_strip does for executables.
install_binary() {
  install -d -m 0755 "$(dirname "$2")"
  strip --remove-section=.comment --remove-section=.note -o "$2" "$1"
  chmod 0755 "$2"
}

# install_unit SRC DEST BINARY: the unit with the packaged binary's path.
install_unit() {
  install -d -m 0755 "$(dirname "$2")"
  sed "s|/usr/local/bin/$(basename "$3")|$3|" "$1" > "$2"
  chmod 0644 "$2"
  grep -q "^ExecStart=$3 " "$2" || {
    echo "package: $1 has no ExecStart=/usr/local/bin/$(basename "$3") to rewrite" >&2
    exit 1
  }
}

stage natscope-agent
a=$work/natscope-agent
install_binary "$bin/natscope-agent" "$a/usr/bin/natscope-agent"
install_unit deploy/natscope-agent.service "$a/lib/systemd/system/natscope-agent.service" \
  /usr/bin/natscope-agent
install -d -m 0755 "$a/etc/natscope"
# An example beside the config, not the config: `natscope-agent enroll`
# writes /etc/natscope/agent.textproto (removed on purge by postrm).
install -m 0644 deploy/natscope-agent.textproto "$a/etc/natscope/agent.textproto.example"
echo /etc/natscope/agent.textproto.example > "$a/DEBIAN/conffiles"

stage natscope-server
s=$work/natscope-server
install_binary "$bin/natscope-server" "$s/usr/sbin/natscope-server"
install_unit deploy/natscope-server.service "$s/lib/systemd/system/natscope-server.service" \
  /usr/sbin/natscope-server
install -d -m 0755 "$s/etc/natscope"
install -m 0644 deploy/debian/natscope-server.env "$s/etc/natscope/server.env"
echo /etc/natscope/server.env > "$s/DEBIAN/conffiles"

stage natscope-cli
install_binary "$bin/natscope" "$work/natscope-cli/usr/bin/natscope"

debs=()
for pkg in natscope-agent natscope-server natscope-cli; do
  dir=$work/$pkg
  (
    cd "$work"
    mapfile -t exes < <(find "$pkg/usr/bin" "$pkg/usr/sbin" -type f 2>/dev/null)
    dpkg-shlibdeps -T"debian/$pkg.substvars" "${exes[@]}"
    dpkg-gencontrol -p"$pkg" -P"$pkg" -T"debian/$pkg.substvars" -fdebian/files
  )
  (cd "$dir" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z |
    xargs -0 md5sum > DEBIAN/md5sums)
  chmod 0644 "$dir/DEBIAN/md5sums" "$dir/DEBIAN/control"
  deb=$out/${pkg}_${deb_version}_${arch}.deb
  dpkg-deb --build --root-owner-group -Zxz "$dir" "$deb" >/dev/null
  debs+=("$deb")
  echo "package: $deb ($(dpkg-deb -f "$deb" Depends))"
done

if [[ $lint -eq 1 ]]; then
  if command -v lintian >/dev/null; then
    echo "package: lintian ${debs[*]}"
    # Exit status 1 only for errors (--fail-on error, lintian's default).
    lintian --fail-on error "${debs[@]}"
  else
    echo "package: lintian is not installed (tools/setup.sh): packages not checked"
  fi
fi
