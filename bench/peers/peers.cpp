#include "peers.h"

namespace peers {

std::vector<Peer> all() {
  std::vector<Peer> result;
#ifdef ACTIVATIONS_BENCH_HAVE_DNNL
  for (auto& p : onednn()) result.push_back(std::move(p));
#endif
#ifdef ACTIVATIONS_BENCH_HAVE_XNNPACK
  for (auto& p : xnnpack()) result.push_back(std::move(p));
#endif
  return result;
}

std::vector<std::string> versions() {
  std::vector<std::string> result;
#ifdef ACTIVATIONS_BENCH_HAVE_DNNL
  result.push_back(onednn_version());
#endif
#ifdef ACTIVATIONS_BENCH_HAVE_XNNPACK
  result.push_back(xnnpack_version());
#endif
  return result;
}

}  // namespace peers
