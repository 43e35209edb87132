// quantize.cpp: FP32 to 8-bit for the int8 frozen convolutions and dense layers, element by element
// in the same memory order: q = saturate(round_to_nearest_even(x / scale)). oneDNN's reorder with a
// runtime scale runs a generic kernel here (0.28 ms of a 1.3 ms AlexNet8 int8 prediction for a few
// hundred thousand values); this loop vectorizes and runs at memory speed. NaN saturates to the low
// end (the calibration refuses non-finite inputs, so a NaN here comes from the request itself).
#include "kernels.h"

namespace c4j::cpu {

namespace {

// 1.5 * 2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer in the
// current rounding mode (nearest even), in two vectorizable instructions. std::nearbyint would do
// the same, but without -march (the jar runs on any x86-64) it is a libm call per element, which
// made this loop slower than the convolutions it feeds (ResNet-50 int8: 23 ms a call instead of 10).
constexpr float kRound = 12582912.0f;

template <class T>
void quantize_to(const float* x, T* q, int64_t n, float scale, float lo, float hi) {
#pragma omp parallel for simd schedule(static) if (n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) {
        float v = x[i] / scale;
        v = v > lo ? v : lo;  // also NaN -> lo
        v = v < hi ? v : hi;  // now within [lo, hi], integers: rounding cannot leave it
        v = (v + kRound) - kRound;
        q[i] = (T)v;
    }
}

}  // namespace

void quantize_8bit(const float* x, void* q, int64_t n, float scale, bool is_unsigned) {
    if (is_unsigned) {
        quantize_to(x, (uint8_t*)q, n, scale, 0.f, 255.f);
    } else {
        quantize_to(x, (int8_t*)q, n, scale, -128.f, 127.f);
    }
}

}  // namespace c4j::cpu
