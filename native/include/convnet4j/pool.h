// pool.h: the window arithmetic of 2-D max and average pooling with explicit, possibly asymmetric
// padding (TensorFlow's 'same', which cuDNN's symmetric padding cannot express), written once for
// the forward (which input cells a window covers) and for the gather-form backward (which windows
// cover an input cell).
//
// Keras' border rule, as the float64 oracle PoolReference has it: a window only ever sees real
// cells, so padding never wins a max and never counts in an average. Output o of a dimension
// covers inputs [o*stride - pad, o*stride - pad + k) clipped to [0, size); Pool2d keeps every pad
// smaller than its window, so no window is empty.
#pragma once

#include <stdint.h>

#include "convnet4j/hd.h"

namespace c4j {

struct Range {
    int begin;
    int end;  // exclusive
};

// The input cells under output o along one dimension, clipped to the image.
C4J_HD Range pool_window(int o, int stride, int pad, int k, int size) {
    const int start = o * stride - pad;
    return {start > 0 ? start : 0, start + k < size ? start + k : size};
}

// The outputs along one dimension whose windows contain input cell i:
// o*stride - pad <= i < o*stride - pad + k, that is ceil((i + pad - k + 1) / stride) <= o <=
// floor((i + pad) / stride), clipped to [0, out). Empty (begin >= end) when no window reaches i.
C4J_HD Range pool_windows_over(int i, int stride, int pad, int k, int out) {
    const int first = i + pad - k + 1;
    const int begin = first > 0 ? (first + stride - 1) / stride : 0;
    const int last = (i + pad) / stride + 1;
    return {begin, last < out ? last : out};
}

struct PoolGeometry {
    int h, w;    // input plane
    int oh, ow;  // output plane
    int kh, kw;  // window
    int sh, sw;  // stride
    int top, left;  // padding before the first row and column (bottom and right follow from oh, ow)

    C4J_HD Range rows(int oy) const { return pool_window(oy, sh, top, kh, h); }
    C4J_HD Range cols(int ox) const { return pool_window(ox, sw, left, kw, w); }
    C4J_HD Range windows_over_row(int iy) const { return pool_windows_over(iy, sh, top, kh, oh); }
    C4J_HD Range windows_over_col(int ix) const { return pool_windows_over(ix, sw, left, kw, ow); }
};

// Real cells under a window: what an average divides by.
C4J_HD int pool_count(Range rows, Range cols) {
    return (rows.end - rows.begin) * (cols.end - cols.begin);
}

// The cell max pooling picks, as an offset iy * w + ix into the plane: the first maximum in
// row-major order within the window (strict >, as PoolReference.argMax), so a tie goes to the
// earliest cell. A NaN wins over any number, and the first NaN stays (as cuDNN with
// CUDNN_PROPAGATE_NAN): a window holding a NaN pools to NaN, whatever cell it sits in.
// Plane is a const float* into an NCHW plane, or any type whose [cell] reads that cell as a float
// (the CUDA kernels' strided view of one channel of an NHWC image).
template <class Plane>
C4J_HD int64_t pool_argmax(const Plane& plane, int w, Range rows, Range cols) {
    int64_t best = (int64_t)rows.begin * w + cols.begin;
    float best_value = plane[best];
    for (int iy = rows.begin; iy < rows.end; ++iy) {
        for (int ix = cols.begin; ix < cols.end; ++ix) {
            const int64_t at = (int64_t)iy * w + ix;
            const float v = plane[at];
            if (v > best_value || (v != v && best_value == best_value)) {
                best = at;
                best_value = v;
            }
        }
    }
    return best;
}

// Sum of the window's cells, in float: a pooling window holds a handful of values.
template <class Plane>
C4J_HD float pool_sum(const Plane& plane, int w, Range rows, Range cols) {
    float s = 0.0f;
    for (int iy = rows.begin; iy < rows.end; ++iy) {
        for (int ix = cols.begin; ix < cols.end; ++ix) s += plane[(int64_t)iy * w + ix];
    }
    return s;
}

}  // namespace c4j
