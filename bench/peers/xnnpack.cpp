// XNNPACK's f32 operators: sigmoid, leaky ReLU (slope 0.2), clamp to [0, +inf) as ReLU. The
// 2022 XNNPACK has no f32 tanh operator (only the quantized qs8/qu8 ones).
#include <pthreadpool.h>
#include <xnnpack.h>

#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "peers.h"

#ifndef ACTIVATIONS_BENCH_XNNPACK_VERSION
#define ACTIVATIONS_BENCH_XNNPACK_VERSION "unknown version"
#endif

namespace peers {
namespace {

void check(xnn_status status, const char* what) {
  if (status != xnn_status_success) {
    throw std::runtime_error(std::string("XNNPACK: ") + what + " failed with status " +
                             std::to_string(static_cast<int>(status)));
  }
}

void initialize() {
  static const xnn_status status = xnn_initialize(nullptr);
  check(status, "xnn_initialize");
}

using Create = std::function<xnn_status(xnn_operator_t*)>;
using Setup = xnn_status (*)(xnn_operator_t, size_t, const float*, float*, pthreadpool_t);

// One channel, stride 1, batch n: XNNPACK runs a contiguous batch as one vector, split across
// the pool in blocks.
Peer unary(const std::string& activation, Create create, Setup setup) {
  return {"xnnpack", activation, [=](const float* x, float* y, int64_t n, int threads) -> Run {
            initialize();
            xnn_operator_t op = nullptr;
            check(create(&op), "create");
            const std::shared_ptr<xnn_operator> owner(op, xnn_delete_operator);
            const std::shared_ptr<pthreadpool> pool(
                pthreadpool_create(static_cast<size_t>(threads)), pthreadpool_destroy);
            if (!pool) throw std::runtime_error("pthreadpool_create failed");
            check(setup(op, static_cast<size_t>(n), x, y, pool.get()), "setup");
            return [owner, pool] { check(xnn_run_operator(owner.get(), pool.get()), "run"); };
          }};
}

}  // namespace

std::vector<Peer> xnnpack() {
  return {
      unary(
          "sigmoid", [](xnn_operator_t* op) { return xnn_create_sigmoid_nc_f32(1, 1, 1, 0, op); },
          xnn_setup_sigmoid_nc_f32),
      unary(
          "relu",
          [](xnn_operator_t* op) {
            return xnn_create_clamp_nc_f32(1, 1, 1, 0.f, std::numeric_limits<float>::infinity(), 0,
                                           op);
          },
          xnn_setup_clamp_nc_f32),
      unary(
          "leaky_relu",
          [](xnn_operator_t* op) { return xnn_create_leaky_relu_nc_f32(1, 1, 1, kSlope, 0, op); },
          xnn_setup_leaky_relu_nc_f32)};
}

std::string xnnpack_version() {
  return "XNNPACK " ACTIVATIONS_BENCH_XNNPACK_VERSION;
}

}  // namespace peers
