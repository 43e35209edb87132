// zero_pad.cu: Keras' ZeroPadding2D on NCHW planes. c4j_pad2d_f32 writes every output cell once,
// the border as 0 and the interior from x, so y needs no separate fill pass; its backward,
// c4j_crop2d_f32, reads the interior of dy back into dx. Both gather: each thread owns one
// output element and computes where it comes from.
#include "common.cuh"

// Elementwise over nc * oh * ow: y is x placed at (top, left) in an oh x ow plane of zeros.
extern "C" __global__ void c4j_pad2d_f32(const float* __restrict__ x, float* __restrict__ y, int nc, int h, int w,
                                         int top, int left, int oh, int ow) {
    const int64_t total = (int64_t)nc * oh * ow;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        const int64_t row = i / ow;  // over nc * oh
        const int c = (int)(i - row * ow) - left;
        const int64_t plane = row / oh;
        const int r = (int)(row - plane * oh) - top;
        const bool inside = r >= 0 && r < h && c >= 0 && c < w;
        y[i] = inside ? x[(plane * h + r) * w + c] : 0.0f;
    }
}

// Elementwise over nc * h * w: dx is the h x w window of dy at (top, left).
extern "C" __global__ void c4j_crop2d_f32(const float* __restrict__ dy, float* __restrict__ dx, int nc, int h, int w,
                                          int top, int left, int oh, int ow) {
    const int64_t total = (int64_t)nc * h * w;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        const int64_t row = i / w;  // over nc * h
        const int c = (int)(i - row * w);
        const int64_t plane = row / h;
        const int r = (int)(row - plane * h);
        dx[i] = dy[(plane * oh + r + top) * ow + c + left];
    }
}
