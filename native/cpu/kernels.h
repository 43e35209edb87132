// kernels.h: the C++ entry points of the CPU library, one per op family, called only by jni.cpp.
// Plain pointers and sizes, no JNI types and no C++ library types (the library is built without
// exceptions and needs nothing from libstdc++, which keeps its glibc requirement low): each function lives in the .cpp of its op family
// (adam.cpp, sgd.cpp, ...) and applies the shared per-element math of include/convnet4j/ in an
// OpenMP loop, the same math the CUDA kernels in native/cuda/ apply per thread.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "convnet4j/adam.h"

namespace c4j::cpu {

// Below this many elements a loop runs on the calling thread: waking the OpenMP team costs a few
// microseconds, more than a 32k-element update (batch-norm parameters, small dense layers) takes.
constexpr int64_t kParallelMin = int64_t(1) << 15;

// relu_backward(y, dy) (dy where y > 0, else +0) as a bit mask on dy: the same result, NaN and
// infinities included, but GCC vectorizes the mask where it leaves the select scalar (measured in
// relu.cpp and in the fused batch-norm backward, where the select made it 1.7x slower).
inline float relu_backward_masked(float y, float dy) {
    const uint32_t keep = y > 0.0f ? 0xffffffffu : 0u;
    return __builtin_bit_cast(float, __builtin_bit_cast(uint32_t, dy) & keep);
}

// Writes a NUL-terminated line of at most cap bytes.
void build_info(char* out, size_t cap);
void philox4x32(const uint32_t counter[4], const uint32_t key[2], uint32_t out[4]);

void fill(float* dst, int64_t n, float value);
void adam(float* param, const float* grad, float* m, float* v, int64_t n, AdamStep step);
void sgd_momentum(float* param, const float* grad, float* velocity, int64_t n, float lr, float momentum);
// Clipping by global norm (clip_norm.cpp): the sum of x^2 in double, in a fixed order whatever the
// thread count; and x *= factor.
double sum_of_squares(const float* x, int64_t n);
void scale(float* x, int64_t n, float factor);
void moving_average(float* moving, const float* batch, int64_t n, float momentum);
void relu_forward(const float* x, float* y, int64_t n);
void relu_backward(const float* y, const float* dy, float* dx, int64_t n);
// Max pooling's NaN rule, after oneDNN's pass (whose max instruction drops a NaN): every output whose
// window holds a NaN becomes NaN. x is nc planes of h x w, y nc planes of oh x ow; returns whether x
// held any NaN (when it holds none, the one read of x is all this costs).
bool max_pool_propagate_nan(const float* x, float* y, int64_t nc, int h, int w, int oh, int ow, int kh, int kw,
                            int sh, int sw, int pad_top, int pad_left);
// Training batch norm over n x c x hw (NCHW): y = bn(x), relu(bn(x)) or, with a residual,
// relu(bn(x) + residual); and the batch mean and biased variance per channel.
void batch_norm_forward_training(const float* x, const float* gamma, const float* beta, const float* residual,
                                 bool relu, float* y, float* mean, float* variance, int64_t n, int64_t c, int64_t hw,
                                 float epsilon);
// dx, dgamma, dbeta (overwritten) from dy and the forward's x and saved statistics; with y (the
// fused forward's output) dy is masked by y > 0 first, and the masked gradient also goes to dresidual
// when that is not null.
void batch_norm_backward(const float* x, const float* y, const float* dy, const float* mean, const float* variance,
                         const float* gamma, float* dx, float* dresidual, float* dgamma, float* dbeta, int64_t n,
                         int64_t c, int64_t hw, float epsilon);
void dropout(const float* x, float* y, int64_t n, float rate, uint64_t seed, uint64_t step);

// BF16 variants (uint16_t storage, float math, round to nearest even on store) of the loops above,
// and the channels-last training batch norm (batch_norm_nhwc.cpp) over m = n*h*w rows of c channels,
// FP32 or BF16 as bf16_data says, with scratch of batch_norm_nhwc_scratch_bytes(c) bytes.
void fill_bf16(uint16_t* dst, int64_t n, float value);
void relu_forward_bf16(const uint16_t* x, uint16_t* y, int64_t n);
void relu_backward_bf16(const uint16_t* y, const uint16_t* dy, uint16_t* dx, int64_t n);
void dropout_bf16(const uint16_t* x, uint16_t* y, int64_t n, float rate, uint64_t seed, uint64_t step);
// Dropout over n x hw x c channels-last elements with the mask of their NCHW indices (layout-independent).
void dropout_nhwc(const void* x, void* y, int64_t n, int64_t c, int64_t hw, float rate, uint64_t seed, uint64_t step,
                  bool bf16_data);
bool max_pool_propagate_nan_any(const void* x, void* y, int64_t n, int64_t c, int h, int w, int oh, int ow, int kh,
                                int kw, int sh, int sw, int pad_top, int pad_left, bool nhwc, bool bf16_data);
int64_t batch_norm_nhwc_scratch_bytes(int64_t c);
// FP32 NCHW to NHWC (FP32 or BF16, rounded to nearest even) and back (layout.cpp).
void nchw_to_nhwc(const float* x, void* y, int64_t n, int64_t c, int64_t hw, bool bf16_data);

// quantize.cpp: q[i] = saturate(round_to_nearest_even(x[i] / scale)) into u8 [0, 255] or s8 [-128, 127].
void quantize_8bit(const float* x, void* q, int64_t n, float scale, bool is_unsigned);
void nhwc_to_nchw(const void* x, float* y, int64_t n, int64_t c, int64_t hw, bool bf16_data);
void batch_norm_forward_training_nhwc(const void* x, const float* gamma, const float* beta, const void* residual,
                                      bool relu, void* y, float* mean, float* variance, int64_t m, int64_t c,
                                      float epsilon, bool bf16_data, void* scratch);
void batch_norm_backward_nhwc(const void* x, const void* y, const void* dy, const float* mean, const float* variance,
                              const float* gamma, void* dx, void* dresidual, float* dgamma, float* dbeta, int64_t m,
                              int64_t c, float epsilon, bool bf16_data, void* scratch);

int first_bad_label(const int32_t* labels, int n, int classes);
// Both return weight * mean loss over the n rows. row_loss is caller-provided scratch of n floats:
// the library allocates nothing, so a C++ allocation failure can never reach the JVM.
float softmax_xent_sparse(const float* logits, const int32_t* labels, int n, int classes, float weight,
                          float* probs, float* dlogits, float* row_loss);
float softmax_xent_onehot(const float* logits, const float* targets, int n, int classes, float weight,
                          float* probs, float* dlogits, float* row_loss);

}  // namespace c4j::cpu
