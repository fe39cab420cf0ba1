// The contiguous inner loops, compiled once per SIMD target (Highway foreach_target) and
// chosen at run time for the CPU: load, apply the activation's functor, store; reduced
// precision types are widened to float in registers and rounded once on the way out.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/simd/contiguous_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <c10/util/BFloat16.h>
#include <c10/util/Exception.h>
#include <c10/util/Half.h>
#include <hwy/highway.h>

#include <cstring>

#include "kernels/kernel_spec.h"
#include "kernels/simd/activation_functors-inl.h"

HWY_BEFORE_NAMESPACE();
namespace activations::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Applies `op` to whole vectors, then to the tail through a zero-padded buffer (no load or
// store ever touches memory past `size`).
template <class D, class Op>
HWY_INLINE void ForEachVector(D d, size_t size, const Op& op) {
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= size; i += lanes) op(i, lanes);
  if constexpr (hn::MaxLanes(D()) > 1) {  // one-lane targets have no tail
    if (i < size) op(i, size - i);
  }
}

template <typename T, class Functor>
void UnaryNative(const Functor& f, const T* in, T* out, size_t size) {
  const hn::ScalableTag<T> d;
  ForEachVector(d, size, [&](size_t i, size_t count) {
    if (count == hn::Lanes(d)) {
      hn::StoreU(f(d, hn::LoadU(d, in + i)), d, out + i);
      return;
    }
    HWY_ALIGN T buffer[hn::MaxLanes(d)] = {};
    std::memcpy(buffer, in + i, count * sizeof(T));
    hn::Store(f(d, hn::Load(d, buffer)), d, buffer);
    std::memcpy(out + i, buffer, count * sizeof(T));
  });
}

template <typename T, class Functor>
void BinaryNative(const Functor& f, const T* in0, const T* in1, T* out, size_t size) {
  const hn::ScalableTag<T> d;
  ForEachVector(d, size, [&](size_t i, size_t count) {
    if (count == hn::Lanes(d)) {
      hn::StoreU(f(d, hn::LoadU(d, in0 + i), hn::LoadU(d, in1 + i)), d, out + i);
      return;
    }
    HWY_ALIGN T buffer0[hn::MaxLanes(d)] = {};
    HWY_ALIGN T buffer1[hn::MaxLanes(d)] = {};
    std::memcpy(buffer0, in0 + i, count * sizeof(T));
    std::memcpy(buffer1, in1 + i, count * sizeof(T));
    hn::Store(f(d, hn::Load(d, buffer0), hn::Load(d, buffer1)), d, buffer0);
    std::memcpy(out + i, buffer0, count * sizeof(T));
  });
}

// bfloat16 <-> float. Widening is exact; narrowing rounds to nearest even (Highway's own
// DemoteTo truncates), NaN stays a quiet NaN of the same sign.
template <class DF>
HWY_INLINE hn::Vec<DF> LoadReduced(DF df, const hwy::bfloat16_t* p) {
  return hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::bfloat16_t, DF>(), p));
}

template <class DF>
HWY_INLINE void StoreReduced(DF df, hn::Vec<DF> v, hwy::bfloat16_t* p) {
  const hn::RebindToUnsigned<DF> du32;
  const hn::RebindToSigned<DF> di32;
  const hn::Rebind<uint16_t, DF> du16;
  const auto bits = hn::BitCast(du32, v);
  const auto upper = hn::ShiftRight<16>(bits);
  const auto rounding = hn::Add(hn::Set(du32, 0x7FFFu), hn::And(upper, hn::Set(du32, 1u)));
  const auto rounded = hn::ShiftRight<16>(hn::Add(bits, rounding));
  const auto quiet_nan = hn::Or(upper, hn::Set(du32, 0x40u));
  const auto result = hn::IfThenElse(hn::RebindMask(du32, hn::IsNaN(v)), quiet_nan, rounded);
  hn::StoreU(
      hn::BitCast(hn::Rebind<hwy::bfloat16_t, DF>(), hn::DemoteTo(du16, hn::BitCast(di32, result))),
      hn::Rebind<hwy::bfloat16_t, DF>(), p);
  (void)df;
}

// float16 <-> float: F16C instructions where the target has them (AVX2, AVX3), otherwise
// c10::Half's scalar conversions (Highway's emulation truncates instead of rounding).
#if HWY_TARGET < HWY_SSE4
constexpr bool kVectorHalf = true;
template <class DF>
HWY_INLINE hn::Vec<DF> LoadReduced(DF df, const hwy::float16_t* p) {
  return hn::PromoteTo(df, hn::LoadU(hn::Rebind<hwy::float16_t, DF>(), p));
}
template <class DF>
HWY_INLINE void StoreReduced(DF df, hn::Vec<DF> v, hwy::float16_t* p) {
  hn::StoreU(hn::DemoteTo(hn::Rebind<hwy::float16_t, DF>(), v), hn::Rebind<hwy::float16_t, DF>(),
             p);
  (void)df;
}
#else
constexpr bool kVectorHalf = false;
template <class DF>
HWY_INLINE hn::Vec<DF> LoadReduced(DF df, const hwy::float16_t* p) {
  HWY_ALIGN float widened[hn::MaxLanes(df)];
  for (size_t i = 0; i < hn::Lanes(df); ++i) {
    widened[i] = static_cast<float>(
        c10::Half(reinterpret_cast<const uint16_t*>(p)[i], c10::Half::from_bits()));
  }
  return hn::Load(df, widened);
}
template <class DF>
HWY_INLINE void StoreReduced(DF df, hn::Vec<DF> v, hwy::float16_t* p) {
  HWY_ALIGN float wide[hn::MaxLanes(df)];
  hn::Store(v, df, wide);
  for (size_t i = 0; i < hn::Lanes(df); ++i) {
    reinterpret_cast<uint16_t*>(p)[i] = c10::Half(wide[i]).x;
  }
}
#endif

template <typename T16, class Functor>
void UnaryReduced(const Functor& f, const T16* in, T16* out, size_t size) {
  const hn::ScalableTag<float> df;
  ForEachVector(df, size, [&](size_t i, size_t count) {
    if (count == hn::Lanes(df)) {
      StoreReduced(df, f(df, LoadReduced(df, in + i)), out + i);
      return;
    }
    HWY_ALIGN T16 buffer[hn::MaxLanes(df)] = {};
    std::memcpy(buffer, in + i, count * sizeof(T16));
    StoreReduced(df, f(df, LoadReduced(df, buffer)), buffer);
    std::memcpy(out + i, buffer, count * sizeof(T16));
  });
}

template <typename T16, class Functor>
void BinaryReduced(const Functor& f, const T16* in0, const T16* in1, T16* out, size_t size) {
  const hn::ScalableTag<float> df;
  ForEachVector(df, size, [&](size_t i, size_t count) {
    if (count == hn::Lanes(df)) {
      StoreReduced(df, f(df, LoadReduced(df, in0 + i), LoadReduced(df, in1 + i)), out + i);
      return;
    }
    HWY_ALIGN T16 buffer0[hn::MaxLanes(df)] = {};
    HWY_ALIGN T16 buffer1[hn::MaxLanes(df)] = {};
    std::memcpy(buffer0, in0 + i, count * sizeof(T16));
    std::memcpy(buffer1, in1 + i, count * sizeof(T16));
    StoreReduced(df, f(df, LoadReduced(df, buffer0), LoadReduced(df, buffer1)), buffer0);
    std::memcpy(out + i, buffer0, count * sizeof(T16));
  });
}

// Calls body(T{}) with the element type of `dtype`; integral types only where the functor
// takes them.
template <bool kIntegral, class Body>
HWY_INLINE void DispatchDtype(Dtype dtype, const Body& body) {
  switch (dtype) {
    case Dtype::kFloat32:
      return body(float{});
    case Dtype::kFloat64:
      return body(double{});
    case Dtype::kFloat16:
      return body(hwy::float16_t{});
    case Dtype::kBFloat16:
      return body(hwy::bfloat16_t{});
    default:
      break;
  }
  if constexpr (kIntegral) {
    switch (dtype) {
      case Dtype::kUInt8:
        return body(uint8_t{});
      case Dtype::kInt8:
        return body(int8_t{});
      case Dtype::kInt16:
        return body(int16_t{});
      case Dtype::kInt32:
        return body(int32_t{});
      case Dtype::kInt64:
        return body(int64_t{});
      default:
        break;
    }
  }
  TORCH_INTERNAL_ASSERT(false, "activations: no SIMD kernel for dtype ", static_cast<int>(dtype));
}

template <typename T>
constexpr bool kReduced = std::is_same_v<T, hwy::float16_t> || std::is_same_v<T, hwy::bfloat16_t>;

template <class Forward, class Backward>
void Run(const ContiguousCall& call, const Forward& forward, const Backward& backward) {
  if (call.spec.direction == Direction::kForward) {
    DispatchDtype<Forward::kIntegral>(call.dtype, [&](auto tag) {
      using T = decltype(tag);
      const auto* in = static_cast<const T*>(call.in0);
      auto* out = static_cast<T*>(call.out);
      if constexpr (kReduced<T>) {
        UnaryReduced(forward, in, out, call.size);
      } else {
        UnaryNative(forward, in, out, call.size);
      }
    });
    return;
  }
  DispatchDtype<Backward::kIntegral>(call.dtype, [&](auto tag) {
    using T = decltype(tag);
    const auto* grad = static_cast<const T*>(call.in0);
    const auto* saved = static_cast<const T*>(call.in1);
    auto* out = static_cast<T*>(call.out);
    if constexpr (kReduced<T>) {
      BinaryReduced(backward, grad, saved, out, call.size);
    } else {
      BinaryNative(backward, grad, saved, out, call.size);
    }
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
