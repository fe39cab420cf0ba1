#!/usr/bin/env bash
# Builds and runs the benchmark suite twice (against ATen's default kernels, then with
# ATEN_CPU_CAPABILITY=avx512 where the CPU has it) and writes BENCHMARKS.md and
# docs/benchmarks.png. Benchmarks are not tests: nothing here fails on speed.
# Usage: scripts/run_benchmarks.sh [min-time-seconds]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
min_time="${1:-0.2}"
"$root/scripts/install_deps.sh" python3-matplotlib
"$root/scripts/build.sh" -DACTIVATIONS_BUILD_BENCHMARKS=ON
results="$build_dir/bench-results"
mkdir -p "$results"
run() {
  "$build_dir/bench/activations_bench" --benchmark_min_time="$min_time" \
    --benchmark_out_format=json --benchmark_out="$1" "${@:2}"
}
run "$results/default.json"
reports=("$results/default.json")
if grep -q avx512f /proc/cpuinfo; then
  ATEN_CPU_CAPABILITY=avx512 run "$results/avx512.json" --benchmark_filter='(out|backward)_.*float32'
  reports+=("$results/avx512.json")
fi
# Allocating calls at 1.6e7 elements again, with huge pages turned on, as medians of five runs.
ACTIVATIONS_HUGE_PAGES=1 run "$results/huge_pages.json" --benchmark_repetitions=5 \
  --benchmark_filter='(alloc|backward|module)_.*/float32/16000000/'
cuda=()  # a GPU run's table (scripts/gpu_check.sh), copied here as bench-results/cuda_bandwidth.md
[ -f "$results/cuda_bandwidth.md" ] && cuda=(--cuda "$results/cuda_bandwidth.md")
/usr/bin/python3 "$root/scripts/benchmarks_report.py" "${reports[@]}" "${cuda[@]}" \
  --huge-pages "$results/huge_pages.json" \
  --markdown "$root/BENCHMARKS.md" --plot "$root/docs/benchmarks.png"
echo "wrote $root/BENCHMARKS.md and $root/docs/benchmarks.png"
