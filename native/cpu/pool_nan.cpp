// pool_nan.cpp: max pooling keeps a NaN (kernels.h, max_pool_propagate_nan). A scan for any NaN in x
// first (a vectorized read, no writes); only a tensor that holds one gets the window pass.
#include <cmath>

#include "convnet4j/bf16.h"
#include "kernels.h"

namespace c4j::cpu {

namespace {

// The window pass over any layout: element (i, ch, iy, ix) of x at i*sn + ch*sc + iy*sh_ + ix*sw_, and
// likewise in y with y's strides; a NaN scan of x first.
template <class T>
bool propagate(const T* x, T* y, int64_t n, int64_t c, int h, int w, int oh, int ow, int kh, int kw, int sh, int sw,
               int pad_top, int pad_left, bool nhwc) {
    const int64_t size = n * c * h * w;
    int found = 0;
#pragma omp parallel for simd schedule(static) reduction(| : found) if (parallel : size >= kParallelMin)
    for (int64_t i = 0; i < size; ++i) {
        const float v = to_float(x[i]);
        found |= v != v;
    }
    if (!found) return false;
    // Strides of x (n, c, row, col) and of y.
    const int64_t xs[4] = {c * h * w, nhwc ? 1 : int64_t(h) * w, nhwc ? int64_t(w) * c : w, nhwc ? c : 1};
    const int64_t ys[4] = {c * oh * ow, nhwc ? 1 : int64_t(oh) * ow, nhwc ? int64_t(ow) * c : ow, nhwc ? c : 1};
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < n * c; ++p) {
        const int64_t i = p / c;
        const int64_t ch = p % c;
        const T* plane = x + i * xs[0] + ch * xs[1];
        for (int oy = 0; oy < oh; ++oy) {
            for (int ox = 0; ox < ow; ++ox) {
                bool nan = false;
                for (int ky = 0; ky < kh && !nan; ++ky) {
                    const int iy = oy * sh + ky - pad_top;
                    if (iy < 0 || iy >= h) continue;
                    for (int kx = 0; kx < kw; ++kx) {
                        const int ix = ox * sw + kx - pad_left;
                        if (ix >= 0 && ix < w && std::isnan(to_float(plane[iy * xs[2] + ix * xs[3]]))) {
                            nan = true;
                            break;
                        }
                    }
                }
                if (nan) y[i * ys[0] + ch * ys[1] + oy * ys[2] + ox * ys[3]] = from_float<T>(NAN);
            }
        }
    }
    return true;
}

}  // namespace

// NCHW FP32 is the template's case of nc images of one channel.
bool max_pool_propagate_nan(const float* x, float* y, int64_t nc, int h, int w, int oh, int ow, int kh, int kw,
                            int sh, int sw, int pad_top, int pad_left) {
    return propagate(x, y, nc, 1, h, w, oh, ow, kh, kw, sh, sw, pad_top, pad_left, false);
}

bool max_pool_propagate_nan_any(const void* x, void* y, int64_t n, int64_t c, int h, int w, int oh, int ow, int kh,
                                int kw, int sh, int sw, int pad_top, int pad_left, bool nhwc, bool bf16_data) {
    if (bf16_data) {
        return propagate((const bf16*)x, (bf16*)y, n, c, h, w, oh, ow, kh, kw, sh, sw, pad_top, pad_left, nhwc);
    }
    return propagate((const float*)x, (float*)y, n, c, h, w, oh, ow, kh, kw, sh, sw, pad_top, pad_left, nhwc);
}

}  // namespace c4j::cpu
