// The contiguous inner loops, compiled once per SIMD target (Highway foreach_target) and
// chosen at run time for the CPU: load, apply the activation's functor, store; reduced
// precision types are widened to float in registers and rounded once on the way out.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/simd/contiguous_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <c10/util/BFloat16.h>
#include <c10/util/Exception.h>
#include <c10/util/Half.h>
#include <hwy/cache_control.h>
#include <hwy/highway.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/dispatch_dtype.h"
#include "kernels/kernel_spec.h"
#include "kernels/simd/activation_functors-inl.h"
#include "kernels/simd/gelu_functors-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activations::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// bfloat16 <-> float. Widening is exact; narrowing rounds to nearest even (Highway's own
// DemoteTo truncates), NaN stays a quiet NaN of the same sign.
template <class DF>
HWY_INLINE hn::Vec<DF> LoadAs(DF df, const hwy::bfloat16_t* p) {
  return hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::bfloat16_t, DF>(), p));
}

template <class DF>
HWY_INLINE void StoreAs(DF df, hn::Vec<DF> v, hwy::bfloat16_t* p) {
  const hn::RebindToUnsigned<DF> du32;
  const hn::RebindToSigned<DF> di32;
  const hn::Rebind<uint16_t, DF> du16;
  const auto bits = hn::BitCast(du32, v);
  const auto upper = hn::ShiftRight<16>(bits);
  const auto rounding = hn::Add(hn::Set(du32, 0x7FFFu), hn::And(upper, hn::Set(du32, 1u)));
  const auto rounded = hn::ShiftRight<16>(hn::Add(bits, rounding));
  const auto quiet_nan = hn::Or(upper, hn::Set(du32, 0x40u));
  const auto result = hn::IfThenElse(hn::RebindMask(du32, hn::IsNaN(v)), quiet_nan, rounded);
  const hn::Rebind<hwy::bfloat16_t, DF> dbf16;
  hn::StoreU(hn::BitCast(dbf16, hn::DemoteTo(du16, hn::BitCast(di32, result))), dbf16, p);
  (void)df;
}

// float16 <-> float: F16C instructions where the target has them (AVX2, AVX3), otherwise
// c10::Half's scalar conversions (Highway's emulation truncates instead of rounding).
#if HWY_TARGET < HWY_SSE4
template <class DF>
HWY_INLINE hn::Vec<DF> LoadAs(DF df, const hwy::float16_t* p) {
  return hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::float16_t, DF>(), p));
}
template <class DF>
HWY_INLINE void StoreAs(DF df, hn::Vec<DF> v, hwy::float16_t* p) {
  const hn::Rebind<hwy::float16_t, DF> df16;
  hn::StoreU(hn::DemoteTo(df16, v), df16, p);
  (void)df;
}
#else
template <class DF>
HWY_INLINE hn::Vec<DF> LoadAs(DF df, const hwy::float16_t* p) {
  HWY_ALIGN float widened[hn::MaxLanes(df)];
  for (size_t i = 0; i < hn::Lanes(df); ++i) {
    widened[i] = static_cast<float>(
        c10::Half(reinterpret_cast<const uint16_t*>(p)[i], c10::Half::from_bits()));
  }
  return hn::Load(df, widened);
}
template <class DF>
HWY_INLINE void StoreAs(DF df, hn::Vec<DF> v, hwy::float16_t* p) {
  HWY_ALIGN float wide[hn::MaxLanes(df)];
  hn::Store(v, df, wide);
  for (size_t i = 0; i < hn::Lanes(df); ++i) {
    reinterpret_cast<uint16_t*>(p)[i] = c10::Half(wide[i]).x;
  }
}
#endif

// Types computed as themselves.
template <class D, typename T>
HWY_INLINE hn::Vec<D> LoadAs(D d, const T* p) {
  return hn::LoadU(d, p);
}
template <class D, typename T>
HWY_INLINE void StoreAs(D d, hn::Vec<D> v, T* p) {
  hn::StoreU(v, d, p);
}

template <typename T>
constexpr bool kReduced = std::is_same_v<T, hwy::float16_t> || std::is_same_v<T, hwy::bfloat16_t>;

// The type a storage type is computed in.
template <typename T>
using Compute = std::conditional_t<kReduced<T>, float, T>;

// The functor a storage type runs: for float16 and bfloat16, the functor's ForReducedStorage
// variant where it has one (stateless functors that compute in double and must round for the
// 16-bit store).
template <class Functor, class = void>
constexpr bool kHasReducedVariant = false;
template <class Functor>
constexpr bool kHasReducedVariant<Functor, std::void_t<typename Functor::ForReducedStorage>> = true;

template <typename T, class Functor>
HWY_INLINE auto ForStorage(const Functor& f) {
  if constexpr (kReduced<T> && kHasReducedVariant<Functor>) {
    return typename Functor::ForReducedStorage{};
  } else {
    return f;
  }
}

// Functors marked kRaw16 (ReLU) are exact on the bit patterns of float16 and bfloat16: they
// run on the raw 16-bit lanes, twice as many per vector, with nothing to convert or round.
template <typename T, class Functor>
constexpr bool kRaw16 = kReduced<T>&& Functor::kRaw16;

template <typename T>
constexpr int16_t kInfinityBits = std::is_same_v<T, hwy::bfloat16_t> ? 0x7F80 : 0x7C00;

// The lane type a storage type is loaded as for a functor.
template <typename T, class Functor>
using Lane = std::conditional_t<kRaw16<T, Functor>, int16_t, Compute<T>>;

template <typename T, class Functor, class D>
HWY_INLINE hn::Vec<D> LoadLanes(D d, const T* p) {
  if constexpr (kRaw16<T, Functor>) {
    return hn::LoadU(d, reinterpret_cast<const int16_t*>(p));
  } else {
    return LoadAs(d, p);
  }
}

template <typename T, class Functor, class D>
HWY_INLINE void StoreLanes(D d, hn::Vec<D> v, T* p) {
  if constexpr (kRaw16<T, Functor>) {
    hn::StoreU(v, d, reinterpret_cast<int16_t*>(p));
  } else {
    StoreAs(d, v, p);
  }
}

// How far ahead of the loop a prefetch reaches, in bytes of each operand: 64 cache lines,
// about the L3 latency's worth of the slowest loop (tanh or sigmoid, AVX-512) on a 3 GHz core.
// Measured at 1e6 float32 elements: 4 KiB and 8 KiB gain alike, 16 KiB less.
constexpr size_t kPrefetchDistance = 4096;
constexpr size_t kCacheLine = 64;

// Prefetches, in every operand, the lines kPrefetchDistance ahead of the kBytes from element i
// on. A prefetch never faults, so reaching past the arrays' ends is harmless; the address
// is formed as an integer for that reason.
template <size_t kBytes, typename T, size_t N>
HWY_INLINE void PrefetchAhead(const std::array<const T*, N>& in, const T* out, size_t i) {
  auto ahead = [i](const T* p, size_t offset) {
    return reinterpret_cast<const char*>(reinterpret_cast<uintptr_t>(p + i) + kPrefetchDistance +
                                         offset);
  };
  for (size_t offset = 0; offset < kBytes; offset += kCacheLine) {
    for (const T* operand : in) hwy::Prefetch(ahead(operand, offset));
    hwy::Prefetch(ahead(out, offset));
  }
}

// out[i] = f(in[0][i], ...) for i < size: whole vectors, two at a time (independent chains
// overlap in the out-of-order window), then the tail through zero-padded buffers, so no load
// or store touches memory past `size`. With `stream`, full vectors of native types go to
// memory with non-temporal stores (outputs far larger than the caches are not read back
// before they would be evicted), after a head that aligns them. With `prefetch`, each step
// prefetches its operands ahead (on targets whose step covers a cache line or more).
template <typename T, size_t N, bool kHalfWidth = false, class Functor>
void Elementwise(const Functor& f, const std::array<const T*, N>& in, T* out, size_t size,
                 bool stream, bool prefetch) {
  using L = Lane<T, Functor>;
  const std::conditional_t<kHalfWidth, hn::CappedTag<L, 32 / sizeof(L)>, hn::ScalableTag<L>> d;
  const size_t lanes = hn::Lanes(d);
  // Forced inline: GCC keeps the larger functors (GELU's, both forms) out of line otherwise, called
  // per vector with their tables and constants loaded again each time (GELU 10%, GELU tanh's
  // backward 20% slower); the library grows from 1.7 to 2.5 MB.
  auto compute = [&](const std::array<const T*, N>& from, size_t i) __attribute__((always_inline)) {
    if constexpr (kRaw16<T, Functor> && N == 1) {
      return f.template Raw16<kInfinityBits<T>>(d, LoadLanes<T, Functor>(d, from[0] + i));
    } else if constexpr (kRaw16<T, Functor>) {
      return f.template Raw16<kInfinityBits<T>>(d, LoadLanes<T, Functor>(d, from[0] + i),
                                                LoadLanes<T, Functor>(d, from[1] + i));
    } else if constexpr (N == 1) {
      return f(d, LoadLanes<T, Functor>(d, from[0] + i));
    } else {
      return f(d, LoadLanes<T, Functor>(d, from[0] + i), LoadLanes<T, Functor>(d, from[1] + i));
    }
  };
  auto tail = [&](size_t i, size_t count) {
    if constexpr (hn::MaxLanes(decltype(d)()) > 1) {  // one-lane targets have no tail
      HWY_ALIGN T buffers[N + 1][hn::MaxLanes(d)] = {};
      std::array<const T*, N> from;
      for (size_t k = 0; k < N; ++k) {
        std::memcpy(buffers[k], in[k] + i, count * sizeof(T));
        from[k] = buffers[k];
      }
      StoreLanes<T, Functor>(d, compute(from, 0), buffers[N]);
      std::memcpy(out + i, buffers[N], count * sizeof(T));
    }
  };
  size_t i = 0;
  if (stream && !kReduced<T>) {
    const size_t misaligned = (reinterpret_cast<uintptr_t>(out) / sizeof(T)) % lanes;
    const size_t head = std::min(size, misaligned == 0 ? 0 : lanes - misaligned);
    if (head > 0) tail(0, head);
    for (i = head; i + lanes <= size; i += lanes) {
      if constexpr (!kReduced<T>) hn::Stream(compute(in, i), d, out + i);
    }
    hwy::FlushStream();
  } else {
    constexpr size_t kStepBytes = 2 * hn::MaxLanes(decltype(d)()) * sizeof(T);
    auto unrolled = [&](auto prefetch_ahead) {
      for (; i + 2 * lanes <= size; i += 2 * lanes) {
        if constexpr (decltype(prefetch_ahead)::value) PrefetchAhead<kStepBytes>(in, out, i);
        const auto v0 = compute(in, i);
        const auto v1 = compute(in, i + lanes);
        StoreLanes<T, Functor>(d, v0, out + i);
        StoreLanes<T, Functor>(d, v1, out + i + lanes);
      }
    };
    if (kStepBytes >= kCacheLine && prefetch) {
      unrolled(std::true_type{});
    } else {
      unrolled(std::false_type{});
    }
    for (; i + lanes <= size; i += lanes) StoreLanes<T, Functor>(d, compute(in, i), out + i);
  }
  if (i < size) tail(i, size - i);
}

template <bool kIntegral, class Body>
HWY_INLINE void DispatchDtype(Dtype dtype, const Body& body) {
  dispatch_dtype<hwy::float16_t, hwy::bfloat16_t, kIntegral>(dtype, body);
}

// AVX-512 targets can also run a loop on 256-bit vectors (ContiguousCall::half_width).
constexpr bool kHasHalfWidth = HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL;

template <size_t N, typename T, class Functor>
void ElementwiseOf(const ContiguousCall& call, const Functor& f,
                   const std::array<const T*, N>& in) {
  T* out = static_cast<T*>(call.out);
  if constexpr (kHasHalfWidth) {
    if (call.half_width) {
      return Elementwise<T, N, true>(f, in, out, call.size, call.stream_output, call.prefetch);
    }
  }
  Elementwise<T, N>(f, in, out, call.size, call.stream_output, call.prefetch);
}

template <class Forward, class Backward>
void Run(const ContiguousCall& call, const Forward& forward, const Backward& backward) {
  if (call.spec.direction == Direction::kForward) {
    DispatchDtype<Forward::kIntegral>(call.dtype, [&](auto tag) {
      using T = decltype(tag);
      ElementwiseOf<1>(call, ForStorage<T>(forward), std::array{static_cast<const T*>(call.in0)});
    });
    return;
  }
  DispatchDtype<Backward::kIntegral>(call.dtype, [&](auto tag) {
    using T = decltype(tag);
    ElementwiseOf<2>(call, backward,
                     std::array{static_cast<const T*>(call.in0), static_cast<const T*>(call.in1)});
  });
}

void RunContiguous(const ContiguousCall& call) {
  switch (call.spec.activation) {
    case Activation::kSigmoid:
      return Run(call, SigmoidForward{}, SigmoidBackward{});
    case Activation::kTanh:
      return Run(call, TanhForward{}, TanhBackward{});
    case Activation::kRelu:
      return Run(call, ReluForward{}, ReluBackward{});
    case Activation::kLeakyRelu:
      return Run(call, LeakyReluForward{call.spec.negative_slope},
                 LeakyReluBackward{call.spec.negative_slope});
    case Activation::kSilu:
      return Run(call, SiluForward{}, SiluBackward{});
    case Activation::kGelu:
      return Run(call, GeluForward{}, GeluBackward{});
    case Activation::kGeluTanh:
      return Run(call, GeluTanhForward{}, GeluTanhBackward{});
  }
}

const char* TargetName() {
  return hwy::TargetName(HWY_TARGET);
}

}  // namespace activations::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace activations::kernels {

HWY_EXPORT(RunContiguous);
HWY_EXPORT(TargetName);

void run_contiguous(const ContiguousCall& call) {
  HWY_DYNAMIC_DISPATCH(RunContiguous)(call);
}

const char* simd_target_name() {
  return HWY_DYNAMIC_DISPATCH(TargetName)();
}

}  // namespace activations::kernels
#endif  // HWY_ONCE
