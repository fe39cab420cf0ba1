#!/usr/bin/env bash
# Builds and runs the benchmark suite twice (against ATen's default kernels, then with
# ATEN_CPU_CAPABILITY=avx512 where the CPU has it), the peer libraries (oneDNN, XNNPACK) in the
# first run, and their accuracy beside ours and ATen's (bench/peer_accuracy.cpp, ATen at both
# capabilities), our previous kernels (BASELINE_REF) and ours restricted to AVX2, then built
# against the pinned PyPI torch (float32 against its own kernels, Python calls), and writes
# BENCHMARKS.md and docs/benchmarks.png. Benchmarks are not tests:
# nothing here fails on speed.
# Usage: scripts/run_benchmarks.sh [min-time-seconds per repetition]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$root/build}"
min_time="${1:-0.1}"
"$root/scripts/install_deps.sh"  # with the peer libraries (oneDNN, XNNPACK)
"$root/scripts/build.sh" -DACTIVATIONS_BUILD_BENCHMARKS=ON
results="$build_dir/bench-results"
mkdir -p "$results"
run() {
  "$build_dir/bench/activations_bench" --benchmark_min_time="$min_time" \
    --benchmark_out_format=json --benchmark_out="$1" "${@:2}"
}
# Every table is a median of repetitions interleaved at random with the other cells of its run,
# so that a slow spell of this shared machine falls on no one cell's repetitions together.
interleaved=(--benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true)
three=(--benchmark_repetitions=3 "${interleaved[@]}")
five=(--benchmark_repetitions=5 "${interleaved[@]}")
run "$results/default.json" "${three[@]}"
reports=("$results/default.json")
# The cells the targets are judged on, again as medians of five: float32, 1 thread, in cache, and
# the allocating calls (forward and backward, float32) from 1e4 up at 1 and 2 threads.
in_cache='(paired_(out|backward|peer_[a-z]*)|copy)/[a-z_]*/float32/(100000|1000000)/threads:1'
allocating='paired_(alloc|backward)/[a-z_]*/float32/(10000|100000|1000000|16000000)/threads:[12]/'
target_cells="^($in_cache|$allocating)"
run "$results/targets.json" --benchmark_filter="$target_cells" "${five[@]}"
# Accuracy of the peers, ours and ATen's (ATen's at its default capability here).
"$build_dir/bench/activations_peer_accuracy" "$results/accuracy.json"
accuracy=(--accuracy "$results/accuracy.json")
if grep -q avx512f /proc/cpuinfo; then
  # ATen's AVX-512 kernels: forward out= and allocating, backward, float32, against ours again.
  ATEN_CPU_CAPABILITY=avx512 run "$results/avx512.json" "${three[@]}" \
    --benchmark_filter='^paired_(out|alloc|backward)/.*/float32/'
  reports+=("$results/avx512.json")
  ATEN_CPU_CAPABILITY=avx512 "$build_dir/bench/activations_peer_accuracy" \
    "$results/accuracy_avx512.json" --only aten
  accuracy+=(--accuracy-avx512 "$results/accuracy_avx512.json")
fi
# Our previous kernels (BASELINE_REF: by default the last commit before the AVX-512 slot tables),
# built from git in a worktree of their own, for "times faster than before" in this same run.
baseline_ref="${BASELINE_REF:-103fbe4}"
baseline=()
if git -C "$root" rev-parse -q --verify "$baseline_ref^{commit}" >/dev/null; then
  baseline_src="$build_dir/baseline-src"
  [ -d "$baseline_src" ] || git -C "$root" worktree add --detach "$baseline_src" "$baseline_ref"
  cmake -S "$baseline_src" -B "$build_dir/baseline" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DACTIVATIONS_BUILD_BENCHMARKS=ON >/dev/null
  cmake --build "$build_dir/baseline" --target activations_bench
  "$build_dir/baseline/bench/activations_bench" --benchmark_min_time="$min_time" \
    --benchmark_out_format=json --benchmark_out="$results/baseline.json" \
    --benchmark_filter='^out_ours/(sigmoid|tanh)/float32/' "${three[@]}"
  # The target cells again, the previous kernels' benchmark and this one alternating process by
  # process, so that both sides of each "times faster than before" ratio see the same spell of
  # this shared machine (the report takes the median ratio over the pairs); memcpy of the same
  # bytes beside ours bounds what any kernel could gain there.
  before_after=()
  for pair in 1 2 3 4 5 6 7; do
    "$build_dir/baseline/bench/activations_bench" --benchmark_min_time="$min_time" \
      --benchmark_out_format=json --benchmark_out="$results/before_$pair.json" \
      --benchmark_filter='^out_ours/(sigmoid|tanh)/float32/(100000|1000000)/threads:1' >/dev/null
    run "$results/after_$pair.json" \
      --benchmark_filter='^(paired_out/(sigmoid|tanh)|copy/copy)/float32/(100000|1000000)/threads:1' \
      >/dev/null
    before_after+=("$results/before_$pair.json" "$results/after_$pair.json")
  done
  baseline=(--baseline "$results/baseline.json" --before-after "${before_after[@]}")
fi
# Ours restricted to AVX2, against ATen's default (AVX2) kernels: what CPUs without AVX-512 get.
ACTIVATIONS_BENCH_SIMD_TARGET=AVX2 run "$results/avx2.json" "${three[@]}" \
  --benchmark_filter='^paired_(out|backward)/.*/float32/[0-9]*0000/'
# Allocating calls at 1.6e7 elements again, with huge pages turned on, as medians of five runs.
ACTIVATIONS_HUGE_PAGES=1 run "$results/huge_pages.json" "${five[@]}" \
  --benchmark_filter='^paired_(alloc|backward|module)/.*/float32/16000000/'
# Against the pinned PyPI torch, the one users run: the library, torch_activations._C and the
# benchmark built against it (CPU kernels; nothing here reaches CUDA).
torch2_python="$("$root/scripts/torch_python.sh" | tail -n 1)"
torch2_build="$build_dir/bench-torch2"
cmake -S "$root" -B "$torch2_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$("$torch2_python" -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
  -DACTIVATIONS_PYTHON="$torch2_python" -DACTIVATIONS_WITH_CUDA=OFF \
  -DACTIVATIONS_BUILD_TESTS=OFF -DACTIVATIONS_BUILD_EXAMPLES=OFF \
  -DACTIVATIONS_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$torch2_build" --parallel "$(nproc)"
# Its own kernels (its default capability, AVX-512 where the CPU has it) against ours, float32.
# torch's paths differ between CPU vendors (MKL's), so the report keeps each vendor's last run
# (docs/benchmarks/pinned-<vendor>.json), and this one replaces its vendor's.
"$torch2_build/bench/activations_bench" --benchmark_min_time="$min_time" \
  --benchmark_out_format=json --benchmark_out="$results/pinned.json" "${three[@]}" \
  --benchmark_filter='^(paired_(out|alloc|backward|module)|copy)/.*/float32/'
# What a call from eager Python costs against that torch's own calls.
PYTHONPATH="$root/python" TORCH_ACTIVATIONS_LIBRARY="$torch2_build/libtorch_activations.so" \
  "$torch2_python" "$root/bench/python_calls.py" > "$root/docs/python_calls.md"
cuda=()  # the last GPU run's results (scripts/gpu_check.sh), summarised in docs/cuda/results.md
[ -f "$root/docs/cuda/results.md" ] && cuda=(--cuda "$root/docs/cuda/results.md")
/usr/bin/python3 "$root/scripts/benchmarks_report.py" "${reports[@]}" "${cuda[@]}" "${accuracy[@]}" \
  --python-calls "$root/docs/python_calls.md" \
  "${baseline[@]}" --targets "$results/targets.json" --avx2 "$results/avx2.json" \
  --pinned "$results/pinned.json" --pinned-store "$root/docs/benchmarks" \
  --huge-pages "$results/huge_pages.json" --markdown "$root/BENCHMARKS.md" --plot "$root/docs/benchmarks.png"
echo "wrote $root/BENCHMARKS.md and $root/docs/benchmarks.png"
