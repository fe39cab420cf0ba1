// oneDNN's eltwise forward primitives (inference): logistic, tanh, relu with alpha 0 and 0.2,
// swish with alpha 1, gelu_erf and gelu_tanh.
#include <oneapi/dnnl/dnnl.hpp>

#include <string>
#include <unordered_map>

#include "peers.h"

#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
#include <omp.h>
#endif

namespace peers {
namespace {

// oneDNN reads its thread count from its threading runtime when a primitive runs: with OpenMP
// (Debian's build), the calling thread's omp_set_num_threads.
void set_threads(int threads) {
#if DNNL_CPU_THREADING_RUNTIME == DNNL_RUNTIME_OMP
  omp_set_num_threads(threads);
#else
  (void)threads;  // a sequential build runs on one thread, TBB's on its own arena
#endif
}

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

Peer eltwise(const std::string& activation, dnnl::algorithm algorithm, float alpha) {
  return {
      "onednn", activation, [=](const float* x, float* y, int64_t n, int threads) -> Run {
        set_threads(threads);
        const auto& engine = cpu_engine();
        const dnnl::memory::desc md({n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
        const dnnl::eltwise_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, md,
                                               alpha, 0.f);
        const dnnl::eltwise_forward primitive(dnnl::eltwise_forward::primitive_desc(desc, engine));
        const std::unordered_map<int, dnnl::memory> args = {
            {DNNL_ARG_SRC, dnnl::memory(md, engine, const_cast<float*>(x))},
            {DNNL_ARG_DST, dnnl::memory(md, engine, y)}};
        dnnl::stream stream(engine);
        return [=]() mutable {
          set_threads(threads);
          primitive.execute(stream, args);
          stream.wait();
        };
      }};
}

const char* isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41:
      return "sse41";
    case dnnl::cpu_isa::avx:
      return "avx";
    case dnnl::cpu_isa::avx2:
      return "avx2";
    case dnnl::cpu_isa::avx2_vnni:
      return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core:
      return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx:
      return "avx512_core_amx";
    default:
      return "other";
  }
}

}  // namespace

std::vector<Peer> onednn() {
  return {eltwise("sigmoid", dnnl::algorithm::eltwise_logistic, 0.f),
          eltwise("tanh", dnnl::algorithm::eltwise_tanh, 0.f),
          eltwise("relu", dnnl::algorithm::eltwise_relu, 0.f),
          eltwise("leaky_relu", dnnl::algorithm::eltwise_relu, kSlope),
          // swish is x * sigmoid(alpha x)
          eltwise("silu", dnnl::algorithm::eltwise_swish, 1.f),
          eltwise("gelu", dnnl::algorithm::eltwise_gelu_erf, 0.f),
          eltwise("gelu_tanh", dnnl::algorithm::eltwise_gelu_tanh, 0.f)};
}

std::string onednn_version() {
  const auto* v = dnnl::version();
  const bool omp = v->cpu_runtime == DNNL_RUNTIME_OMP;
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch) + " (" + (omp ? "OpenMP" : "not OpenMP") + ", " +
         isa_name(dnnl::get_effective_cpu_isa()) + ")";
}

}  // namespace peers
