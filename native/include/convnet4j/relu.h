// relu.h: ReLU, and its backward mask taken from the forward output y instead of the input x
// (y > 0 exactly where x > 0), so the backward pass needs only tensors the graph keeps anyway and
// can run in place over dy.
#pragma once

#include "convnet4j/hd.h"

namespace c4j {

// A NaN stays NaN (as in oneDNN's relu), where fmaxf(v, 0) would turn it into 0.
C4J_HD float relu(float v) {
    return v < 0.0f ? 0.0f : v;
}

C4J_HD float relu_backward(float y, float dy) {
    return y > 0.0f ? dy : 0.0f;
}

}  // namespace c4j
