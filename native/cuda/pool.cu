// pool.cu: 2-D max and average pooling for the padded cases cuDNN cannot express: TensorFlow's
// 'same' padding puts the odd cell after the image (bottom/right), and cuDNN pools pad
// symmetrically. Symmetric cases go to cuDNN; these kernels take any top/left padding, with
// Keras' border rule (padding never wins a max nor counts in an average) and the window
// arithmetic of include/convnet4j/pool.h.
//
// Both directions gather, so no atomics and a fixed summation order: the forward gives each
// output cell a thread that scans its window; the backward gives each input cell a thread that
// visits the few windows containing it (pool_windows_over) and sums their contributions. For max
// pooling a window contributes only to its argmax, the first maximum in row-major order as in the
// float64 reference; the forward output y filters the candidates (a cell whose value differs from
// y[o] cannot be the argmax), so the window is rescanned only for cells that hold the maximum.
#include "common.cuh"
#include "convnet4j/pool.h"

namespace {

constexpr int kPoolMax = 0;  // mode: max over the window's in-image cells
// mode 1: average over the window's in-image cells

// Input cell (iy, ix)'s share of the gradients of windows oys x oxs of one plane: dy / count each.
__device__ float avg_pool_grad(const c4j::PoolGeometry& g, const float* dy, c4j::Range oys, c4j::Range oxs) {
    float sum = 0.0f;
    for (int oy = oys.begin; oy < oys.end; ++oy) {
        const c4j::Range rows = g.rows(oy);
        for (int ox = oxs.begin; ox < oxs.end; ++ox) {
            sum += dy[(int64_t)oy * g.ow + ox] / (float)c4j::pool_count(rows, g.cols(ox));
        }
    }
    return sum;
}

// The gradients of the windows among oys x oxs whose argmax is input cell (iy, ix). x, y (may be
// null) and dy point at one plane.
__device__ float max_pool_grad(const c4j::PoolGeometry& g, const float* x, const float* y, const float* dy, int iy,
                               int ix, c4j::Range oys, c4j::Range oxs) {
    const int64_t cell = (int64_t)iy * g.w + ix;
    const float value = x[cell];
    float sum = 0.0f;
    for (int oy = oys.begin; oy < oys.end; ++oy) {
        const c4j::Range rows = g.rows(oy);
        for (int ox = oxs.begin; ox < oxs.end; ++ox) {
            const int64_t o = (int64_t)oy * g.ow + ox;
            if (y) {
                const float m = y[o];
                if (!(value == m || m != m)) continue;  // not the maximum; a NaN maximum needs the rescan
            }
            if (c4j::pool_argmax(x, g.w, rows, g.cols(ox)) == cell) sum += dy[o];
        }
    }
    return sum;
}

}  // namespace

// Elementwise over nc * oh * ow.
extern "C" __global__ void c4j_pool2d_f32(const float* __restrict__ x, float* __restrict__ y, int nc, int h, int w,
                                          int oh, int ow, int kh, int kw, int sh, int sw, int top, int left,
                                          int mode) {
    const c4j::PoolGeometry g = {h, w, oh, ow, kh, kw, sh, sw, top, left};
    const int64_t total = (int64_t)nc * oh * ow;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        const int64_t row = i / ow;  // over nc * oh
        const int ox = (int)(i - row * ow);
        const int64_t plane = row / oh;
        const int oy = (int)(row - plane * oh);
        const float* xp = x + plane * h * w;
        const c4j::Range rows = g.rows(oy), cols = g.cols(ox);
        y[i] = mode == kPoolMax ? xp[c4j::pool_argmax(xp, w, rows, cols)]
                                : c4j::pool_sum(xp, w, rows, cols) / (float)c4j::pool_count(rows, cols);
    }
}

// Elementwise over nc * h * w; dx is overwritten. x and y are the forward's input and output;
// average pooling reads neither (pass null), max pooling needs x, and y (when not null) only
// spares rescanning windows. dy and dx are N*C x oh x ow and N*C x h x w.
extern "C" __global__ void c4j_pool2d_backward_f32(const float* __restrict__ x, const float* __restrict__ y,
                                                   const float* __restrict__ dy, float* __restrict__ dx, int nc, int h,
                                                   int w, int oh, int ow, int kh, int kw, int sh, int sw, int top,
                                                   int left, int mode) {
    const c4j::PoolGeometry g = {h, w, oh, ow, kh, kw, sh, sw, top, left};
    const int64_t total = (int64_t)nc * h * w;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        const int64_t row = i / w;  // over nc * h
        const int ix = (int)(i - row * w);
        const int64_t plane = row / h;
        const int iy = (int)(row - plane * h);
        const c4j::Range oys = g.windows_over_row(iy), oxs = g.windows_over_col(ix);
        const float* dyp = dy + plane * oh * ow;
        dx[i] = mode == kPoolMax ? max_pool_grad(g, x + plane * h * w, y ? y + plane * oh * ow : nullptr, dyp, iy, ix,
                                                 oys, oxs)
                                 : avg_pool_grad(g, dyp, oys, oxs);
    }
}

// ---- NHWC (mixed precision's BF16/FP16 activations): the same windows, argmax and gathers over
// one channel of an image, its cells channels apart; computed in float, rounded once on store.
namespace {

// One channel of one NHWC image: cell k (iy * w + ix) at p[k * stride], loaded as float.
template <typename T>
struct ChannelPlane {
    const T* p;
    int64_t stride;
    __device__ float operator[](int64_t k) const { return c4j::load(p[k * stride]); }
};

template <typename T>
__device__ void pool2d_nhwc(const T* x, T* y, int n, int channels, int h, int w, int oh, int ow, int kh, int kw,
                            int sh, int sw, int top, int left, int mode) {
    const c4j::PoolGeometry g = {h, w, oh, ow, kh, kw, sh, sw, top, left};
    const int64_t total = (int64_t)n * oh * ow * channels;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        const int c = (int)(i % channels);
        int64_t t = i / channels;
        const int ox = (int)(t % ow);
        t /= ow;
        const int oy = (int)(t % oh);
        const int64_t b = t / oh;
        const ChannelPlane<T> xp = {x + b * h * w * channels + c, channels};
        const c4j::Range rows = g.rows(oy), cols = g.cols(ox);
        y[i] = c4j::store<T>(mode == kPoolMax ? xp[c4j::pool_argmax(xp, w, rows, cols)]
                                              : c4j::pool_sum(xp, w, rows, cols) / (float)c4j::pool_count(rows, cols));
    }
}

template <typename T>
__device__ void pool2d_backward_nhwc(const T* x, const T* y, const T* dy, T* dx, int n, int channels, int h, int w,
                                     int oh, int ow, int kh, int kw, int sh, int sw, int top, int left, int mode) {
    const c4j::PoolGeometry g = {h, w, oh, ow, kh, kw, sh, sw, top, left};
    const int64_t total = (int64_t)n * h * w * channels;
    for (int64_t i = c4j::global_index(); i < total; i += c4j::grid_stride()) {
        const int c = (int)(i % channels);
        int64_t t = i / channels;
        const int ix = (int)(t % w);
        t /= w;
        const int iy = (int)(t % h);
        const int64_t b = t / h;
        const c4j::Range oys = g.windows_over_row(iy), oxs = g.windows_over_col(ix);
        const ChannelPlane<T> dyp = {dy + b * oh * ow * channels + c, channels};
        float sum = 0.0f;
        if (mode == kPoolMax) {
            const ChannelPlane<T> xp = {x + b * h * w * channels + c, channels};
            const int64_t cell = (int64_t)iy * w + ix;
            const float value = xp[cell];
            for (int oy = oys.begin; oy < oys.end; ++oy) {
                const c4j::Range rows = g.rows(oy);
                for (int ox = oxs.begin; ox < oxs.end; ++ox) {
                    const int64_t o = (int64_t)oy * ow + ox;
                    if (y) {
                        const float m = c4j::load(y[(b * oh * ow + o) * channels + c]);
                        if (!(value == m || m != m)) continue;  // not the maximum; a NaN maximum needs the rescan
                    }
                    if (c4j::pool_argmax(xp, w, rows, g.cols(ox)) == cell) sum += dyp[o];
                }
            }
        } else {
            for (int oy = oys.begin; oy < oys.end; ++oy) {
                const c4j::Range rows = g.rows(oy);
                for (int ox = oxs.begin; ox < oxs.end; ++ox) {
                    sum += dyp[(int64_t)oy * ow + ox] / (float)c4j::pool_count(rows, g.cols(ox));
                }
            }
        }
        dx[i] = c4j::store<T>(sum);
    }
}

}  // namespace

// Elementwise over n * oh * ow * channels.
extern "C" __global__ void c4j_pool2d_nhwc_bf16(const __nv_bfloat16* x, __nv_bfloat16* y, int n, int channels, int h,
                                                int w, int oh, int ow, int kh, int kw, int sh, int sw, int top,
                                                int left, int mode) {
    pool2d_nhwc(x, y, n, channels, h, w, oh, ow, kh, kw, sh, sw, top, left, mode);
}

extern "C" __global__ void c4j_pool2d_nhwc_f16(const __half* x, __half* y, int n, int channels, int h, int w, int oh,
                                               int ow, int kh, int kw, int sh, int sw, int top, int left, int mode) {
    pool2d_nhwc(x, y, n, channels, h, w, oh, ow, kh, kw, sh, sw, top, left, mode);
}

// Elementwise over n * h * w * channels; dx is overwritten; x, y as for c4j_pool2d_backward_f32.
extern "C" __global__ void c4j_pool2d_backward_nhwc_bf16(const __nv_bfloat16* x, const __nv_bfloat16* y,
                                                         const __nv_bfloat16* dy, __nv_bfloat16* dx, int n,
                                                         int channels, int h, int w, int oh, int ow, int kh, int kw,
                                                         int sh, int sw, int top, int left, int mode) {
    pool2d_backward_nhwc(x, y, dy, dx, n, channels, h, w, oh, ow, kh, kw, sh, sw, top, left, mode);
}

extern "C" __global__ void c4j_pool2d_backward_nhwc_f16(const __half* x, const __half* y, const __half* dy, __half* dx,
                                                        int n, int channels, int h, int w, int oh, int ow, int kh,
                                                        int kw, int sh, int sw, int top, int left, int mode) {
    pool2d_backward_nhwc(x, y, dy, dx, n, channels, h, w, oh, ow, kh, kw, sh, sw, top, left, mode);
}
