#!/usr/bin/env bash
# The house's size limits, checked: no source file over 400 lines, no
# function over 80 lines outside tests (docs/architecture.md). Prints each
# excess and exits 1 when there is one. Needs universal-ctags (Debian
# package universal-ctags) for function extents.
#
# Usage: tools/code_size.sh [--max_file=400] [--max_function=80]
set -euo pipefail
cd "$(dirname "$0")/.."

max_file=400
max_function=80
for arg in "$@"; do
  case "$arg" in
    --max_file=*) max_file="${arg#*=}" ;;
    --max_function=*) max_function="${arg#*=}" ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "code_size.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
command -v ctags >/dev/null || {
  echo "code_size.sh: needs ctags: apt-get install universal-ctags" >&2; exit 2; }

mapfile -t sources < <(git ls-files --cached --others --exclude-standard '*.cc' '*.h' | grep -v '^third_party/')
excess=0
for f in "${sources[@]}"; do
  lines=$(wc -l < "$f")
  if (( lines > max_file )); then
    echo "file $f: $lines lines (limit $max_file)"
    excess=$((excess + 1))
  fi
done
# Functions: tests (and test-only fixtures) are exempt.
mapfile -t code < <(printf '%s\n' "${sources[@]}" | grep -v -E '(_test|_fuzzer)\.cc$|^tests/')
while IFS=$'\t' read -r name file rest; do
  line=$(grep -o -E 'line:[0-9]+' <<<"$rest" | cut -d: -f2)
  end=$(grep -o -E 'end:[0-9]+' <<<"$rest" | cut -d: -f2 || true)
  [[ -n "$line" && -n "$end" ]] || continue
  length=$((end - line + 1))
  if (( length > max_function )); then
    echo "function $file:$line $name: $length lines (limit $max_function)"
    excess=$((excess + 1))
  fi
done < <(ctags --fields=+ne --kinds-C++=f --language-force=C++ -o - "${code[@]}")
echo "$excess over the limits (files > $max_file lines, functions > $max_function lines outside tests)"
(( excess == 0 ))
