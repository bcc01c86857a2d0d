#!/usr/bin/env bash
# Bazel's --workspace_status_command for stamped (release) builds; see
# tools/package.sh and //common:version. Prints the keys //common:build_info
# reads from bazel-out/stable-status.txt:
#   STABLE_GIT_COMMIT        short commit, "-dirty" when the tree has changes
#   STABLE_GIT_DATE          the commit's date, YYYY-MM-DD
#   STABLE_NATSCOPE_VERSION  only when NATSCOPE_VERSION is set (package.sh
#                            --version=X.Y.Z); otherwise the VERSION file wins
# Only stable keys: a new commit re-links the three binaries of a stamped
# build and nothing else; unstamped (developer) builds never run this.
set -euo pipefail
cd "$(dirname "$0")/.."
if commit=$(git rev-parse --short=8 HEAD 2>/dev/null); then
  # Read-only (no index refresh): other work in the tree must not be disturbed.
  git diff --quiet HEAD -- 2>/dev/null || commit="$commit-dirty"
  echo "STABLE_GIT_COMMIT $commit"
  echo "STABLE_GIT_DATE $(git log -1 --format=%cs HEAD)"
fi
if [[ -n "${NATSCOPE_VERSION:-}" ]]; then
  echo "STABLE_NATSCOPE_VERSION $NATSCOPE_VERSION"
fi
