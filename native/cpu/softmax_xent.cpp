// softmax_xent.cpp: softmax + cross-entropy over N rows (include/convnet4j/softmax_xent.h), with
// rows spread over OpenMP threads, and label validation.
//
// The mean loss is summed serially in row order from a per-row buffer, in double: an OpenMP
// reduction would add thread partials in whatever order threads finish, and golden-loss tests need
// the same bits on every run and every thread count.
#include "convnet4j/softmax_xent.h"

#include "kernels.h"

namespace c4j::cpu {

int first_bad_label(const int32_t* labels, int n, int classes) {
    for (int i = 0; i < n; ++i) {
        if (!label_valid(labels[i], classes)) return i;
    }
    return -1;
}

namespace {

float weighted_mean(const float* row_loss, int n, float weight) {
    double sum = 0.0;
    for (int r = 0; r < n; ++r) sum += row_loss[r];
    return (float)(weight * sum / n);
}

float* row(float* base, int r, int classes) {
    return base ? base + (int64_t)r * classes : nullptr;
}

}  // namespace

float softmax_xent_sparse(const float* logits, const int32_t* labels, int n, int classes, float weight,
                          float* probs, float* dlogits, float* row_loss) {
    if (n <= 0) return 0.0f;
    const float scale = weight / (float)n;
#pragma omp parallel for schedule(static) if ((int64_t)n * classes >= kParallelMin)
    for (int r = 0; r < n; ++r) {
        row_loss[r] = xent_row_sparse(logits + (int64_t)r * classes, classes, labels[r], scale,
                                      row(probs, r, classes), row(dlogits, r, classes));
    }
    return weighted_mean(row_loss, n, weight);
}

float softmax_xent_onehot(const float* logits, const float* targets, int n, int classes, float weight,
                          float* probs, float* dlogits, float* row_loss) {
    if (n <= 0) return 0.0f;
    const float scale = weight / (float)n;
#pragma omp parallel for schedule(static) if ((int64_t)n * classes >= kParallelMin)
    for (int r = 0; r < n; ++r) {
        int64_t off = (int64_t)r * classes;
        row_loss[r] = xent_row_onehot(logits + off, targets + off, classes, scale,
                                      row(probs, r, classes), row(dlogits, r, classes));
    }
    return weighted_mean(row_loss, n, weight);
}

}  // namespace c4j::cpu
