// adam.h: one element of the Adam update as Keras computes it, with AdamW's decoupled weight decay.
// The bias correction of step t is folded by the caller into alpha = lr * sqrt(1 - beta2^t) /
// (1 - beta1^t) (Adam.stepSize in Java) and the decay into decay = lr * weight_decay, so the
// per-element work is the decay, two moment updates and one parameter update, and m and v are read
// and written exactly once.
#pragma once

#include <math.h>
#include <stdint.h>

#include "convnet4j/hd.h"

namespace c4j {

struct AdamStep {
    float alpha;  // bias-corrected step size of this step
    float beta1;
    float beta2;
    float epsilon;  // added to sqrt(v), as Keras does (not inside the square root)
    float decay;    // lr * weight_decay: AdamW's p -= decay * p; 0 for plain Adam
};

// AdamW (Loshchilov & Hutter) as Keras' AdamW and PyTorch's apply it: the decay shrinks the
// parameter before, and apart from, the gradient step, so it is not rescaled by 1 / sqrt(v) as an
// L2 term added to g would be. With decay 0 a finite p is unchanged (p - 0 * p is p).
C4J_HD void adam_update(float& p, float g, float& m, float& v, AdamStep s) {
    p -= s.decay * p;
    m = s.beta1 * m + (1.0f - s.beta1) * g;
    v = s.beta2 * v + (1.0f - s.beta2) * g * g;
    p -= s.alpha * m / (sqrtf(v) + s.epsilon);
}

// The multi-tensor form (c4j_adam_multi_f32) updates every parameter tensor in one launch over
// their concatenated index space: offsets holds the count + 1 prefix sums of the tensor sizes
// (offsets[0] = 0), and element i belongs to the tensor t with offsets[t] <= i < offsets[t + 1].
// The search keeps offsets[lo] <= i < offsets[hi], so it never ends on an empty tensor (equal
// neighbouring offsets). Needs 0 <= i < offsets[count].
C4J_HD int adam_tensor_of(const int64_t* offsets, int count, int64_t i) {
    int lo = 0, hi = count;  // offsets[lo] <= i < offsets[hi]
    while (hi - lo > 1) {
        const int mid = lo + (hi - lo) / 2;
        if (offsets[mid] <= i) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

}  // namespace c4j
