// kernel_math_test.cpp: host checks of the index and per-element math in include/convnet4j/ that
// the CUDA kernels run and no Java test can reach without a GPU: the channel cursor against plain
// division, the pooling window arithmetic and its gather-form max-pool backward against a direct
// scatter (ties included), the batch-norm formulas against float64 references, and the tensor
// lookup of the multi-tensor Adam. Run by ctest; prints each failure and exits non-zero.
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <algorithm>
#include <random>
#include <vector>

#include "convnet4j/adam.h"
#include "convnet4j/batch_norm.h"
#include "convnet4j/bias.h"
#include "convnet4j/layout.h"
#include "convnet4j/nchw.h"
#include "convnet4j/pool.h"

namespace {

int failures = 0;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            if (++failures <= 20) {                                       \
                printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);    \
                printf(__VA_ARGS__);                                      \
                printf("\n");                                             \
            }                                                             \
        }                                                                 \
    } while (0)

bool close(double got, double want, double rel, double abs_tol = 0.0) {
    return fabs(got - want) <= abs_tol + rel * fabs(want);
}

// The cursor follows i, i + stride, ... exactly as (i / hw) % channels and i % hw would.
void test_channel_cursor() {
    const int64_t shapes[][2] = {{1, 1}, {3, 1}, {1, 7}, {64, 49}, {5, 3136}, {1000, 1}, {7, 2}};
    const int64_t strides[] = {1, 3, 32, 256, 1000, 4096, 33792};
    for (const auto& s : shapes) {
        const int64_t channels = s[0], hw = s[1];
        for (int64_t stride : strides) {
            for (int64_t start : {int64_t(0), int64_t(1), stride - 1, int64_t(12345)}) {
                c4j::ChannelCursor at(start, stride, channels, hw);
                for (int64_t i = start, k = 0; k < 200; i += stride, ++k, at.advance()) {
                    CHECK(at.pos == i % hw && at.channel == (i / hw) % channels,
                          "i=%lld channels=%lld hw=%lld stride=%lld: pos %lld channel %lld", (long long)i,
                          (long long)channels, (long long)hw, (long long)stride, (long long)at.pos,
                          (long long)at.channel);
                }
            }
        }
    }
}

// The block-stride walk of for_each_in_channel (common.cuh), replayed on the host: every element
// of channel c is visited exactly once, by flat index (b * C + c) * hw + k.
void test_channel_walk() {
    const int n = 3, channels = 5;
    for (int64_t hw : {int64_t(1), int64_t(7), int64_t(49), int64_t(300)}) {
        for (int64_t block : {int64_t(32), int64_t(256)}) {
            for (int c = 0; c < channels; ++c) {
                std::vector<int> seen(n * channels * hw, 0);
                for (int64_t t = 0; t < block; ++t) {
                    c4j::ChannelCursor at(t, block, n, hw);
                    for (int64_t j = t; j < n * hw; j += block, at.advance()) {
                        ++seen[(at.channel * channels + c) * hw + at.pos];
                    }
                }
                for (int64_t i = 0; i < (int64_t)seen.size(); ++i) {
                    const bool mine = (i / hw) % channels == c;
                    CHECK(seen[i] == (mine ? 1 : 0), "hw=%lld block=%lld c=%d i=%lld seen %d", (long long)hw,
                          (long long)block, c, (long long)i, seen[i]);
                }
            }
        }
    }
}

// One dimension of a pooling: input size, window, stride, padding before, output size.
struct Axis {
    int size, k, stride, pad, out;
};

// Every small dimension under TensorFlow's 'same' padding (output ceil(size / stride), the odd
// padding cell after the image; kept when both pads are smaller than the window, as Pool2d
// requires) and 'valid' padding.
std::vector<Axis> axes() {
    std::vector<Axis> list;
    for (int size = 1; size <= 9; ++size) {
        for (int k = 1; k <= 4; ++k) {
            for (int stride = 1; stride <= 3; ++stride) {
                const int same_out = (size + stride - 1) / stride;
                const int total_pad = std::max((same_out - 1) * stride + k - size, 0);
                const int top = total_pad / 2, bottom = total_pad - top;
                if (top < k && bottom < k) list.push_back({size, k, stride, top, same_out});
                if (size >= k) list.push_back({size, k, stride, 0, (size - k) / stride + 1});
            }
        }
    }
    return list;
}

// pool_windows_over is exactly the set of outputs whose (clipped) windows contain the cell.
void test_pool_windows() {
    for (const Axis& a : axes()) {
        for (int o = 0; o < a.out; ++o) {
            const c4j::Range r = c4j::pool_window(o, a.stride, a.pad, a.k, a.size);
            CHECK(r.begin < r.end, "size=%d k=%d stride=%d pad=%d: window %d empty", a.size, a.k, a.stride, a.pad, o);
        }
        for (int i = 0; i < a.size; ++i) {
            const c4j::Range os = c4j::pool_windows_over(i, a.stride, a.pad, a.k, a.out);
            for (int o = 0; o < a.out; ++o) {
                const c4j::Range r = c4j::pool_window(o, a.stride, a.pad, a.k, a.size);
                const bool contains = r.begin <= i && i < r.end;
                const bool listed = os.begin <= o && o < os.end;
                CHECK(contains == listed, "size=%d k=%d stride=%d pad=%d: cell %d window %d contains %d listed %d",
                      a.size, a.k, a.stride, a.pad, i, o, contains, listed);
            }
        }
    }
}

// The first maximum in row-major order wins a tie; the first NaN wins wherever it is.
void test_pool_argmax() {
    const float plane[] = {1, 3, 3,   //
                           3, 2, 0,   //
                           0, 3, 1};
    CHECK(c4j::pool_argmax(plane, 3, {0, 3}, {0, 3}) == 1, "tie in the first row");
    CHECK(c4j::pool_argmax(plane, 3, {1, 3}, {0, 3}) == 3, "tie across rows");
    CHECK(c4j::pool_argmax(plane, 3, {1, 3}, {1, 3}) == 7, "later row wins when larger");
    const float with_nan[] = {NAN, 1, 2, NAN};
    CHECK(c4j::pool_argmax(with_nan, 2, {0, 2}, {0, 2}) == 0, "leading NaN kept");
    CHECK(c4j::pool_argmax(with_nan + 1, 1, {0, 3}, {0, 1}) == 2, "a later NaN wins over numbers");
    const float two_nans[] = {1, NAN, 5, NAN};
    CHECK(c4j::pool_argmax(two_nans, 2, {0, 2}, {0, 2}) == 1, "the first NaN stays");
    CHECK(c4j::pool_sum(plane, 3, {1, 3}, {1, 3}) == 6.0f, "window sum");
    CHECK(c4j::pool_count({1, 3}, {0, 3}) == 6, "count");
}

// The gather-form backward of pool.cu, replayed with the header functions, against a scatter
// that routes each window's gradient to its argmax (PoolReference.backward). Small integer
// values make ties common.
void test_pool_backward_gather() {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> value(0, 3);
    for (const Axis& r : axes()) {
        for (const Axis& c : axes()) {
            if (((r.size * 7 + c.size * 3 + r.k + c.stride) % 11) != 0) continue;  // a sample of the pairs
            const c4j::PoolGeometry g = {r.size, c.size, r.out, c.out, r.k, c.k, r.stride, c.stride, r.pad, c.pad};
            std::vector<float> x(g.h * g.w), y(g.oh * g.ow), dy(g.oh * g.ow);
            for (float& v : x) v = (float)value(rng);
            for (int o = 0; o < g.oh * g.ow; ++o) dy[o] = (float)(1 << (o % 20));
            std::vector<double> want_max(x.size(), 0.0), want_avg(x.size(), 0.0);
            for (int oy = 0; oy < g.oh; ++oy) {
                for (int ox = 0; ox < g.ow; ++ox) {
                    const int o = oy * g.ow + ox;
                    const c4j::Range rows = g.rows(oy), cols = g.cols(ox);
                    const int64_t best = c4j::pool_argmax(x.data(), g.w, rows, cols);
                    y[o] = x[best];
                    want_max[best] += dy[o];
                    for (int iy = rows.begin; iy < rows.end; ++iy) {
                        for (int ix = cols.begin; ix < cols.end; ++ix) {
                            want_avg[iy * g.w + ix] += (double)dy[o] / c4j::pool_count(rows, cols);
                        }
                    }
                }
            }
            for (int iy = 0; iy < g.h; ++iy) {
                for (int ix = 0; ix < g.w; ++ix) {
                    const int64_t cell = (int64_t)iy * g.w + ix;
                    const c4j::Range oys = g.windows_over_row(iy), oxs = g.windows_over_col(ix);
                    double got_max = 0.0, got_avg = 0.0;
                    for (int oy = oys.begin; oy < oys.end; ++oy) {
                        for (int ox = oxs.begin; ox < oxs.end; ++ox) {
                            const int o = oy * g.ow + ox;
                            const c4j::Range rows = g.rows(oy), cols = g.cols(ox);
                            got_avg += dy[o] / (float)c4j::pool_count(rows, cols);
                            const float m = y[o];
                            if (!(x[cell] == m || m != m)) continue;
                            if (c4j::pool_argmax(x.data(), g.w, rows, cols) == cell) got_max += dy[o];
                        }
                    }
                    CHECK(got_max == want_max[cell],
                          "h=%d w=%d k=%dx%d s=%dx%d pad=%d,%d cell %lld: max grad %g want %g", g.h, g.w, g.kh, g.kw,
                          g.sh, g.sw, g.top, g.left, (long long)cell, got_max, want_max[cell]);
                    CHECK(close(got_avg, want_avg[cell], 1e-6), "avg grad cell %lld: %g want %g", (long long)cell,
                          got_avg, want_avg[cell]);
                }
            }
        }
    }
}

// One-pass shifted moments against the two-pass float64 formula, with a mean far above the spread.
void test_bn_moments() {
    std::mt19937 rng(11);
    for (double offset : {0.0, 1e3, 1e5}) {
        std::normal_distribution<float> dist((float)offset, 0.5f);
        std::vector<float> x(5000);
        for (float& v : x) v = dist(rng);
        double mean = 0.0;
        for (float v : x) mean += v;
        mean /= x.size();
        double var = 0.0;
        for (float v : x) var += (v - mean) * (v - mean);
        var /= x.size();
        const double shift = x[0];
        double s1 = 0.0, s2 = 0.0;
        for (float v : x) {
            s1 += v - shift;
            s2 += (v - shift) * (v - shift);
        }
        const c4j::BnMoments m = c4j::bn_moments(shift, s1, s2, (double)x.size());
        CHECK(close(m.mean, mean, 1e-7, 1e-6), "offset %g: mean %.9g want %.9g", offset, m.mean, mean);
        CHECK(close(m.var, var, 1e-5), "offset %g: var %.9g want %.9g", offset, m.var, var);
    }
    const c4j::BnMoments constant = c4j::bn_moments(3.0, 0.0, 0.0, 10.0);
    CHECK(constant.mean == 3.0f && constant.var == 0.0f, "constant channel");
}

// Forward, backward and the cuDNN round trip against BatchNormReference's float64 formulas.
void test_bn_formulas() {
    const float eps = 1e-3f, gamma = 1.7f, beta = -0.3f, mean = 0.25f, var = 2.5f;
    const float inv_std = c4j::bn_inv_std(var, eps);
    CHECK(close(inv_std, 1.0 / sqrt((double)var + eps), 1e-7), "inv_std %.9g", inv_std);
    for (float x : {-3.0f, -0.5f, 0.0f, 0.7f, 4.0f}) {
        const double ref = gamma * (x - mean) / sqrt((double)var + eps) + beta;
        CHECK(close(c4j::bn_forward(x, mean, inv_std, gamma, beta, 0.0f, false), ref, 1e-6, 1e-7), "bn(%g)", x);
        const double with_residual = ref + 0.4;
        CHECK(close(c4j::bn_forward(x, mean, inv_std, gamma, beta, 0.4f, true),
                    with_residual > 0 ? with_residual : 0.0, 1e-6, 1e-7), "relu(bn(%g) + 0.4)", x);
    }
    CHECK(isnan(c4j::bn_forward(NAN, mean, inv_std, gamma, beta, 0.0f, true)), "relu keeps NaN");

    // dx = gamma * inv_std / m * (m * dy - dbeta - xhat * dgamma) for a small channel.
    const float xs[] = {0.3f, -1.2f, 2.2f, 0.9f, -0.1f, 1.4f};
    const float dys[] = {0.5f, -0.25f, 1.0f, 0.0f, -0.75f, 0.125f};
    const int m = 6;
    double dbeta = 0.0, dgamma = 0.0;
    for (int i = 0; i < m; ++i) {
        dbeta += dys[i];
        dgamma += dys[i] * (xs[i] - mean) / sqrt((double)var + eps);
    }
    for (int i = 0; i < m; ++i) {
        const double xhat = (xs[i] - mean) / sqrt((double)var + eps);
        const double ref = gamma / sqrt((double)var + eps) / m * (m * dys[i] - dbeta - xhat * dgamma);
        const float got =
            c4j::bn_backward_dx(dys[i], (float)xhat, gamma * inv_std, (float)dbeta / m, (float)dgamma / m);
        CHECK(close(got, ref, 1e-5, 1e-6), "dx[%d] %.9g want %.9g", i, got, ref);
    }

    for (float v : {0.0f, 1e-4f, 0.5f, 3.0f, 1e4f}) {
        const float inv = (float)(1.0 / sqrt((double)v + eps));
        CHECK(close(c4j::bn_var_from_inv_std(inv, eps), v, 1e-5, 1e-8), "var %g back %.9g", v,
              c4j::bn_var_from_inv_std(inv, eps));
    }
    CHECK(c4j::bn_var_from_inv_std(1.0f / sqrtf(eps) * 1.0001f, eps) == 0.0f, "clamped at 0");
}

void test_bias_act() {
    CHECK(c4j::bias_act(1.0f, 0.5f, false) == 1.5f, "bias");
    CHECK(c4j::bias_act(-1.0f, 0.5f, true) == 0.0f, "bias relu");
    CHECK(c4j::bias_act(-1.0f, 0.5f, false) == -0.5f, "bias no relu");
    CHECK(isnan(c4j::bias_act(NAN, 0.5f, true)), "relu keeps NaN");
}

void test_adam_tensor_of() {
    const int64_t offsets[] = {0, 3, 3, 4, 10, 10, 11};  // sizes 3, 0, 1, 6, 0, 1
    const int count = 6;
    for (int64_t i = 0; i < offsets[count]; ++i) {
        int want = 0;
        while (!(offsets[want] <= i && i < offsets[want + 1])) ++want;
        CHECK(c4j::adam_tensor_of(offsets, count, i) == want, "element %lld: tensor %d want %d", (long long)i,
              c4j::adam_tensor_of(offsets, count, i), want);
    }
    const int64_t one[] = {0, 5};
    CHECK(c4j::adam_tensor_of(one, 1, 4) == 0, "single tensor");
}

// AdamW's decoupled decay, then the Keras Adam step, against float64 over a few steps; decay 0 is
// plain Adam and leaves a parameter with a zero update unchanged.
void test_adamw_update() {
    // The float64 side uses the constants as the kernel receives them, rounded to float.
    const double lr = 0.05, wd = 0.2, b1 = (float)0.9, b2 = (float)0.999, eps = (float)1e-7;
    float p = 0.75f, m = 0.0f, v = 0.0f;
    double pd = 0.75, md = 0.0, vd = 0.0;
    const float grads[] = {0.3f, -0.02f, 1e-4f, 0.5f};
    for (int t = 1; t <= 4; ++t) {
        const double alpha = lr * sqrt(1 - pow(b2, t)) / (1 - pow(b1, t));
        c4j::AdamStep s = {(float)alpha, (float)b1, (float)b2, (float)eps, (float)(lr * wd)};
        const double g = grads[t - 1];
        c4j::adam_update(p, grads[t - 1], m, v, s);
        pd -= (double)s.decay * pd;
        md = b1 * md + (1 - b1) * g;
        vd = b2 * vd + (1 - b2) * g * g;
        pd -= alpha * md / (sqrt(vd) + eps);
        CHECK(close(p, pd, 1e-5), "step %d: p %.9g want %.9g", t, p, pd);
        CHECK(close(m, md, 1e-5) && close(v, vd, 1e-5), "step %d: m %.9g/%.9g v %.9g/%.9g", t, m, md, v, vd);
    }
    float q = -2.5f, mq = 0.0f, vq = 0.0f;
    c4j::adam_update(q, 0.0f, mq, vq, c4j::AdamStep{0.1f, 0.9f, 0.999f, 1e-7f, 0.0f});
    CHECK(q == -2.5f, "no decay, no gradient: %.9g", q);
}

// The conversions between NCHW and NHWC (and the weight KCRS <-> KRSC they double as) against
// direct 4-d indexing, and the NHWC padding and cropping against the padded geometry.
void test_layout_indices() {
    const int64_t n = 2, channels = 3, h = 4, w = 5, hw = h * w, total = n * channels * hw;
    std::vector<int> seen(total, 0);
    for (int64_t b = 0; b < n; ++b)
        for (int64_t c = 0; c < channels; ++c)
            for (int64_t p = 0; p < hw; ++p) {
                const int64_t nchw = (b * channels + c) * hw + p, nhwc = (b * hw + p) * channels + c;
                CHECK(c4j::convert_source(nhwc, channels, hw, c4j::kNchwToNhwc) == nchw, "to NHWC: %lld", (long long)nhwc);
                CHECK(c4j::convert_source(nchw, channels, hw, c4j::kNhwcToNchw) == nhwc, "to NCHW: %lld", (long long)nchw);
                seen[nhwc]++;
            }
    for (int64_t i = 0; i < total; ++i) {
        CHECK(seen[i] == 1, "NHWC index %lld seen %d times", (long long)i, seen[i]);
        CHECK(c4j::convert_source(i, channels, hw, c4j::kSameOrder) == i, "same order %lld", (long long)i);
    }
    const int top = 1, left = 2, oh = h + 3, ow = w + 2;  // bottom 2, right 0
    for (int64_t b = 0; b < n; ++b)
        for (int r = 0; r < oh; ++r)
            for (int col = 0; col < ow; ++col)
                for (int64_t c = 0; c < channels; ++c) {
                    const int64_t i = ((b * oh + r) * ow + col) * channels + c;
                    const int ir = r - top, ic = col - left;
                    const bool inside = ir >= 0 && ir < h && ic >= 0 && ic < w;
                    const int64_t want = inside ? ((b * h + ir) * w + ic) * channels + c : -1;
                    CHECK(c4j::pad_nhwc_source(i, (int)h, (int)w, channels, top, left, oh, ow) == want, "pad %lld",
                          (long long)i);
                    if (inside) {
                        CHECK(c4j::crop_nhwc_source(want, (int)h, (int)w, channels, top, left, oh, ow) == i,
                              "crop %lld", (long long)want);
                    }
                }
}

// pool_argmax and pool_sum through a strided view (how the NHWC kernels read one channel) pick the
// same cell and the same sum as over the contiguous plane, ties and NaNs included.
struct StridedHost {
    const float* p;
    int64_t stride;
    float operator[](int64_t k) const { return p[k * stride]; }
};

void test_pool_strided_view() {
    const int h = 5, w = 4, channels = 3;
    std::vector<float> nhwc(h * w * channels);
    std::mt19937 rng(11);
    for (float& v : nhwc) v = (float)(rng() % 4);  // many ties
    nhwc[(1 * w + 2) * channels + 1] = NAN;
    for (int c = 0; c < channels; ++c) {
        std::vector<float> plane(h * w);
        for (int k = 0; k < h * w; ++k) plane[k] = nhwc[k * channels + c];
        const StridedHost view = {nhwc.data() + c, channels};
        for (int r0 = 0; r0 < h; ++r0)
            for (int c0 = 0; c0 < w; ++c0) {
                const c4j::Range rows = {r0, std::min(h, r0 + 2)}, cols = {c0, std::min(w, c0 + 3)};
                CHECK(c4j::pool_argmax(view, w, rows, cols) == c4j::pool_argmax(plane.data(), w, rows, cols),
                      "channel %d window at %d,%d", c, r0, c0);
                const float a = c4j::pool_sum(view, w, rows, cols), b = c4j::pool_sum(plane.data(), w, rows, cols);
                CHECK(a == b || (a != a && b != b), "sum channel %d at %d,%d", c, r0, c0);
            }
    }
}

}  // namespace

int main() {
    test_pool_strided_view();
    test_layout_indices();
    test_channel_cursor();
    test_channel_walk();
    test_pool_windows();
    test_pool_argmax();
    test_pool_backward_gather();
    test_bn_moments();
    test_bn_formulas();
    test_bias_act();
    test_adam_tensor_of();
    test_adamw_update();
    if (failures) {
        printf("%d check(s) failed\n", failures);
        return 1;
    }
    printf("kernel math: all checks passed\n");
    return 0;
}
