// mixed.cu: the kernels of mixed precision, where image activations are bfloat16 or IEEE half in
// NHWC (channels-last, the order tensor-core convolutions want) and parameters stay float NCHW.
//
// c4j_convert_<from>_<to>: one pass that changes the element type and/or the memory order of an
// [n][channels][hw] tensor: mode 0 keeps the order, 1 reads NCHW and writes NHWC, 2 reads NHWC and
// writes NCHW. Each thread owns one destination element (a gather: writes coalesced). Converting
// rounds once to nearest even; a float beyond half's range becomes an infinity and NaN stays NaN.
// The same kernels turn float KCRS master weights into the KRSC filters of an NHWC convolution
// (n = K, hw = R*S, mode 1) and a KRSC weight gradient back (mode 2).
//
// c4j_bias_act_nhwc_<type> / c4j_bias_grad_nhwc_<type>: bias.cu's pair for NHWC activations (the
// channel is the fastest index); the bias and its gradient are float. The gradient is one block per
// channel summing in double in a fixed order, as c4j_bias_grad_f32.
//
// c4j_pad2d_nhwc_<type> / c4j_crop2d_nhwc_<type>: zero_pad.cu's pair in NHWC.
//
// The index arithmetic is include/convnet4j/layout.h's, which kernel_math_test checks on the host.
#include "common.cuh"
#include "convnet4j/bias.h"
#include "convnet4j/layout.h"

namespace {
template <typename S, typename D>
__device__ void convert(const S* __restrict__ src, D* __restrict__ dst, int64_t n, int channels, int64_t hw,
                        int mode) {
    const int64_t total = n * channels * hw;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        dst[i] = c4j::store<D>(c4j::load(src[c4j::convert_source(i, channels, hw, mode)]));
    }
}

template <typename T>
__device__ void bias_act_nhwc(T* y, const float* bias, int64_t total, int channels, int relu) {
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        y[i] = c4j::store<T>(c4j::bias_act(c4j::load(y[i]), bias ? bias[i % channels] : 0.0f, relu != 0));
    }
}

template <typename T>
__device__ void bias_grad_nhwc(const T* dy, float* dbias, int64_t rows, int channels) {
    for (int c = blockIdx.x; c < channels; c += gridDim.x) {
        double s = 0.0;
        for (int64_t r = threadIdx.x; r < rows; r += blockDim.x) s += c4j::load(dy[r * channels + c]);
        __syncthreads();  // the previous channel's block_sum may still be reading its shared slots
        s = c4j::block_sum(s);
        if (threadIdx.x == 0) dbias[c] = (float)s;
    }
}

template <typename T>
__device__ void pad2d_nhwc(const T* __restrict__ x, T* __restrict__ y, int n, int h, int w, int channels, int top,
                           int left, int oh, int ow) {
    const int64_t total = (int64_t)n * oh * ow * channels;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        const int64_t from = c4j::pad_nhwc_source(i, h, w, channels, top, left, oh, ow);
        y[i] = from >= 0 ? x[from] : c4j::store<T>(0.0f);
    }
}

template <typename T>
__device__ void crop2d_nhwc(const T* __restrict__ dy, T* __restrict__ dx, int n, int h, int w, int channels, int top,
                            int left, int oh, int ow) {
    const int64_t total = (int64_t)n * h * w * channels;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        dx[i] = dy[c4j::crop_nhwc_source(i, h, w, channels, top, left, oh, ow)];
    }
}
}  // namespace

// ---- conversions: elementwise over n * channels * hw

extern "C" __global__ void c4j_convert_f32_bf16(const float* src, __nv_bfloat16* dst, int64_t n, int channels,
                                                int64_t hw, int mode) {
    convert(src, dst, n, channels, hw, mode);
}

extern "C" __global__ void c4j_convert_bf16_f32(const __nv_bfloat16* src, float* dst, int64_t n, int channels,
                                                int64_t hw, int mode) {
    convert(src, dst, n, channels, hw, mode);
}

extern "C" __global__ void c4j_convert_f32_f16(const float* src, __half* dst, int64_t n, int channels, int64_t hw,
                                               int mode) {
    convert(src, dst, n, channels, hw, mode);
}

extern "C" __global__ void c4j_convert_f16_f32(const __half* src, float* dst, int64_t n, int channels, int64_t hw,
                                               int mode) {
    convert(src, dst, n, channels, hw, mode);
}

extern "C" __global__ void c4j_convert_f32_f32(const float* src, float* dst, int64_t n, int channels, int64_t hw,
                                               int mode) {
    convert(src, dst, n, channels, hw, mode);
}

extern "C" __global__ void c4j_convert_bf16_bf16(const __nv_bfloat16* src, __nv_bfloat16* dst, int64_t n,
                                                 int channels, int64_t hw, int mode) {
    convert(src, dst, n, channels, hw, mode);
}

extern "C" __global__ void c4j_convert_f16_f16(const __half* src, __half* dst, int64_t n, int channels, int64_t hw,
                                               int mode) {
    convert(src, dst, n, channels, hw, mode);
}

// ---- bias in NHWC

// Elementwise over total = N * H * W * channels; bias may be null (relu only).
extern "C" __global__ void c4j_bias_act_nhwc_bf16(__nv_bfloat16* y, const float* bias, int64_t total, int channels,
                                                  int relu) {
    bias_act_nhwc(y, bias, total, channels, relu);
}

extern "C" __global__ void c4j_bias_act_nhwc_f16(__half* y, const float* bias, int64_t total, int channels,
                                                 int relu) {
    bias_act_nhwc(y, bias, total, channels, relu);
}

// One block per channel (grid = channels, 256 threads); rows = N * H * W; dbias[c] is overwritten.
extern "C" __global__ void c4j_bias_grad_nhwc_bf16(const __nv_bfloat16* dy, float* dbias, int64_t rows,
                                                   int channels) {
    bias_grad_nhwc(dy, dbias, rows, channels);
}

extern "C" __global__ void c4j_bias_grad_nhwc_f16(const __half* dy, float* dbias, int64_t rows, int channels) {
    bias_grad_nhwc(dy, dbias, rows, channels);
}

// ---- zero padding in NHWC

// Elementwise over n * oh * ow * channels.
extern "C" __global__ void c4j_pad2d_nhwc_bf16(const __nv_bfloat16* x, __nv_bfloat16* y, int n, int h, int w,
                                               int channels, int top, int left, int oh, int ow) {
    pad2d_nhwc(x, y, n, h, w, channels, top, left, oh, ow);
}

extern "C" __global__ void c4j_pad2d_nhwc_f16(const __half* x, __half* y, int n, int h, int w, int channels, int top,
                                              int left, int oh, int ow) {
    pad2d_nhwc(x, y, n, h, w, channels, top, left, oh, ow);
}

// Elementwise over n * h * w * channels.
extern "C" __global__ void c4j_crop2d_nhwc_bf16(const __nv_bfloat16* dy, __nv_bfloat16* dx, int n, int h, int w,
                                                int channels, int top, int left, int oh, int ow) {
    crop2d_nhwc(dy, dx, n, h, w, channels, top, left, oh, ow);
}

extern "C" __global__ void c4j_crop2d_nhwc_f16(const __half* dy, __half* dx, int n, int h, int w, int channels,
                                               int top, int left, int oh, int ow) {
    crop2d_nhwc(dy, dx, n, h, w, channels, top, left, oh, ow);
}
