// fill.cpp: dst[i] = value, for initialising optimizer slots and zeroing gradient buffers without
// a round trip through Java arrays.
#include "kernels.h"

namespace c4j::cpu {

void fill(float* dst, int64_t n, float value) {
#pragma omp parallel for simd schedule(static) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) dst[i] = value;
}

}  // namespace c4j::cpu
