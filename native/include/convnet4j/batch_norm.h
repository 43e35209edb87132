// batch_norm.h: the per-element and per-channel math of batch normalization over axis 1 of an
// N x C x H x W (or N x C) tensor, in Keras' convention: training normalizes with the batch mean
// and the biased batch variance, and both moving statistics follow moving_average.h with the biased
// estimate. The CUDA kernels (cuda/batch_norm.cu) reduce per channel and call these per element.
#pragma once

#include <math.h>

#include "convnet4j/hd.h"

namespace c4j {

// 1 / sqrt(var + eps). On the GPU the hardware reciprocal square root (at most 2 ulp off): the
// elementwise passes evaluate it per element, where a correctly rounded sqrt and division would cost
// more than the memory traffic. The host form is the correctly rounded one.
C4J_HD float bn_inv_std(float var, float eps) {
#ifdef __CUDA_ARCH__
    return rsqrtf(var + eps);
#else
    return 1.0f / sqrtf(var + eps);
#endif
}

struct BnMoments {
    float mean;
    float var;  // biased: divided by the count, not count - 1
};

// The batch statistics of one channel from sums of d = x - shift over its `count` values, where
// shift is any one of them (the kernels take the channel's first). Shifting makes the one-pass
// variance E[d^2] - E[d]^2 immune to cancellation when the mean is large against the spread; the
// sums are in double. Rounding can still leave a tiny negative variance, which is clamped to 0.
C4J_HD BnMoments bn_moments(double shift, double sum_d, double sum_d2, double count) {
    const double mean_d = sum_d / count;
    const double var = sum_d2 / count - mean_d * mean_d;
    return {(float)(shift + mean_d), (float)(var > 0.0 ? var : 0.0)};
}

// y = gamma * (x - mean) * inv_std + beta, plus the residual (0 when there is none), then the
// relu when one is fused.
C4J_HD float bn_forward(float x, float mean, float inv_std, float gamma, float beta, float residual, bool with_relu) {
    const float v = gamma * ((x - mean) * inv_std) + beta + residual;
    return with_relu && v < 0.0f ? 0.0f : v;  // a NaN stays NaN, as in relu.h
}

// dx of one element given g (dy, already masked by a fused relu), xhat = (x - mean) * inv_std,
// scale = gamma * inv_std, and the channel's sums divided by the count m = N*H*W:
// dx = gamma * inv_std * (g - dbeta/m - xhat * dgamma/m), where dbeta = sum g, dgamma = sum g * xhat.
C4J_HD float bn_backward_dx(float g, float xhat, float scale, float dbeta_over_m, float dgamma_over_m) {
    return scale * (g - dbeta_over_m - xhat * dgamma_over_m);
}

// The biased batch variance back from cuDNN's saved inverse standard deviation
// 1 / sqrt(var + eps), in double so that only cuDNN's own rounding remains. Clamped at 0: where
// var is far below eps the subtraction can round below it.
C4J_HD float bn_var_from_inv_std(float inv_std, float eps) {
    const double v = 1.0 / ((double)inv_std * (double)inv_std) - (double)eps;
    return (float)(v > 0.0 ? v : 0.0);
}

}  // namespace c4j
