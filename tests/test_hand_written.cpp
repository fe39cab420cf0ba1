// Our operators run our own loops: during a forward or backward call the only ATen operators
// that run are allocations; no activation, exp or arithmetic op of torch's is called.
#include <ATen/record_function.h>
#include <gtest/gtest.h>

#include <activations/activations.h>

#include <mutex>
#include <set>

#include "test_helpers.h"

namespace activations::testing {
namespace {

std::mutex names_mutex;
std::set<std::string> recorded_names;

std::unique_ptr<at::ObserverContext> record_name(const at::RecordFunction& fn) {
  std::lock_guard<std::mutex> lock(names_mutex);
  recorded_names.insert(fn.name());
  return nullptr;
}

std::set<std::string> operators_called_by(const std::function<void()>& call) {
  recorded_names.clear();
  const auto handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(&record_name).scopes({at::RecordScope::FUNCTION}));
  call();
  at::removeCallback(handle);
  return recorded_names;
}

// Ours, allocations, and views (autograd wraps in-place results in one).
bool is_allowed(const std::string& name) {
  static const std::set<std::string> allowed = {
      "aten::empty_strided", "aten::empty", "aten::as_strided_", "aten::resize_",
      "aten::view_as",       "aten::view",  "aten::alias"};
  return name.rfind("activations::", 0) == 0 || allowed.count(name) > 0;
}

TEST(HandWritten, OperatorsCallNoTorchMath) {
  const auto x = torch::randn({64, 33}).t();
  const auto g = torch::randn({33, 64});
  auto out = torch::empty({1});
  auto overwritten = x.clone();
  const std::vector<std::pair<std::string, std::function<void()>>> calls = {
      {"sigmoid", [&] { activations::sigmoid(x); }},
      {"tanh", [&] { activations::tanh(x); }},
      {"relu", [&] { activations::relu(x); }},
      {"leaky_relu", [&] { activations::leaky_relu(x); }},
      {"sigmoid_", [&] { activations::sigmoid_(overwritten); }},
      {"tanh.out", [&] { activations::tanh_out(x, out); }},
      {"sigmoid_backward", [&] { activations::sigmoid_backward(g, x); }},
      {"tanh_backward", [&] { activations::tanh_backward(g, x); }},
      {"relu_backward", [&] { activations::relu_backward(g, x); }},
      {"leaky_relu_backward", [&] { activations::leaky_relu_backward(g, x, 0.2, false); }},
  };
  for (const auto& [name, call] : calls) {
    bool saw_ours = false;
    for (const auto& op : operators_called_by(call)) {
      EXPECT_TRUE(is_allowed(op)) << name << " called " << op;
      saw_ours |= op.rfind("activations::", 0) == 0;
    }
    EXPECT_TRUE(saw_ours) << name << ": the recorder saw no activations:: operator";
  }
}

}  // namespace
}  // namespace activations::testing
