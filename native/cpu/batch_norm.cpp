// batch_norm.cpp: training-mode batch normalization over NCHW, forward and backward, the way Keras
// computes it (biased batch variance). oneDNN 3.13 has only its generic "ncsp" kernels for plain
// NCHW, which reached 4.5-8 GB/s on AlexNet8's and ResNet-50's tensors on 2 cores; these loops read
// each channel's N planes of H*W contiguous floats with independent accumulators the compiler can
// keep in vector registers (no -ffast-math needed), one channel per OpenMP iteration, and reach the
// memory bandwidth instead.
//
// The fused forms run in the same passes: relu(bn(x)) and relu(bn(x) + residual) forward; backward,
// the relu mask from the forward output y (dy where y > 0), written to dresidual as the residual's
// gradient when asked. dx may be dy's own storage only when no mask is read from it.
//
// Statistics are accumulated in double: per channel, sum and sum of squares over N*H*W values, so
// var = E[x^2] - mean^2 loses nothing that float activations hold.
#include <math.h>

#include "convnet4j/relu.h"
#include "kernels.h"

namespace c4j::cpu {

namespace {

constexpr int kLanes = 8;

// sum and sum of squares of n floats, in double, over kLanes independent partial sums.
inline void sum_squares(const float* x, int64_t n, double& sum, double& squares) {
    double s[kLanes] = {0};
    double q[kLanes] = {0};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
            double v = x[i + l];
            s[l] += v;
            q[l] += v * v;
        }
    }
    for (; i < n; ++i) {
        double v = x[i];
        s[0] += v;
        q[0] += v * v;
    }
    for (int l = 0; l < kLanes; ++l) {
        sum += s[l];
        squares += q[l];
    }
}

// The gradient reaching the batch norm: dy, or dy where the forward's relu output y is positive.
inline float masked(const float* y, const float* dy, int64_t i) {
    return y == nullptr ? dy[i] : relu_backward_masked(y[i], dy[i]);
}

// sum of g and of g * (x - mean), in double, g the (masked) gradient.
inline void sum_products(const float* x, const float* y, const float* dy, int64_t n, float mean, double& sum,
                         double& products) {
    double s[kLanes] = {0};
    double p[kLanes] = {0};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        for (int l = 0; l < kLanes; ++l) {
            double g = masked(y, dy, i + l);
            s[l] += g;
            p[l] += g * (double(x[i + l]) - mean);
        }
    }
    for (; i < n; ++i) {
        double g = masked(y, dy, i);
        s[0] += g;
        p[0] += g * (double(x[i]) - mean);
    }
    for (int l = 0; l < kLanes; ++l) {
        sum += s[l];
        products += p[l];
    }
}

}  // namespace

void batch_norm_forward_training(const float* x, const float* gamma, const float* beta, const float* residual,
                                 bool relu, float* y, float* mean, float* variance, int64_t n, int64_t c, int64_t hw,
                                 float epsilon) {
    const int64_t m = n * hw;
#pragma omp parallel for schedule(dynamic, 1) if (parallel : n * c * hw >= kParallelMin)
    for (int64_t ch = 0; ch < c; ++ch) {
        double sum = 0;
        double squares = 0;
        for (int64_t i = 0; i < n; ++i) sum_squares(x + (i * c + ch) * hw, hw, sum, squares);
        double mu = sum / double(m);
        double var = squares / double(m) - mu * mu;
        if (var < 0) var = 0;
        mean[ch] = float(mu);
        variance[ch] = float(var);
        const float scale = float(gamma[ch] / sqrt(var + double(epsilon)));
        const float shift = float(beta[ch] - mu * scale);
        for (int64_t i = 0; i < n; ++i) {
            const int64_t off = (i * c + ch) * hw;
            const float* xp = x + off;
            float* yp = y + off;
            if (residual != nullptr) {
                const float* rp = residual + off;
#pragma omp simd
                for (int64_t j = 0; j < hw; ++j) yp[j] = c4j::relu(xp[j] * scale + shift + rp[j]);
            } else if (relu) {
#pragma omp simd
                for (int64_t j = 0; j < hw; ++j) yp[j] = c4j::relu(xp[j] * scale + shift);
            } else {
#pragma omp simd
                for (int64_t j = 0; j < hw; ++j) yp[j] = xp[j] * scale + shift;
            }
        }
    }
}

void batch_norm_backward(const float* x, const float* y, const float* dy, const float* mean, const float* variance,
                         const float* gamma, float* dx, float* dresidual, float* dgamma, float* dbeta, int64_t n,
                         int64_t c, int64_t hw, float epsilon) {
    const int64_t m = n * hw;
#pragma omp parallel for schedule(dynamic, 1) if (parallel : n * c * hw >= kParallelMin)
    for (int64_t ch = 0; ch < c; ++ch) {
        const float mu = mean[ch];
        const double inv = 1.0 / sqrt(double(variance[ch]) + double(epsilon));
        double sum = 0;
        double products = 0;
        for (int64_t i = 0; i < n; ++i) {
            const int64_t off = (i * c + ch) * hw;
            sum_products(x + off, y == nullptr ? nullptr : y + off, dy + off, hw, mu, sum, products);
        }
        // dbeta = sum dy; dgamma = sum dy * xhat; dx = gamma * inv / m * (m * dy - dbeta - xhat * dgamma).
        const double dg = products * inv;
        dbeta[ch] = float(sum);
        dgamma[ch] = float(dg);
        const float k = float(gamma[ch] * inv);
        const float a = float(sum / double(m));
        const float b = float(dg * inv / double(m));
        for (int64_t i = 0; i < n; ++i) {
            const int64_t off = (i * c + ch) * hw;
            const float* xp = x + off;
            const float* gp = dy + off;
            float* dp = dx + off;
            if (y == nullptr) {
#pragma omp simd
                for (int64_t j = 0; j < hw; ++j) dp[j] = k * (gp[j] - a - (xp[j] - mu) * b);
            } else if (dresidual == nullptr) {
                const float* yp = y + off;
#pragma omp simd
                for (int64_t j = 0; j < hw; ++j) dp[j] = k * (relu_backward_masked(yp[j], gp[j]) - a - (xp[j] - mu) * b);
            } else {
                const float* yp = y + off;
                float* rp = dresidual + off;
                // dy may share dresidual's storage: each element is read before it is written, at the same index.
#pragma omp simd
                for (int64_t j = 0; j < hw; ++j) {
                    const float g = relu_backward_masked(yp[j], gp[j]);
                    rp[j] = g;
                    dp[j] = k * (g - a - (xp[j] - mu) * b);
                }
            }
        }
    }
}

}  // namespace c4j::cpu
