// Google Benchmark suite: our operators against LibTorch's built-ins in the same run.
//
// Names: <variant>/<activation>/<dtype>/<elements>/threads:<n>, where variant is
//   paired_out                   ours and ATen's out= variants on preallocated buffers
//   paired_alloc                 ours and ATen's allocating calls
//   paired_backward              ours and ATen's backward operators (grad_output, saved)
//   paired_module                MySigmoid vs torch::nn::Sigmoid etc.
//   paired_peer_onednn,          our out= variant and a peer library's operator on the same
//   paired_peer_xnnpack          preallocated buffers (float32, 1e4 and up, 1 thread;
//                                bench/peers/), each where CMake found it
//   peer_onednn, peer_xnnpack    the peer's operator alone, at 2 threads
//   naive                        the chapter's composition of torch ops
//   copy                         a plain copy of the same bytes (the memory roofline)
// A paired_* case times ours and the other in alternating rounds and reports the counters
// ours_ns and other_ns (medians of the rounds, per call) and ratio (the median of the rounds'
// other time / our time). scripts/benchmarks_report.py turns the JSON output into BENCHMARKS.md.
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <activations/activations.h>

#include "aten_capability.h"
#include "peers/peers.h"

#include <hwy/targets.h>

#include <ATen/Version.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace {

using Unary = std::function<torch::Tensor(const torch::Tensor&)>;
using Out = std::function<void(const torch::Tensor&, torch::Tensor&)>;
using Backward = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>;

constexpr double kSlope = 0.2;
// Each benchmark timed alone first runs this long unmeasured (a paired one makes one call of
// each side first): the first large allocations of a run fault in memory (huge pages or not)
// that a steady state reuses.
constexpr double kWarmUpSeconds = 0.05;
// A paired case's rounds, and the fewest elements one of its timed blocks of calls processes:
// a cell near parity that is measured apart from its peer falls below 0.95 somewhere among
// hundreds of cells whenever this shared machine slows down for a moment, while a round's two
// blocks, a fraction of a millisecond apart, see the same machine.
constexpr int kPairedRounds = 15;
constexpr int64_t kPairedBlockElements = 400000;

struct Activation {
  std::string name;
  Out ours_out, aten_out;
  Unary ours, aten, naive;
  std::function<torch::nn::AnyModule()> ours_module, aten_module;
  Backward ours_backward, aten_backward;
  Unary saved_for_backward;   // what autograd keeps: the output, or the input for leaky_relu
  bool float32_only = false;  // SiLU and GELU: their speed targets are float32's
};

// SiLU and GELU: ATen's and ours take the input back to their backward operators.
Activation silu() {
  return {"silu",
          [](const torch::Tensor& x, torch::Tensor& o) { activations::silu_out(x, o); },
          [](const torch::Tensor& x, torch::Tensor& o) { at::silu_out(o, x); },
          [](const torch::Tensor& x) { return activations::silu(x); },
          [](const torch::Tensor& x) { return torch::silu(x); },
          [](const torch::Tensor& x) { return x * torch::sigmoid(x); },
          [] { return torch::nn::AnyModule(activations::MySiLU()); },
          [] { return torch::nn::AnyModule(torch::nn::SiLU()); },
          [](const torch::Tensor& g, const torch::Tensor& x) {
            return activations::silu_backward(g, x);
          },
          [](const torch::Tensor& g, const torch::Tensor& x) { return at::silu_backward(g, x); },
          [](const torch::Tensor& x) { return x; },
          true};
}

// `name` "gelu" (the erf form) or "gelu_tanh" (approximate = "tanh").
Activation gelu(const std::string& name) {
  const std::string approximate = name == "gelu" ? "none" : "tanh";
  return {
      name,
      [=](const torch::Tensor& x, torch::Tensor& o) { activations::gelu_out(x, approximate, o); },
      [=](const torch::Tensor& x, torch::Tensor& o) { at::gelu_out(o, x, approximate); },
      [=](const torch::Tensor& x) { return activations::gelu(x, approximate); },
      [=](const torch::Tensor& x) { return torch::gelu(x, approximate); },
      [=](const torch::Tensor& x) {
        // the textbook forms, 1 + erf and 1 + tanh
        if (approximate == "none") return 0.5 * x * (1 + torch::erf(x * M_SQRT1_2));
        const double k = M_2_SQRTPI * M_SQRT1_2;  // sqrt(2 / pi)
        return 0.5 * x * (1 + torch::tanh(k * (x + 0.044715 * x * x * x)));
      },
      [=] {
        return torch::nn::AnyModule(
            activations::MyGELU(activations::MyGELUOptions().approximate(approximate)));
      },
      [=] {
        return torch::nn::AnyModule(
            torch::nn::GELU(torch::nn::GELUOptions().approximate(approximate)));
      },
      [=](const torch::Tensor& g, const torch::Tensor& x) {
        return activations::gelu_backward(g, x, approximate);
      },
      [=](const torch::Tensor& g, const torch::Tensor& x) {
        return at::gelu_backward(g, x, approximate);
      },
      [](const torch::Tensor& x) { return x; },
      true};
}

std::vector<Activation> activations_list() {
  namespace F = torch::nn::functional;
  return {
      {"sigmoid", [](const torch::Tensor& x, torch::Tensor& o) { activations::sigmoid_out(x, o); },
       [](const torch::Tensor& x, torch::Tensor& o) { at::sigmoid_out(o, x); },
       [](const torch::Tensor& x) { return activations::sigmoid(x); },
       [](const torch::Tensor& x) { return torch::sigmoid(x); },
       [](const torch::Tensor& x) { return 1 / (1 + torch::exp(-x)); },
       [] { return torch::nn::AnyModule(activations::MySigmoid()); },
       [] { return torch::nn::AnyModule(torch::nn::Sigmoid()); },
       [](const torch::Tensor& g, const torch::Tensor& y) {
         return activations::sigmoid_backward(g, y);
       },
       [](const torch::Tensor& g, const torch::Tensor& y) { return at::sigmoid_backward(g, y); },
       [](const torch::Tensor& x) { return torch::sigmoid(x); }},
      {"tanh", [](const torch::Tensor& x, torch::Tensor& o) { activations::tanh_out(x, o); },
       [](const torch::Tensor& x, torch::Tensor& o) { at::tanh_out(o, x); },
       [](const torch::Tensor& x) { return activations::tanh(x); },
       [](const torch::Tensor& x) { return torch::tanh(x); },
       [](const torch::Tensor& x) {
         return (torch::exp(x) - torch::exp(-x)) / (torch::exp(x) + torch::exp(-x));
       },
       [] { return torch::nn::AnyModule(activations::MyTanh()); },
       [] { return torch::nn::AnyModule(torch::nn::Tanh()); },
       [](const torch::Tensor& g, const torch::Tensor& y) {
         return activations::tanh_backward(g, y);
       },
       [](const torch::Tensor& g, const torch::Tensor& y) { return at::tanh_backward(g, y); },
       [](const torch::Tensor& x) { return torch::tanh(x); }},
      {"relu", [](const torch::Tensor& x, torch::Tensor& o) { activations::relu_out(x, o); },
       // torch::relu is clamp_min(x, 0); relu itself has no out= variant.
       [](const torch::Tensor& x, torch::Tensor& o) { at::clamp_min_out(o, x, 0); },
       [](const torch::Tensor& x) { return activations::relu(x); },
       [](const torch::Tensor& x) { return torch::relu(x); },
       [](const torch::Tensor& x) { return x * (x >= 0); },
       [] { return torch::nn::AnyModule(activations::MyReLU()); },
       [] { return torch::nn::AnyModule(torch::nn::ReLU()); },
       [](const torch::Tensor& g, const torch::Tensor& y) {
         return activations::relu_backward(g, y);
       },
       [](const torch::Tensor& g, const torch::Tensor& y) {
         return at::threshold_backward(g, y, 0);
       },
       [](const torch::Tensor& x) { return torch::relu(x); }},
      {"leaky_relu",
       [](const torch::Tensor& x, torch::Tensor& o) { activations::leaky_relu_out(x, kSlope, o); },
       [](const torch::Tensor& x, torch::Tensor& o) { at::leaky_relu_out(o, x, kSlope); },
       [](const torch::Tensor& x) { return activations::leaky_relu(x, kSlope); },
       [](const torch::Tensor& x) { return torch::leaky_relu(x, kSlope); },
       [](const torch::Tensor& x) { return (x >= 0) * x + kSlope * (x < 0) * x; },
       [] { return torch::nn::AnyModule(activations::MyLeakyReLU(kSlope)); },
       [] {
         return torch::nn::AnyModule(
             torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(kSlope)));
       },
       [](const torch::Tensor& g, const torch::Tensor& x) {
         return activations::leaky_relu_backward(g, x, kSlope, false);
       },
       [](const torch::Tensor& g, const torch::Tensor& x) {
         return at::leaky_relu_backward(g, x, kSlope, false);
       },
       [](const torch::Tensor& x) { return x; }},
      silu(),
      gelu("gelu"),
      gelu("gelu_tanh"),
  };
}

std::string dtype_name(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat:
      return "float32";
    case torch::kDouble:
      return "float64";
    case torch::kBFloat16:
      return "bfloat16";
    default:
      return "other";
  }
}

struct Case {
  torch::ScalarType dtype;
  int64_t elements;
  int threads;
};

// Inputs spread as activations are: normal with a standard deviation of 3.
torch::Tensor input(const Case& c) {
  return (torch::randn({c.elements}) * 3).to(c.dtype);
}

void set_counters(benchmark::State& state, const Case& c, int tensors_touched) {
  state.SetItemsProcessed(state.iterations() * c.elements);
  state.SetBytesProcessed(state.iterations() * c.elements * tensors_touched *
                          static_cast<int64_t>(c10::elementSize(c.dtype)));
}

double median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

// Times `ours` and `other` in rounds, each a block of calls of one and then of the other, the
// order swapped every round so that neither always runs on the caches the other left.
void run_paired(benchmark::State& state, const Case& c, const std::function<void()>& ours,
                const std::function<void()>& other) {
  using Clock = std::chrono::steady_clock;
  const int64_t calls = std::max<int64_t>(1, kPairedBlockElements / c.elements);
  auto time_block = [calls](const std::function<void()>& fn) {
    const auto start = Clock::now();
    for (int64_t i = 0; i < calls; ++i) fn();
    return std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  };
  ours();  // untimed: the first calls fault in the buffers' and the allocator's pages
  other();
  std::vector<double> ours_ns, other_ns, ratios;
  bool ours_first = true;
  for (auto _ : state) {
    const double first = time_block(ours_first ? ours : other);
    const double second = time_block(ours_first ? other : ours);
    const double ours_time = ours_first ? first : second;
    const double other_time = ours_first ? second : first;
    ours_ns.push_back(ours_time / calls);
    other_ns.push_back(other_time / calls);
    ratios.push_back(other_time / ours_time);
    state.SetIterationTime((first + second) * 1e-9);
    ours_first = !ours_first;
  }
  state.counters["ours_ns"] = median(ours_ns);
  state.counters["other_ns"] = median(other_ns);
  state.counters["ratio"] = median(ratios);
  state.SetItemsProcessed(state.iterations() * calls * 2 * c.elements);
}

// `<variant>/<function>/<dtype>/<elements>/threads:<n>`
std::string case_name(const std::string& variant, const std::string& function, const Case& c) {
  return variant + "/" + function + "/" + dtype_name(c.dtype) + "/" + std::to_string(c.elements) +
         "/threads:" + std::to_string(c.threads);
}

// Registers `body(state)` at the case's thread count, with autograd off.
template <class Body>
benchmark::internal::Benchmark* register_named(const std::string& name, const Case& c, Body body) {
  return benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
    torch::set_num_threads(c.threads);
    torch::NoGradGuard no_grad;
    body(state);
  });
}

// A case whose body times its own loop over `state`, after a warm-up.
template <class Body>
void register_timed(const std::string& name, const Case& c, Body body) {
  register_named(name, c, body)->UseRealTime()->MinWarmUpTime(kWarmUpSeconds);
}

// A case whose body calls run_paired: it times its rounds itself.
template <class Body>
void register_paired(const std::string& name, const Case& c, Body body) {
  register_named(name, c, body)->UseManualTime()->Iterations(kPairedRounds);
}

void register_case(const Activation& a, const Case& c, bool forward_only_out) {
  auto paired = [&](const std::string& variant, auto body) {
    register_paired(case_name(variant, a.name, c), c, body);
  };
  paired("paired_out", [=](benchmark::State& state) {
    const auto x = input(c);
    auto out = torch::empty_like(x);
    run_paired(
        state, c, [&] { a.ours_out(x, out); }, [&] { a.aten_out(x, out); });
  });
  paired("paired_backward", [=](benchmark::State& state) {
    const auto x = input(c);
    const auto saved = a.saved_for_backward(x.to(torch::kFloat)).to(c.dtype);
    const auto grad = input(c);
    run_paired(
        state, c, [&] { benchmark::DoNotOptimize(a.ours_backward(grad, saved)); },
        [&] { benchmark::DoNotOptimize(a.aten_backward(grad, saved)); });
  });
  if (forward_only_out) return;
  paired("paired_alloc", [=](benchmark::State& state) {
    const auto x = input(c);
    run_paired(
        state, c, [&] { benchmark::DoNotOptimize(a.ours(x)); },
        [&] { benchmark::DoNotOptimize(a.aten(x)); });
  });
  register_timed(case_name("naive", a.name, c), c, [=](benchmark::State& state) {
    const auto x = input(c);
    for (auto _ : state) benchmark::DoNotOptimize(a.naive(x));
    set_counters(state, c, 2);
  });
  paired("paired_module", [=](benchmark::State& state) {
    auto ours = a.ours_module();
    auto aten = a.aten_module();
    const auto x = input(c);
    run_paired(
        state, c, [&] { benchmark::DoNotOptimize(ours.forward(x)); },
        [&] { benchmark::DoNotOptimize(aten.forward(x)); });
  });
}

// Times what `prepare(x, out)` returns, on one input and a preallocated output of the case's
// size, run once untimed first (the output's pages are touched).
template <class Prepare>
void register_on_buffers(const std::string& name, const Case& c, Prepare prepare) {
  register_timed(name, c, [=](benchmark::State& state) {
    const auto x = input(c);
    auto out = torch::empty_like(x);
    const auto run = prepare(x, out);
    run();
    for (auto _ : state) run();
    set_counters(state, c, 2);
  });
}

// The memory roofline: memcpy of the same bytes, split across the threads as the operators are.
void register_copy(const Case& c) {
  register_on_buffers(
      case_name("copy", "copy", c), c, [](const torch::Tensor& x, torch::Tensor& out) {
        const auto* from = static_cast<const char*>(x.data_ptr());
        auto* to = static_cast<char*>(out.data_ptr());
        const int64_t bytes = x.numel() * x.element_size();
        return [=] {
          at::parallel_for(0, bytes, int64_t{1} << 17, [&](int64_t begin, int64_t end) {
            std::memcpy(to + begin, from + begin, end - begin);
          });
        };
      });
}

// A peer library's operator, prepared once on preallocated buffers. At 1 thread it is timed in
// rounds against our out= variant `a` on the same buffers; at more, alone (peer_<library>):
// run in turn with ours, a peer's own thread pool (XNNPACK's pthreadpool) and torch's OpenMP
// threads each find the other's threads still spinning on this machine's 2 cores.
void register_peer(const peers::Peer& p, const Activation& a, const Case& c) {
  auto prepare = [p, c](const torch::Tensor& x, torch::Tensor& out) {
    return p.prepare(x.data_ptr<float>(), out.data_ptr<float>(), c.elements, c.threads);
  };
  if (c.threads > 1) {
    register_on_buffers(case_name("peer_" + p.library, p.activation, c), c, prepare);
    return;
  }
  register_paired(case_name("paired_peer_" + p.library, p.activation, c), c,
                  [=](benchmark::State& state) {
                    const auto x = input(c);
                    auto out = torch::empty_like(x);
                    run_paired(
                        state, c, [&] { a.ours_out(x, out); }, prepare(x, out));
                  });
}

void register_all() {
  const std::vector<int64_t> sizes = {1000, 10000, 100000, 1000000, 16000000};
  for (const int threads : {1, 2}) {
    for (const int64_t elements : sizes) {
      for (const auto dtype : {torch::kFloat, torch::kDouble, torch::kBFloat16}) {
        // float32 gets every variant; float64 and bfloat16 the operator pairs.
        const bool full = dtype == torch::kFloat;
        if (!full && elements == 1000) continue;
        const Case c{dtype, elements, threads};
        register_copy(c);
        const auto activations = activations_list();
        for (const auto& a : activations) {
          if (a.float32_only && !full) continue;
          register_case(a, c, !full);
        }
        if (full && elements >= 10000) {
          for (const auto& p : peers::all()) {
            for (const auto& a : activations) {
              if (a.name == p.activation) register_peer(p, a, c);
            }
          }
        }
      }
    }
  }
}

}  // namespace

// ACTIVATIONS_BENCH_SIMD_TARGET=AVX2 restricts our dispatch to that Highway target (and the
// ones below it), to measure what CPUs without AVX-512 get.
void restrict_simd_target() {
  const char* wanted = std::getenv("ACTIVATIONS_BENCH_SIMD_TARGET");
  if (wanted == nullptr) return;
  for (const int64_t target : hwy::SupportedAndGeneratedTargets()) {
    if (std::string(hwy::TargetName(target)) == wanted) {
      int64_t allowed = 0;
      for (int64_t t = target; t <= HWY_SCALAR && t != 0; t <<= 1) allowed |= t;
      hwy::SetSupportedTargetsForTest(allowed & hwy::SupportedTargets());
      hwy::GetChosenTarget().Update(hwy::SupportedTargets());
      return;
    }
  }
  std::fprintf(stderr, "ACTIVATIONS_BENCH_SIMD_TARGET=%s: no such target here\n", wanted);
  std::exit(2);
}

int main(int argc, char** argv) {
  restrict_simd_target();
  benchmark::AddCustomContext("torch_version", TORCH_VERSION);
  benchmark::AddCustomContext("aten_capability", aten_capability());
  benchmark::AddCustomContext("simd_target", activations::simd_target());
  benchmark::AddCustomContext("paired_rounds", std::to_string(kPairedRounds));
  benchmark::AddCustomContext("paired_block_elements", std::to_string(kPairedBlockElements));
  std::string cpu_model = "unknown CPU";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  }
  benchmark::AddCustomContext("cpu_model", cpu_model);
  std::string peer_libraries;
  for (const auto& v : peers::versions())
    peer_libraries += (peer_libraries.empty() ? "" : "; ") + v;
  benchmark::AddCustomContext("peer_libraries", peer_libraries.empty() ? "none" : peer_libraries);
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
