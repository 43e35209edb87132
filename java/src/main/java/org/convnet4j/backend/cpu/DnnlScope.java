package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.Pointer;
import org.convnet4j.tensor.Shape;

/**
 * The owner of the oneDNN handles made while one primitive is built: memory descriptors, attributes
 * and post-ops, primitive descriptors (hints included). Each is recorded once its create call has
 * succeeded and destroyed, newest first, when the scope closes, so a create that throws part way
 * leaves nothing behind and nothing is destroyed twice. A handle that outlives the scope (a primitive
 * descriptor handed to a {@link Primitive}, which then owns it) leaves through {@link #release}.
 * Destroyed handles are set to null. Closing twice does nothing the second time.
 */
final class DnnlScope implements AutoCloseable {
    private final Object op;
    private final List<Owned<?>> owned = new ArrayList<>();

    /** @param op what is being built, named in the error of any failing create call */
    DnnlScope(Object op) {
        this.op = op;
    }

    /** A plain (row-major over the shape as written) FP32 memory descriptor. */
    dnnl_memory_desc plain(Shape shape) {
        return plain(shape.dims());
    }

    dnnl_memory_desc plain(long[] dims) {
        return withTag(dims, Dnnl.plainTag(dims.length), dnnl_f32);
    }

    /** The descriptor of a tensor of {@code shape} stored in {@code format}. */
    dnnl_memory_desc of(Shape shape, Format format) {
        return of(shape.dims(), format);
    }

    dnnl_memory_desc of(long[] dims, Format format) {
        return withTag(dims, format.tag(dims.length), format.dataType());
    }

    dnnl_memory_desc withTag(long[] dims, int tag, int dataType) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        Dnnl.check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dataType, tag),
                "dnnl_memory_desc_create_with_tag", op);
        return memoryDesc(md);
    }

    /** An FP32 descriptor with explicit strides (a transpose read in place). */
    dnnl_memory_desc withStrides(long[] dims, long[] strides) {
        return withStrides(dims, strides, dnnl_f32);
    }

    /** As above in {@code dataType} (a oneDNN {@code dnnl_data_type_t}). */
    dnnl_memory_desc withStrides(long[] dims, long[] strides, int dataType) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        Dnnl.check(dnnl_memory_desc_create_with_strides(md, dims.length, dims, dataType, strides),
                "dnnl_memory_desc_create_with_strides", op);
        return memoryDesc(md);
    }

    /** A view of part of {@code parent}: sub-dimensions at offsets (concat split, zero-padding crop). */
    dnnl_memory_desc sub(dnnl_memory_desc parent, long[] dims, long[] offsets) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        Dnnl.check(dnnl_memory_desc_create_submemory(md, parent, dims, offsets), "dnnl_memory_desc_create_submemory", op);
        return memoryDesc(md);
    }

    /**
     * Attributes with a sum post-op ({@code dst = op(...) + dst}, the residual add) and/or a relu after
     * it, in that order; null (no attributes) when neither is asked.
     */
    dnnl_primitive_attr postOps(boolean sum, boolean relu) {
        if (!sum && !relu) {
            return null;
        }
        return attr(sum, relu);
    }

    /** As {@link #postOps}, but attributes even when neither is asked (to which scales are added). */
    dnnl_primitive_attr attr(boolean sum, boolean relu) {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        Dnnl.check(dnnl_primitive_attr_create(attr), "dnnl_primitive_attr_create", op);
        own(attr, a -> dnnl_primitive_attr_destroy(a));
        dnnl_post_ops po = new dnnl_post_ops();
        Dnnl.check(dnnl_post_ops_create(po), "dnnl_post_ops_create", op);
        own(po, p -> dnnl_post_ops_destroy(p));
        if (sum) {
            Dnnl.check(dnnl_post_ops_append_sum(po, 1f, 0, dnnl_data_type_undef), "dnnl_post_ops_append_sum", op);
        }
        if (relu) {
            Dnnl.check(dnnl_post_ops_append_eltwise(po, dnnl_eltwise_relu, 0f, 0f), "dnnl_post_ops_append_eltwise", op);
        }
        // The attributes keep their own copy of the post-ops.
        Dnnl.check(dnnl_primitive_attr_set_post_ops(attr, po), "dnnl_primitive_attr_set_post_ops", op);
        return attr;
    }

    /**
     * A primitive descriptor from {@code create}, which fills in the descriptor it is given and returns
     * the oneDNN status of {@code call}.
     */
    dnnl_primitive_desc primitiveDesc(String call, ToIntFunction<dnnl_primitive_desc> create) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        Dnnl.check(create.applyAsInt(pd), call, op);
        return primitiveDesc(pd);
    }

    /** Takes ownership of a primitive descriptor created elsewhere (concat's comes back through a pointer array). */
    dnnl_primitive_desc primitiveDesc(dnnl_primitive_desc pd) {
        return own(pd, p -> dnnl_primitive_desc_destroy(p));
    }

    /** Takes ownership of a JavaCPP pointer (an argument array), closed with the handles. */
    <T extends Pointer> T pointer(T p) {
        return own(p, Pointer::close);
    }

    private dnnl_memory_desc memoryDesc(dnnl_memory_desc md) {
        return own(md, m -> dnnl_memory_desc_destroy(m));
    }

    /**
     * Records {@code handle}, to be freed by {@code destroy} when the scope closes (after everything
     * recorded later). A null or null-address handle is not recorded: there is nothing to free.
     */
    <T> T own(T handle, Consumer<? super T> destroy) {
        if (handle == null || handle instanceof Pointer p && p.isNull()) {
            return handle;
        }
        owned.add(new Owned<>(handle, destroy));
        return handle;
    }

    /** Hands {@code handle} over to a new owner: this scope will not free it. */
    <T> T release(T handle) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            if (owned.get(i).handle == handle) {
                owned.remove(i);
                return handle;
            }
        }
        throw new IllegalStateException("oneDNN " + op + ": releasing a handle this scope does not own");
    }

    /** Frees every handle still owned, newest first; each is freed even if an earlier one fails. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.remove(i).free();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private record Owned<T>(T handle, Consumer<? super T> destroy) {
        void free() {
            destroy.accept(handle);
            if (handle instanceof Pointer p) {
                p.setNull();
            }
        }
    }
}
