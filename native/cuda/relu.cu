// relu.cu: c4j_relu_backward_<type>, dx = dy * (y > 0) from the forward output
// (include/convnet4j/relu.h), for float, bfloat16 and half activations (computed in float). Used
// where the ReLU is not fused into a cuDNN convolution; dx may equal dy (in place), so the pointers
// are not __restrict__.
#include "common.cuh"
#include "convnet4j/relu.h"

namespace {
template <typename T>
__device__ void relu_backward(const T* y, const T* dy, T* dx, int64_t n) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride())
        dx[i] = c4j::store<T>(c4j::relu_backward(c4j::load(y[i]), c4j::load(dy[i])));
}
}  // namespace

extern "C" __global__ void c4j_relu_backward_f32(const float* y, const float* dy, float* dx, int64_t n) {
    relu_backward(y, dy, dx, n);
}

extern "C" __global__ void c4j_relu_backward_bf16(const __nv_bfloat16* y, const __nv_bfloat16* dy, __nv_bfloat16* dx,
                                                  int64_t n) {
    relu_backward(y, dy, dx, n);
}

extern "C" __global__ void c4j_relu_backward_f16(const __half* y, const __half* dy, __half* dx, int64_t n) {
    relu_backward(y, dy, dx, n);
}
