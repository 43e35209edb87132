// softmax_xent.h: softmax fused with cross-entropy, one row of K logits at a time.
//
// Per row: p = exp(x - max) / sum(exp(x - max)) (subtracting the row max keeps exp from
// overflowing); loss = logsumexp(x) - x[label] for sparse labels, or sum_k t_k * (logsumexp - x_k)
// for one-hot/soft targets t, i.e. -log_softmax without ever forming log(p) (which would lose
// precision for small p); dlogits = scale * (p - t) with scale = weight / N. The probabilities and
// the gradient come out of one pass over the row; the mean over rows is the caller's reduction.
//
// The element helpers are shared by the serial row functions below (the CPU loops) and by the
// warp-per-row CUDA kernel, which replaces only the two row reductions with warp shuffles.
// A sparse label outside [0, K) yields a NaN loss and dlogits = scale * p: never an out-of-bounds
// read. Callers validate labels first (firstBadLabel) to report a proper error.
#pragma once

#include <math.h>

#include "convnet4j/hd.h"

namespace c4j {

C4J_HD float softmax_prob(float x, float row_max, float inv_sum) {
    return expf(x - row_max) * inv_sum;
}

C4J_HD float log_sum_exp(float row_max, float exp_sum) {
    return row_max + logf(exp_sum);
}

// One term of -sum(t * log_softmax(x)); a zero target contributes exactly 0 even where x = -inf.
C4J_HD float xent_term(float x, float target, float lse) {
    return target != 0.0f ? target * (lse - x) : 0.0f;
}

C4J_HD float xent_grad(float p, float target, float scale) {
    return scale * (p - target);
}

C4J_HD bool label_valid(int label, int classes) {
    return label >= 0 && label < classes;
}

C4J_HD float sparse_target(int k, int label) {
    return k == label ? 1.0f : 0.0f;
}

C4J_HD float row_max(const float* x, int classes) {
    float m = -INFINITY;
    for (int k = 0; k < classes; ++k) m = fmaxf(m, x[k]);
    return m;
}

C4J_HD float row_exp_sum(const float* x, int classes, float m) {
    float s = 0.0f;
    for (int k = 0; k < classes; ++k) s += expf(x[k] - m);
    return s;
}

// One row with a class index. probs and dlogits may be null (not written); the loss is read
// before anything is written, so either output may alias the logits row.
C4J_HD float xent_row_sparse(const float* x, int classes, int label, float scale, float* probs, float* dlogits) {
    float m = row_max(x, classes);
    float s = row_exp_sum(x, classes, m);
    float loss = label_valid(label, classes) ? log_sum_exp(m, s) - x[label] : NAN;
    float inv = 1.0f / s;
    for (int k = 0; k < classes; ++k) {
        float p = softmax_prob(x[k], m, inv);
        if (probs) probs[k] = p;
        if (dlogits) dlogits[k] = xent_grad(p, sparse_target(k, label), scale);
    }
    return loss;
}

// One row with a target distribution t (one-hot or soft labels), same contract as above.
C4J_HD float xent_row_onehot(const float* x, const float* t, int classes, float scale, float* probs, float* dlogits) {
    float m = row_max(x, classes);
    float s = row_exp_sum(x, classes, m);
    float lse = log_sum_exp(m, s);
    float inv = 1.0f / s;
    float loss = 0.0f;
    for (int k = 0; k < classes; ++k) {
        float xk = x[k];
        float tk = t[k];
        float p = softmax_prob(xk, m, inv);
        loss += xent_term(xk, tk, lse);
        if (probs) probs[k] = p;
        if (dlogits) dlogits[k] = xent_grad(p, tk, scale);
    }
    return loss;
}

}  // namespace c4j
