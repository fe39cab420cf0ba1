// Which of ATen's CPU kernels run: "AVX2", "AVX512", ... from LibTorch's build and runtime
// report (ATEN_CPU_CAPABILITY chooses among them).
#pragma once

#include <ATen/Context.h>

#include <string>

inline std::string aten_capability() {
  const std::string config = at::show_config();
  const std::string key = "CPU capability usage: ";
  const auto at = config.find(key);
  if (at == std::string::npos) return "unknown";
  const auto end = config.find('\n', at);
  return config.substr(at + key.size(), end - at - key.size());
}
