// moving_average.h: the batch-norm running statistics update in the Keras convention, where
// momentum is the weight of the old value (0.99 by default), not of the new batch statistic.
#pragma once

#include "convnet4j/hd.h"

namespace c4j {

C4J_HD float moving_average(float moving, float batch, float momentum) {
    return moving * momentum + batch * (1.0f - momentum);
}

}  // namespace c4j
