// The peer libraries the benchmarks and bench/peer_accuracy.cpp compare ours against, each built
// in when CMake found it (ACTIVATIONS_BENCH_HAVE_DNNL, ACTIVATIONS_BENCH_HAVE_XNNPACK).
//
// A peer's operator is prepared once for one input and output buffer and one thread count, as an
// application would create its primitive or operator once and then run it on the same buffers:
// what the returned call times is the computation alone.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace peers {

// y[i] = f(x[i]) for i < n, on the buffers and with the thread count given when prepared.
using Run = std::function<void()>;

struct Peer {
  std::string library;     // "onednn", "xnnpack": names the benchmark variant peer_<library>
  std::string activation;  // "sigmoid", "tanh", "relu", "leaky_relu" (slope kSlope), "silu",
                           // "gelu", "gelu_tanh"
  std::function<Run(const float* x, float* y, int64_t n, int threads)> prepare;
};

constexpr float kSlope = 0.2f;

// Every peer operator built in, in a fixed order.
std::vector<Peer> all();

// "oneDNN 2.6.3 (OpenMP, avx512_core)"-like descriptions of the libraries built in, one a line.
std::vector<std::string> versions();

#ifdef ACTIVATIONS_BENCH_HAVE_DNNL
std::vector<Peer> onednn();
std::string onednn_version();
#endif
#ifdef ACTIVATIONS_BENCH_HAVE_XNNPACK
std::vector<Peer> xnnpack();
std::string xnnpack_version();
#endif

}  // namespace peers
