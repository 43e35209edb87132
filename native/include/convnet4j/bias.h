// bias.h: the per-channel bias add and optional relu that follow a cuDNN convolution (channel =
// (i / (H*W)) % C) or a cuBLAS dense layer (H*W = 1), in one pass over y instead of two.
#pragma once

#include "convnet4j/hd.h"
#include "convnet4j/relu.h"

namespace c4j {

C4J_HD float bias_act(float y, float bias, bool with_relu) {
    const float v = y + bias;
    return with_relu ? relu(v) : v;
}

}  // namespace c4j
