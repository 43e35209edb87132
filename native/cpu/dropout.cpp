// dropout.cpp: inverted dropout with a mask recomputed from (seed, step, index) by Philox, so the
// forward pass (x -> y) and the backward pass (dy -> dx) call the same function and no mask tensor
// is ever stored (include/convnet4j/dropout.h defines the layout the CUDA kernel shares).
// Also the raw Philox block, exported for the known-answer tests.
#include "convnet4j/bf16.h"
#include "convnet4j/dropout.h"

#include "kernels.h"

namespace c4j::cpu {

void philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]) {
    Philox4 r = philox4x32_10({{counter[0], counter[1], counter[2], counter[3]}}, {{key[0], key[1]}});
    for (int j = 0; j < 4; ++j) out[j] = r.v[j];
}

namespace {

// One generator call per group of four elements; the last group may be partial. Each element is
// read before it is written at the same index, so y == x is safe. T is float or bf16 (scaled in float).
template <class T>
void dropout_flat(const T* x, T* y, int64_t n, float rate, uint64_t seed, uint64_t step) {
    const float scale = dropout_scale(rate);
    const int64_t groups = (n + 3) / 4;
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (int64_t g = 0; g < groups; ++g) {
        Philox4 bits = dropout_bits(seed, step, (uint64_t)g);
        int64_t base = 4 * g;
        int lanes = n - base < 4 ? (int)(n - base) : 4;
        for (int j = 0; j < lanes; ++j)
            y[base + j] = from_float<T>(dropout_apply(to_float(x[base + j]), dropout_keep(bits.v[j], rate), scale));
    }
}

}  // namespace

void dropout(const float* x, float* y, int64_t n, float rate, uint64_t seed, uint64_t step) {
    dropout_flat(x, y, n, rate, seed, step);
}

// The same mask over BF16 elements (element i keeps or drops as in the FP32 version).
void dropout_bf16(const uint16_t* x, uint16_t* y, int64_t n, float rate, uint64_t seed, uint64_t step) {
    dropout_flat((const bf16*)x, (bf16*)y, n, rate, seed, step);
}

namespace {

// Channels-last: the element at memory index i is (image, pixel, channel); its mask is that of its
// NCHW index, so a tensor drops the same elements whatever its layout. One generator call per
// element (its group of four NCHW neighbours lies hw apart in memory).
template <class T>
void dropout_channels_last(const T* x, T* y, int64_t n, int64_t c, int64_t hw, float rate, uint64_t seed,
                           uint64_t step) {
    const float scale = dropout_scale(rate);
    const int64_t size = n * c * hw;
#pragma omp parallel for schedule(static) if (size >= kParallelMin)
    for (int64_t i = 0; i < size; ++i) {
        const int64_t image = i / (hw * c);
        const int64_t rest = i % (hw * c);
        const int64_t logical = (image * c + rest % c) * hw + rest / c;
        Philox4 bits = dropout_bits(seed, step, (uint64_t)(logical / 4));
        y[i] = from_float<T>(dropout_apply(to_float(x[i]), dropout_keep(bits.v[logical % 4], rate), scale));
    }
}

}  // namespace

void dropout_nhwc(const void* x, void* y, int64_t n, int64_t c, int64_t hw, float rate, uint64_t seed, uint64_t step,
                  bool bf16_data) {
    if (bf16_data) {
        dropout_channels_last((const bf16*)x, (bf16*)y, n, c, hw, rate, seed, step);
    } else {
        dropout_channels_last((const float*)x, (float*)y, n, c, hw, rate, seed, step);
    }
}

}  // namespace c4j::cpu
