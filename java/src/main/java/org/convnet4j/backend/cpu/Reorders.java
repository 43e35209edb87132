package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * Copies between a plain tensor and a rectangular window of a larger plain tensor (the channel range
 * of a concat output, the interior of a zero-padded image), as oneDNN reorders over sub-memory
 * descriptors: strided copies with no intermediate buffer.
 */
final class Reorders {
    private Reorders() {
    }

    /**
     * A reorder from {@code from} to {@code to}; the caller keeps ownership of both descriptors.
     * The memory objects take the descriptors as given, so a sub-memory's offset rides in the
     * descriptor and the data handle stays the base address of the whole tensor.
     */
    static Primitive build(Dnnl dnnl, Object op, dnnl_memory_desc from, dnnl_memory_desc to) {
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_primitive_desc pd = s.primitiveDesc("dnnl_reorder_primitive_desc_create",
                    p -> dnnl_reorder_primitive_desc_create(p, from, dnnl.engine, to, dnnl.engine, null));
            return new Primitive(dnnl, op, s.release(pd), new int[] {DNNL_ARG_FROM, DNNL_ARG_TO},
                    new dnnl_memory_desc[] {from, to});
        }
    }

    /** A tensor of {@code dims} into the window at {@code offsets} of a tensor of {@code outer}, both stored in {@code f}. */
    static Primitive intoWindow(Dnnl dnnl, Object op, long[] dims, long[] outer, long[] offsets, Format f) {
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc part = s.of(dims, f);
            dnnl_memory_desc window = s.sub(s.of(outer, f), dims, offsets);
            return build(dnnl, op, part, window);
        }
    }

    /** The window at {@code offsets} of a tensor of {@code outer} out to a tensor of {@code dims}, both stored in {@code f}. */
    static Primitive fromWindow(Dnnl dnnl, Object op, long[] dims, long[] outer, long[] offsets, Format f) {
        try (DnnlScope s = new DnnlScope(op)) {
            dnnl_memory_desc part = s.of(dims, f);
            dnnl_memory_desc window = s.sub(s.of(outer, f), dims, offsets);
            return build(dnnl, op, window, part);
        }
    }

    /** A whole tensor of {@code dims} from one format into another (a layout change, a type conversion). */
    static Primitive convert(Dnnl dnnl, Object op, long[] dims, Format from, Format to) {
        try (DnnlScope s = new DnnlScope(op)) {
            return build(dnnl, op, s.of(dims, from), s.of(dims, to));
        }
    }
}
