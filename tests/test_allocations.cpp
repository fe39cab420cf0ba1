// Forward allocates exactly one tensor, its output, and backward exactly one, its gradient;
// in-place and out= variants allocate none.
#include <c10/core/CPUAllocator.h>
#include <gtest/gtest.h>
#include <torch/version.h>

#include <activations/activations.h>

#include <atomic>

#include "test_helpers.h"

// c10::Allocator::allocate lost its const in torch 2.3, which also made copy_data pure virtual.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 3)
#define ACTIVATIONS_ALLOCATE_CONST
#define ACTIVATIONS_ALLOCATOR_COPIES_DATA 1
#else
#define ACTIVATIONS_ALLOCATE_CONST const
#define ACTIVATIONS_ALLOCATOR_COPIES_DATA 0
#endif

namespace activations::testing {
namespace {

// Counts the CPU allocations made while it is installed.
class CountingAllocator final : public c10::Allocator {
 public:
  CountingAllocator() : base_(c10::GetCPUAllocator()) { c10::SetCPUAllocator(this, 255); }
  ~CountingAllocator() override { c10::SetCPUAllocator(base_, 255); }

  c10::DataPtr allocate(size_t bytes) ACTIVATIONS_ALLOCATE_CONST override {
    ++count_;
    return base_->allocate(bytes);
  }
#if ACTIVATIONS_ALLOCATOR_COPIES_DATA
  void copy_data(void* dest, const void* src, std::size_t count) const override {
    default_copy_data(dest, src, count);
  }
#endif
  c10::DeleterFnPtr raw_deleter() const override {
    return base_->raw_deleter();
  }
  int count() const {
    return count_;
  }

 private:
  c10::Allocator* base_;
  mutable std::atomic<int> count_{0};
};

template <typename F>
int allocations_during(const F& call) {
  CountingAllocator counter;
  call();
  return counter.count();
}

TEST(Allocations, ForwardAllocatesOnlyItsOutput) {
  for (const auto& make : {
           std::function<torch::Tensor()>([] { return torch::randn({1 << 16}); }),
           std::function<torch::Tensor()>([] {
             return torch::randn({300, 200}).t();
           }),
           std::function<torch::Tensor()>([] {
             return torch::randn({200, 300}).slice(1, 0, 300, 3);
           }),
           std::function<torch::Tensor()>(
               [] { return torch::randn({1 << 16}).to(torch::kBFloat16); }),
       }) {
    const auto x = make();
    EXPECT_EQ(allocations_during([&] { activations::sigmoid(x); }), 1);
    EXPECT_EQ(allocations_during([&] { activations::tanh(x); }), 1);
    EXPECT_EQ(allocations_during([&] { activations::relu(x); }), 1);
    EXPECT_EQ(allocations_during([&] { activations::leaky_relu(x, 0.1); }), 1);
  }
}

TEST(Allocations, InplaceAndOutAllocateNothing) {
  auto x = torch::randn({1 << 16});
  auto out = torch::empty_like(x);
  EXPECT_EQ(allocations_during([&] { activations::sigmoid_(x); }), 0);
  EXPECT_EQ(allocations_during([&] { activations::leaky_relu_(x, 0.3); }), 0);
  EXPECT_EQ(allocations_during([&] { activations::tanh_out(x, out); }), 0);
  EXPECT_EQ(allocations_during([&] { activations::relu_out(x, out); }), 0);
}

TEST(Allocations, BackwardAllocatesOnlyTheGradient) {
  const auto g = torch::randn({1 << 16});
  const auto y = torch::rand({1 << 16});
  EXPECT_EQ(allocations_during([&] { activations::sigmoid_backward(g, y); }), 1);
  EXPECT_EQ(allocations_during([&] { activations::tanh_backward(g, y); }), 1);
  EXPECT_EQ(allocations_during([&] { activations::relu_backward(g, y); }), 1);
  EXPECT_EQ(allocations_during([&] { activations::leaky_relu_backward(g, y, 0.2, false); }), 1);
}

// The count sees torch's allocations too: its own sigmoid allocates once as well.
TEST(Allocations, TheCounterSeesTorchsAllocations) {
  const auto x = torch::randn({1000});
  EXPECT_EQ(allocations_during([&] { torch::sigmoid(x); }), 1);
  EXPECT_EQ(allocations_during([&] { torch::exp(-x); }), 2);
}

}  // namespace
}  // namespace activations::testing
