// dropout.cu: c4j_dropout_f32 and c4j_dropout_nhwc_<type>, inverted dropout whose mask is recomputed from (seed, step, index)
// by Philox (include/convnet4j/dropout.h): the mask tensor is never materialized, the backward
// pass launches the same kernel on dy, and the mask equals the CPU library's bit for bit, in either
// layout (an NHWC element takes its NCHW index's mask). BF16/FP16 are computed in float and rounded once.
// c4j_dropout_f32: each thread takes a group of four consecutive elements, the four lanes of one
// Philox call, so launch over ceil(n / 4) threads. y may equal x (in place), in both kernels.
#include "common.cuh"
#include "convnet4j/dropout.h"
#include "convnet4j/layout.h"

namespace {
template <typename T>
__device__ void dropout(const T* x, T* y, int64_t n, float rate, uint64_t seed, uint64_t step) {
    const float scale = c4j::dropout_scale(rate);
    const int64_t groups = (n + 3) / 4;
    for (int64_t g = c4j::global_index(); g < groups; g += c4j::grid_stride()) {
        const c4j::Philox4 bits = c4j::dropout_bits(seed, step, (uint64_t)g);
        const int64_t base = 4 * g;
#pragma unroll
        for (int j = 0; j < 4; ++j) {
            if (base + j < n)
                y[base + j] = c4j::store<T>(
                    c4j::dropout_apply(c4j::load(x[base + j]), c4j::dropout_keep(bits.v[j], rate), scale));
        }
    }
}
}  // namespace

extern "C" __global__ void c4j_dropout_f32(const float* x, float* y, int64_t n, float rate, uint64_t seed,
                                           uint64_t step) {
    dropout(x, y, n, rate, seed, step);
}

// NHWC (mixed precision's BF16/FP16 activations): the element at memory index i takes the mask of its
// NCHW index, so a tensor drops the same elements whatever its layout (as the CPU library's
// dropout_nhwc). One Philox call per element (its four NCHW neighbours lie hw apart in memory), so
// launch over n * channels * hw.
namespace {
template <typename T>
__device__ void dropout_nhwc(const T* x, T* y, int64_t n, int channels, int64_t hw, float rate, uint64_t seed,
                             uint64_t step) {
    const float scale = c4j::dropout_scale(rate);
    const int64_t total = n * channels * hw;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        const int64_t logical = c4j::convert_source(i, channels, hw, c4j::kNchwToNhwc);
        const c4j::Philox4 bits = c4j::dropout_bits(seed, step, (uint64_t)(logical / 4));
        y[i] = c4j::store<T>(c4j::dropout_apply(c4j::load(x[i]), c4j::dropout_keep(bits.v[logical % 4], rate), scale));
    }
}
}  // namespace

extern "C" __global__ void c4j_dropout_nhwc_bf16(const __nv_bfloat16* x, __nv_bfloat16* y, int64_t n, int channels,
                                                 int64_t hw, float rate, uint64_t seed, uint64_t step) {
    dropout_nhwc(x, y, n, channels, hw, rate, seed, step);
}

extern "C" __global__ void c4j_dropout_nhwc_f16(const __half* x, __half* y, int64_t n, int channels, int64_t hw,
                                                float rate, uint64_t seed, uint64_t step) {
    dropout_nhwc(x, y, n, channels, hw, rate, seed, step);
}
