// sgd.h: one element of SGD with momentum in the Keras form (velocity holds the signed step,
// lr is applied before accumulation): velocity = momentum * velocity - lr * g; p += velocity.
#pragma once

#include "convnet4j/hd.h"

namespace c4j {

C4J_HD void sgd_momentum_update(float& p, float g, float& velocity, float lr, float momentum) {
    velocity = momentum * velocity - lr * g;
    p += velocity;
}

}  // namespace c4j
