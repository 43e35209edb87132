package org.convnet4j.tensor;

/**
 * Physical order of a rank-4 activation tensor. Shapes are always written N, C, H, W whatever the
 * layout; the layout only says how elements sit in memory. Every primitive today takes NCHW; NHWC is
 * named so that a backend can opt into it without changing the shape algebra.
 */
public enum Layout {
    /** Row-major over the shape as written (for rank 4: N, C, H, W). */
    NCHW,
    /** Channels innermost: the order oneDNN's brgemm convolutions read and write. */
    NHWC
}
