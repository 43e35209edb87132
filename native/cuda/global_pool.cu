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
