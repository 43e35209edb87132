// batch_norm_nhwc.cpp: training batch normalization over channels-last tensors (n*hw rows of c
// channels), FP32 or BF16, forward and backward, with the same fused forms and the same Keras
// conventions as batch_norm.cpp (biased batch variance; relu(bn(x)) and relu(bn(x) + residual);
// backward masks dy by the forward output y > 0 and writes the masked gradient to dresidual).
//
// Channels are innermost, so every pass walks rows and vectorizes over channels: the statistics are
// accumulated per thread in double over a contiguous block of rows, then summed across threads in
// thread order (the same bits on every run for a given thread count); the normalizing pass applies
// per-channel scale and shift. BF16 tensors are read and written as BF16 and computed in float, the
// statistics in double as for FP32. The per-thread and per-channel arrays live in caller-provided
// scratch (batch_norm_nhwc_scratch_bytes): the library allocates nothing.
#include <math.h>
#include <omp.h>

#include "convnet4j/bf16.h"
#include "convnet4j/relu.h"
#include "kernels.h"

namespace c4j::cpu {

namespace {

// Rows [begin, end) of this thread's share of m rows.
inline void share(int64_t m, int64_t& begin, int64_t& end) {
    const int64_t t = omp_get_thread_num();
    const int64_t k = omp_get_num_threads();
    begin = m * t / k;
    end = m * (t + 1) / k;
}

// The scratch's parts: two per-thread double arrays of c, then three float arrays of c.
struct Work {
    double* first;
    double* second;
    float* f0;
    float* f1;
    float* f2;

    // Zeroes the per-thread sums: a team smaller than asked leaves some of them untouched.
    Work(void* scratch, int threads, int64_t c) {
        first = (double*)scratch;
        second = first + threads * c;
        for (int64_t i = 0; i < 2 * threads * c; ++i) first[i] = 0;
        f0 = (float*)(second + threads * c);
        f1 = f0 + c;
        f2 = f1 + c;
    }
};

template <class T>
void forward(const T* x, const float* gamma, const float* beta, const T* residual, bool relu, T* y, float* mean,
             float* variance, int64_t m, int64_t c, float epsilon, void* scratch) {
    const bool parallel = m * c >= kParallelMin;
    const int threads = parallel ? omp_get_max_threads() : 1;
    Work w(scratch, threads, c);
    float* scale = w.f0;
    float* shift = w.f1;
#pragma omp parallel num_threads(threads)
    {
        double* s = w.first + omp_get_thread_num() * c;
        double* q = w.second + omp_get_thread_num() * c;
        int64_t begin, end;
        share(m, begin, end);
        for (int64_t r = begin; r < end; ++r) {
            const T* xr = x + r * c;
#pragma omp simd
            for (int64_t ch = 0; ch < c; ++ch) {
                const double v = to_float(xr[ch]);
                s[ch] += v;
                q[ch] += v * v;
            }
        }
#pragma omp barrier
#pragma omp for schedule(static)
        for (int64_t ch = 0; ch < c; ++ch) {
            double sum = 0;
            double sq = 0;
            for (int t = 0; t < threads; ++t) {
                sum += w.first[t * c + ch];
                sq += w.second[t * c + ch];
            }
            const double mu = sum / double(m);
            double var = sq / double(m) - mu * mu;
            if (var < 0) var = 0;
            mean[ch] = float(mu);
            variance[ch] = float(var);
            scale[ch] = float(gamma[ch] / sqrt(var + double(epsilon)));
            shift[ch] = float(beta[ch] - mu * scale[ch]);
        }
        // The implicit barrier of the loop above publishes scale and shift.
        for (int64_t r = begin; r < end; ++r) {
            const T* xr = x + r * c;
            T* yr = y + r * c;
            if (residual != nullptr) {
                const T* rr = residual + r * c;
#pragma omp simd
                for (int64_t ch = 0; ch < c; ++ch)
                    yr[ch] = from_float<T>(c4j::relu(to_float(xr[ch]) * scale[ch] + shift[ch] + to_float(rr[ch])));
            } else if (relu) {
#pragma omp simd
                for (int64_t ch = 0; ch < c; ++ch)
                    yr[ch] = from_float<T>(c4j::relu(to_float(xr[ch]) * scale[ch] + shift[ch]));
            } else {
#pragma omp simd
                for (int64_t ch = 0; ch < c; ++ch) yr[ch] = from_float<T>(to_float(xr[ch]) * scale[ch] + shift[ch]);
            }
        }
    }
}

template <class T>
void backward(const T* x, const T* y, const T* dy, const float* mean, const float* variance, const float* gamma,
              T* dx, T* dresidual, float* dgamma, float* dbeta, int64_t m, int64_t c, float epsilon, void* scratch) {
    const bool parallel = m * c >= kParallelMin;
    const int threads = parallel ? omp_get_max_threads() : 1;
    Work w(scratch, threads, c);
    float* k = w.f0;
    float* a = w.f1;
    float* b = w.f2;
#pragma omp parallel num_threads(threads)
    {
        double* s = w.first + omp_get_thread_num() * c;
        double* p = w.second + omp_get_thread_num() * c;
        int64_t begin, end;
        share(m, begin, end);
        for (int64_t r = begin; r < end; ++r) {
            const T* xr = x + r * c;
            const T* gr = dy + r * c;
            if (y == nullptr) {
#pragma omp simd
                for (int64_t ch = 0; ch < c; ++ch) {
                    const double g = to_float(gr[ch]);
                    s[ch] += g;
                    p[ch] += g * (double(to_float(xr[ch])) - mean[ch]);
                }
            } else {
                const T* yr = y + r * c;
#pragma omp simd
                for (int64_t ch = 0; ch < c; ++ch) {
                    const double g = relu_backward_masked(to_float(yr[ch]), to_float(gr[ch]));
                    s[ch] += g;
                    p[ch] += g * (double(to_float(xr[ch])) - mean[ch]);
                }
            }
        }
#pragma omp barrier
#pragma omp for schedule(static)
        for (int64_t ch = 0; ch < c; ++ch) {
            double sum = 0;
            double prod = 0;
            for (int t = 0; t < threads; ++t) {
                sum += w.first[t * c + ch];
                prod += w.second[t * c + ch];
            }
            // dbeta = sum g; dgamma = sum g * xhat; dx = gamma * inv / m * (m * g - dbeta - xhat * dgamma).
            const double inv = 1.0 / sqrt(double(variance[ch]) + double(epsilon));
            const double dg = prod * inv;
            dbeta[ch] = float(sum);
            dgamma[ch] = float(dg);
            k[ch] = float(gamma[ch] * inv);
            a[ch] = float(sum / double(m));
            b[ch] = float(dg * inv / double(m));
        }
        for (int64_t r = begin; r < end; ++r) {
            const T* xr = x + r * c;
            const T* gr = dy + r * c;
            T* dr = dx + r * c;
            if (y == nullptr) {
#pragma omp simd
                for (int64_t ch = 0; ch < c; ++ch)
                    dr[ch] = from_float<T>(k[ch] * (to_float(gr[ch]) - a[ch] - (to_float(xr[ch]) - mean[ch]) * b[ch]));
            } else if (dresidual == nullptr) {
                const T* yr = y + r * c;
#pragma omp simd
                for (int64_t ch = 0; ch < c; ++ch) {
                    const float g = relu_backward_masked(to_float(yr[ch]), to_float(gr[ch]));
                    dr[ch] = from_float<T>(k[ch] * (g - a[ch] - (to_float(xr[ch]) - mean[ch]) * b[ch]));
                }
            } else {
                const T* yr = y + r * c;
                T* rr = dresidual + r * c;
                // dy may share dresidual's storage: each element is read before it is written, at the
                // same index, so the vectorized loop reads a whole vector of dy before storing it.
#pragma omp simd
                for (int64_t ch = 0; ch < c; ++ch) {
                    const float g = relu_backward_masked(to_float(yr[ch]), to_float(gr[ch]));
                    rr[ch] = from_float<T>(g);
                    dr[ch] = from_float<T>(k[ch] * (g - a[ch] - (to_float(xr[ch]) - mean[ch]) * b[ch]));
                }
            }
        }
    }
}

}  // namespace

int64_t batch_norm_nhwc_scratch_bytes(int64_t c) {
    return (2 * int64_t(omp_get_max_threads()) * 8 + 3 * 4) * c;
}

void batch_norm_forward_training_nhwc(const void* x, const float* gamma, const float* beta, const void* residual,
                                      bool relu, void* y, float* mean, float* variance, int64_t m, int64_t c,
                                      float epsilon, bool bf16_data, void* scratch) {
    if (bf16_data) {
        forward((const bf16*)x, gamma, beta, (const bf16*)residual, relu, (bf16*)y, mean, variance, m, c, epsilon,
                scratch);
    } else {
        forward((const float*)x, gamma, beta, (const float*)residual, relu, (float*)y, mean, variance, m, c, epsilon,
                scratch);
    }
}

void batch_norm_backward_nhwc(const void* x, const void* y, const void* dy, const float* mean, const float* variance,
                              const float* gamma, void* dx, void* dresidual, float* dgamma, float* dbeta, int64_t m,
                              int64_t c, float epsilon, bool bf16_data, void* scratch) {
    if (bf16_data) {
        backward((const bf16*)x, (const bf16*)y, (const bf16*)dy, mean, variance, gamma, (bf16*)dx, (bf16*)dresidual,
                 dgamma, dbeta, m, c, epsilon, scratch);
    } else {
        backward((const float*)x, (const float*)y, (const float*)dy, mean, variance, gamma, (float*)dx,
                 (float*)dresidual, dgamma, dbeta, m, c, epsilon, scratch);
    }
}

}  // namespace c4j::cpu
