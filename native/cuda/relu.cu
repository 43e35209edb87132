// relu.cu: c4j_relu_backward_f32, dx = dy * (y > 0) from the forward output
// (include/convnet4j/relu.h). Used where the ReLU is not fused into a cuDNN convolution; dx may
// equal dy (in place), so the pointers are not __restrict__.
#include "common.cuh"
#include "convnet4j/relu.h"

extern "C" __global__ void c4j_relu_backward_f32(const float* y, const float* dy, float* dx, int64_t n) {
    for (int64_t i = c4j::global_index(); i < n; i += c4j::grid_stride()) dx[i] = c4j::relu_backward(y[i], dy[i]);
}
