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

int first_bad_label(const int32_t* labels, int n, int classes);
// Both return weight * mean loss over the n rows. row_loss is caller-provided scratch of n floats:
// the library allocates nothing, so a C++ allocation failure can never reach the JVM.
float softmax_xent_sparse(const float* logits, const int32_t* labels, int n, int classes, float weight,
                          float* probs, float* dlogits, float* row_loss);
float softmax_xent_onehot(const float* logits, const float* targets, int n, int classes, float weight,
                          float* probs, float* dlogits, float* row_loss);

}  // namespace c4j::cpu
