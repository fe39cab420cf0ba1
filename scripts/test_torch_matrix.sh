#!/usr/bin/env bash
# The support matrix: for each torch, installs it from PyPI into its own environment
# (scripts/torch_python.sh, reused when present), builds the CPU kernels against it as a user
# without the CUDA toolkit would (scripts/without_cuda_toolkit.sh), and runs the C++ suite
# (ctest label cpp), python_check and the package's tests (python/tests: torch.compile, export,
# opcheck and fake kernels wherever that torch has them). Prints one markdown row per torch, and
# all of them again at the end.
#   scripts/test_torch_matrix.sh [VERSION ...]
# Default: the newest patch of every 2.x minor release on PyPI, up to the pinned torch
# (scripts/torch_version.txt). Each environment is about 5 GB: with KEEP_ENVIRONMENTS=0 each is
# removed after its row, but the pinned torch's and 2.11's (CI's). Builds and logs go to
# MATRIX_DIR (default build-matrix/), the table to MATRIX_DIR/matrix.md; with UPDATE_README=1 it
# also replaces the README's support matrix (between its torch-matrix markers).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pinned="$(cat "$root/scripts/torch_version.txt")"
results="${MATRIX_DIR:-$root/build-matrix}"
mkdir -p "$results"
versions=("$@")
if [ ${#versions[@]} -eq 0 ]; then
  mapfile -t versions < <(/usr/bin/python3 -m pip index versions torch 2>/dev/null |
    /usr/bin/python3 -c '
import re, sys
pinned = tuple(int(p) for p in sys.argv[1].split("."))
listed = re.search(r"Available versions: (.*)", sys.stdin.read())[1].split(", ")
newest = {}
for version in listed:
    parts = tuple(int(p) for p in version.split("."))
    if parts[0] == 2 and parts <= pinned:
        newest[parts[:2]] = max(newest.get(parts[:2], parts), parts)
print("\n".join(".".join(map(str, v)) for _, v in sorted(newest.items())))' "$pinned")
fi

# "N passed" / "N of M failed" from a ctest log.
summary() {
  local log="$1"
  local line
  line="$(grep -E "tests passed, [0-9]+ tests? failed out of" "$log" | tail -1)"
  [ -z "$line" ] && { echo "not run"; return; }
  local failed total
  failed="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<< "$line")"
  total="$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<< "$line")"
  if [ "$failed" = 0 ]; then echo "$total passed"; else echo "**$failed of $total failed**"; fi
}
# pytest's closing counts ("169 passed, 18 skipped"), bold when anything failed.
pytest_summary() {
  local line
  line="$(grep -hoE "[0-9]+ (passed|failed|error|errors)[^=]* in [0-9.]+s" "$1" | tail -1 | sed -E 's/ in [0-9.]+s$//')"
  [ -z "$line" ] && { echo "not run"; return; }
  if grep -qE "failed|error" <<< "$line"; then echo "**$line**"; else echo "$line"; fi
}
# The skip reasons of pytest's -rs lines, each with how many tests it skipped.
skips() {
  cat "$@" 2>/dev/null | /usr/bin/python3 -c '
import collections, re, sys
counts = collections.Counter()
for count, reason in re.findall(r"SKIPPED \[(\d+)\] [^:\n]+:\d+: (.*)", sys.stdin.read()):
    counts[reason.strip()] += int(count)
print("; ".join(f"{reason} ({count})" for reason, count in sorted(counts.items())))'
}

rows=()
row() { rows+=("$1"); printf '%s\n' "$1"; }
header="| torch | CPU kernels built | C++ suite | python_check | python/tests | skipped, and why |"
printf '%s\n|---|---|---|---|---|---|\n' "$header"
# Installing is network and disk work, building is CPU work: the next torch installs while this
# one builds and runs its tests.
install() {
  mkdir -p "$results/torch-$1"
  "$root/scripts/torch_python.sh" "$1" > "$results/torch-$1/python" 2> "$results/torch-$1/install.log"
}
installing=""
[ ${#versions[@]} -gt 0 ] && { install "${versions[0]}" & installing=$!; }
for index in "${!versions[@]}"; do
  version="${versions[$index]}"
  log="$results/torch-$version"
  installed=yes
  wait "$installing" || installed=no
  next="${versions[$((index + 1))]:-}"
  [ -n "$next" ] && { install "$next" & installing=$!; }
  start=$SECONDS
  if [ "$installed" = no ]; then
    row "| $version | not installed: $(tail -1 "$log/install.log") | | | | |"
    continue
  fi
  python="$(tail -n 1 "$log/python")"
  build="$log/build"
  python_version="$("$python" -c 'import platform; print(platform.python_version())')"
  prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
  # only what the three suites below run: the accuracy proof and fuzzer do not depend on torch
  if ! BUILD_DIR="$build" BUILD_TARGETS="torch_activations torch_activations_eager_calls activations_tests" \
      "$root/scripts/without_cuda_toolkit.sh" "$root/scripts/build.sh" \
      -DCMAKE_PREFIX_PATH="$prefix" -DACTIVATIONS_PYTHON="$python" -DACTIVATIONS_BUILD_EXAMPLES=OFF \
      > "$log/build.log" 2>&1; then
    row "| $("$python" -c 'import torch; print(torch.__version__)') | **failed**: $(grep -m1 -E 'error|Error' "$log/build.log" | cut -c1-160) | | | | |"
    continue
  fi
  ctest --test-dir "$build" -L cpp --output-on-failure --parallel "$(nproc)" > "$log/cpp.log" 2>&1 || true
  ctest --test-dir "$build" -R '^python_check$' -V > "$log/python_check.log" 2>&1 || true
  ctest --test-dir "$build" -R '^python_package$' -V > "$log/python_tests.log" 2>&1 || true
  row "| $("$python" -c 'import torch; print(torch.__version__)') | yes ($(( SECONDS - start )) s to build and test) | $(summary "$log/cpp.log") | $(pytest_summary "$log/python_check.log") | $(pytest_summary "$log/python_tests.log") | $(skips "$log/python_check.log" "$log/python_tests.log") |"
  if [ "${KEEP_ENVIRONMENTS:-1}" = 0 ] && [ "$version" != "$pinned" ] && [ "$version" != 2.11.0 ]; then
    rm -rf "$(dirname "$(dirname "$python")")" "$build"
  fi
done
{
  printf 'From one run of `scripts/test_torch_matrix.sh`, %s, on %s (%s cores), Python %s.\n\n' \
    "$(date -u +%Y-%m-%d)" "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
    "$(nproc)" "${python_version:-?}"
  printf '%s\n|---|---|---|---|---|---|\n' "$header"
  printf '%s\n' "${rows[@]}"
} > "$results/matrix.md"
printf '\n'
cat "$results/matrix.md"
if [ "${UPDATE_README:-0}" = 1 ]; then
  /usr/bin/python3 - "$results/matrix.md" "$root/README.md" <<'PY'
import re, sys
table = open(sys.argv[1]).read().strip()
path = sys.argv[2]
readme = open(path).read()
pattern = re.compile(r"(<!-- torch-matrix -->\n).*?(\n<!-- /torch-matrix -->)", re.S)
assert pattern.search(readme), "no torch-matrix markers in the README"
open(path, "w").write(pattern.sub(lambda m: m[1] + table + m[2], readme))
PY
fi
