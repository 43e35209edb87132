// dropout.cu: c4j_dropout_f32, inverted dropout whose mask is recomputed from (seed, step, index)
// by Philox (include/convnet4j/dropout.h): the mask tensor is never materialized, the backward
// pass launches the same kernel on dy, and the mask equals the CPU library's bit for bit.
// Each thread takes a group of four consecutive elements, the four lanes of one Philox call, so
// launch over ceil(n / 4) threads. y may equal x (in place).
#include "common.cuh"
#include "convnet4j/dropout.h"

extern "C" __global__ void c4j_dropout_f32(const float* x, float* y, int64_t n, float rate, uint64_t seed,
                                           uint64_t step) {
    const float scale = c4j::dropout_scale(rate);
    const int64_t groups = (n + 3) / 4;
    for (int64_t g = c4j::global_index(); g < groups; g += c4j::grid_stride()) {
        const c4j::Philox4 bits = c4j::dropout_bits(seed, step, (uint64_t)g);
        const int64_t base = 4 * g;
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            if (base + j < n) y[base + j] = c4j::dropout_apply(x[base + j], c4j::dropout_keep(bits.v[j], rate), scale);
        }
    }
}
