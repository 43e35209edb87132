// pool_nan.cpp: max pooling keeps a NaN (kernels.h, max_pool_propagate_nan). A scan for any NaN in x
// first (a vectorized read, no writes); only a tensor that holds one gets the window pass.
#include <cmath>

#include "kernels.h"

namespace c4j::cpu {

bool max_pool_propagate_nan(const float* x, float* y, int64_t nc, int h, int w, int oh, int ow, int kh, int kw,
                            int sh, int sw, int pad_top, int pad_left) {
    const int64_t n = nc * h * w;
    int found = 0;
#pragma omp parallel for simd schedule(static) reduction(| : found) if (parallel : n >= kParallelMin)
    for (int64_t i = 0; i < n; ++i) found |= x[i] != x[i];
    if (!found) return false;
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < nc; ++p) {
        const float* plane = x + p * h * w;
        for (int oy = 0; oy < oh; ++oy) {
            for (int ox = 0; ox < ow; ++ox) {
                bool nan = false;
                for (int ky = 0; ky < kh && !nan; ++ky) {
                    const int iy = oy * sh + ky - pad_top;
                    if (iy < 0 || iy >= h) continue;
                    for (int kx = 0; kx < kw; ++kx) {
                        const int ix = ox * sw + kx - pad_left;
                        if (ix >= 0 && ix < w && std::isnan(plane[iy * w + ix])) {
                            nan = true;
                            break;
                        }
                    }
                }
                if (nan) y[(p * oh + oy) * ow + ox] = NAN;
            }
        }
    }
    return true;
}

}  // namespace c4j::cpu
