// global_pool.cu: global average pooling, N x C x H x W to N x C means (rows = N*C planes of
// hw = H*W floats each), and its backward, which spreads dy[r] / hw back over the plane.
//
// One warp per plane: the lanes stride over the plane's contiguous floats (coalesced) and a
// warp-shuffle sum in double finishes it, in a fixed order, so the mean repeats bit for bit. ResNet's
// last stage pools 7 x 7 planes, too small to share among more threads than a warp.
#include "common.cuh"

// One warp per row: 128 threads (4 rows per block), grid ceil(rows / 4).
extern "C" __global__ void c4j_global_avg_pool_f32(const float* x, float* y, int64_t rows, int64_t hw) {
    const int lane = threadIdx.x & 31;
    const int64_t warps = c4j::grid_stride() >> 5;
    for (int64_t r = c4j::global_index() >> 5; r < rows; r += warps) {
        const float* plane = x + r * hw;
        double s = 0.0;
        for (int64_t k = lane; k < hw; k += 32) s += plane[k];
        s = c4j::warp_sum(s);
        if (lane == 0) y[r] = (float)(s / (double)hw);
    }
}

// Elementwise over rows * hw: dx = dy[r] / hw.
extern "C" __global__ void c4j_global_avg_pool_backward_f32(const float* __restrict__ dy, float* __restrict__ dx,
                                                            int64_t rows, int64_t hw) {
    const float inv_hw = 1.0f / (float)hw;
    const int64_t total = rows * hw;
    const int64_t stride = c4j::grid_stride();
    c4j::ChannelCursor at(c4j::global_index(), stride, rows, hw);  // at.channel is the row
    for (int64_t i = c4j::global_index(); i < total; i += stride) {
        dx[i] = dy[at.channel] * inv_hw;
        at.advance();
    }
}

// NHWC (mixed precision's BF16/FP16 activations) into FP32 features: one thread per (sample,
// channel) row, walking its hw cells channels apart (consecutive threads read consecutive channels:
// coalesced), summing in double in a fixed order. Elementwise over n * channels.
namespace {
template <typename T>
__device__ void global_avg_pool_nhwc(const T* __restrict__ x, float* __restrict__ y, int64_t n, int channels,
                                     int64_t hw) {
    const int64_t rows = n * channels;
    for (int64_t r = c4j::global_index(); r < rows; r += c4j::grid_stride()) {
        const T* cell = x + (r / channels) * hw * channels + r % channels;
        double s = 0.0;
        for (int64_t k = 0; k < hw; ++k) s += c4j::load(cell[k * channels]);
        y[r] = (float)(s / (double)hw);
    }
}

// Elementwise over n * hw * channels: dx = dy[sample, channel] / hw, rounded to T.
template <typename T>
__device__ void global_avg_pool_backward_nhwc(const float* __restrict__ dy, T* __restrict__ dx, int64_t n,
                                              int channels, int64_t hw) {
    const float inv_hw = 1.0f / (float)hw;
    const int64_t total = n * hw * channels;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        dx[i] = c4j::store<T>(dy[(i / (hw * channels)) * channels + i % channels] * inv_hw);
    }
}
}  // namespace

extern "C" __global__ void c4j_global_avg_pool_nhwc_bf16(const __nv_bfloat16* x, float* y, int64_t n, int channels,
                                                         int64_t hw) {
    global_avg_pool_nhwc(x, y, n, channels, hw);
}

extern "C" __global__ void c4j_global_avg_pool_nhwc_f16(const __half* x, float* y, int64_t n, int channels,
                                                        int64_t hw) {
    global_avg_pool_nhwc(x, y, n, channels, hw);
}

extern "C" __global__ void c4j_global_avg_pool_backward_nhwc_bf16(const float* dy, __nv_bfloat16* dx, int64_t n,
                                                                  int channels, int64_t hw) {
    global_avg_pool_backward_nhwc(dy, dx, n, channels, hw);
}

extern "C" __global__ void c4j_global_avg_pool_backward_nhwc_f16(const float* dy, __half* dx, int64_t n, int channels,
                                                                 int64_t hw) {
    global_avg_pool_backward_nhwc(dy, dx, n, channels, hw);
}
