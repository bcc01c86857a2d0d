#!/usr/bin/env bash
# Installs the Debian 12 packages natscope needs to build, test and run.
# Idempotent: quiet, and fast, when everything is already there.
set -euo pipefail

PACKAGES=(
  # Build: Bazel and the C++ toolchain.
  bazel-bootstrap g++ pkg-config
  # Libraries (headers + pkg-config files).
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libre2-dev libpqxx-dev libpq-dev libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev
  # HTTP: the server's dashboard, JSON API and /metrics; webhooks over HTTPS.
  libcpp-httplib-dev libcurl4-openssl-dev
  # Fuzzing: clang with libFuzzer and the sanitizer runtimes.
  clang-14 libclang-rt-14-dev
  # The embedded database and real peers for tests.
  postgresql-15 postgresql-client-15 coturn
  # Real peers for the probe engine and the NAT lab: a QUIC endpoint,
  # port-mapping clients and a UPnP/NAT-PMP gateway.
  ngtcp2-server ngtcp2-client libminiupnpc-dev miniupnpc libnatpmp-dev natpmpc
  miniupnpd-nftables
  # STUN clients and servers no one here wrote, for the interop tests: the
  # classic RFC 3489 client and server (Vovida), and Go STUN libraries
  # built offline with Debian's Go toolchain.
  stun-client stun-server golang-go golang-github-pion-stun-dev
  golang-github-ccding-go-stun-dev
  # The agent's journal source (libsystemd), and systemd-journal-remote to
  # write the journal files its tests own (journald does not run there).
  libsystemd-dev systemd-journal-remote
  # Debian packages of natscope (tools/package.sh) and their checks.
  dpkg-dev lintian adduser
  # Process and network tools used by the scripts and tests.
  procps util-linux iproute2 nftables openssl
  # Real checks: the dashboard in a headless browser, /metrics by promtool.
  chromium fonts-dejavu-core prometheus
  # The fleet examples checked by the tools that run them (deploy/,
  # tests/e2e:deploy_examples_test): cloud-init's schema, ansible-playbook.
  cloud-init ansible-core
  # Baselines and meters for tools/bench.sh.
  ripgrep time
  # The shared libraries of rsyslog and syslog-ng, which are staged, not
  # installed (tools/stage_shippers.sh, for tests/e2e:intake_shippers_test).
  libestr0 libfastjson4 liblognorm5 libivykis0 libjson-c5 libnet1 libpcre3
  libwrap0 libcap2 libglib2.0-0
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
# Real log shippers for the intake tests, unpacked beside the system.
stage_shippers() { "$(dirname "$0")/stage_shippers.sh"; }
# Citus in Debian's PostgreSQL 15 for the scale-out tests (the tests tagged
# "citus"), built from third_party/citus once per machine; the check is
# quick when it is installed.
build_citus() {
  if [[ $(id -u) -eq 0 ]]; then
    "$(dirname "$0")/build_citus.sh"
  elif [[ ! -f /usr/lib/postgresql/15/lib/citus.so ]]; then
    echo "setup: Citus is not installed, so the Citus tests will fail:" \
      "run sudo $0 (or sudo tools/build_citus.sh)"
  fi
}
if [[ ${#missing[@]} -eq 0 ]]; then
  stage_shippers
  build_citus
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "setup: missing Debian packages: ${missing[*]}" >&2
  echo "setup: run as root (or: sudo $0) to install them" >&2
  exit 1
fi

echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A freshly installed postgresql-15 would create and start a system-wide
# cluster; natscope runs its own, so tell postgresql-common not to.
mkdir -p /etc/postgresql-common
if [[ ! -f /etc/postgresql-common/createcluster.conf ]]; then
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
stage_shippers
build_citus
echo "setup: done"
