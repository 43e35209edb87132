// layout.cpp: conversions between FP32 NCHW (what the host uploads, what Flatten hands to Dense)
// and channels-last NHWC in FP32 or BF16 (what the plan keeps image activations in). oneDNN's
// reorder picks a slow generic kernel for the few-channel images a model's input has (57 ms for
// ResNet-50's 32x3x224x224 batch on 2 cores, about 1 GB/s); this loop reads each image's c planes
// and writes its pixels' channel vectors, one image-row block per OpenMP iteration, at memory speed.
#include "convnet4j/bf16.h"
#include "kernels.h"

namespace c4j::cpu {

namespace {

template <class T>
void to_channels_last(const float* x, T* y, int64_t n, int64_t c, int64_t hw) {
    constexpr int64_t kBlock = 64;  // pixels per iteration: c reads of kBlock contiguous floats
    const int64_t blocks = (hw + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (n * c * hw >= kParallelMin)
    for (int64_t job = 0; job < n * blocks; ++job) {
        const int64_t i = job / blocks;
        const int64_t p0 = job % blocks * kBlock;
        const int64_t p1 = p0 + kBlock < hw ? p0 + kBlock : hw;
        const float* xi = x + i * c * hw;
        T* yi = y + i * hw * c;
        for (int64_t ch = 0; ch < c; ++ch) {
            const float* plane = xi + ch * hw;
            for (int64_t p = p0; p < p1; ++p) yi[p * c + ch] = from_float<T>(plane[p]);
        }
    }
}

template <class T>
void to_planar(const T* x, float* y, int64_t n, int64_t c, int64_t hw) {
#pragma omp parallel for schedule(static) if (n * c * hw >= kParallelMin)
    for (int64_t job = 0; job < n * c; ++job) {
        const int64_t i = job / c;
        const int64_t ch = job % c;
        const T* xi = x + i * hw * c + ch;
        float* yp = y + job * hw;
        for (int64_t p = 0; p < hw; ++p) yp[p] = to_float(xi[p * c]);
    }
}

}  // namespace

void nchw_to_nhwc(const float* x, void* y, int64_t n, int64_t c, int64_t hw, bool bf16_data) {
    if (bf16_data) {
        to_channels_last(x, (bf16*)y, n, c, hw);
    } else {
        to_channels_last(x, (float*)y, n, c, hw);
    }
}

void nhwc_to_nchw(const void* x, float* y, int64_t n, int64_t c, int64_t hw, bool bf16_data) {
    if (bf16_data) {
        to_planar((const bf16*)x, y, n, c, hw);
    } else {
        to_planar((const float*)x, y, n, c, hw);
    }
}

}  // namespace c4j::cpu
