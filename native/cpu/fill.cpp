// fill.cpp: dst[i] = value, for initialising optimizer slots and zeroing gradient buffers without
// a round trip through Java arrays.
#include "convnet4j/bf16.h"
#include "kernels.h"

namespace c4j::cpu {

void fill(float* dst, int64_t n, float value) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) dst[i] = value;
}

void fill_bf16(uint16_t* dst, int64_t n, float value) {
    const uint16_t bits = from_float<bf16>(value).bits;
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) dst[i] = bits;
}

}  // namespace c4j::cpu
