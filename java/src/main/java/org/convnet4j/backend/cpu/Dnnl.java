package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.dnnl.global.dnnl;
import org.convnet4j.backend.DnnlException;
import org.convnet4j.tensor.Shape;

/**
 * The oneDNN engine and stream of one CPU backend, and the single place where every oneDNN status is
 * checked. oneDNN's C API reports a status code and no message string (its reasons go to its verbose
 * log), so the exception carries the status name, the call, the op with its shapes, and how to get
 * the library's own explanation.
 */
final class Dnnl implements AutoCloseable {
    static {
        Loader.load(dnnl.class);
    }

    private static final String[] STATUS = {
        "dnnl_success", "dnnl_out_of_memory", "dnnl_invalid_arguments", "dnnl_unimplemented",
        "dnnl_last_impl_reached", "dnnl_runtime_error", "dnnl_not_required", "dnnl_invalid_graph",
        "dnnl_invalid_graph_op", "dnnl_invalid_shape", "dnnl_invalid_data_type",
    };

    final dnnl_engine engine = new dnnl_engine();
    final dnnl_stream stream = new dnnl_stream();

    Dnnl() {
        check(dnnl_engine_create(engine, dnnl_cpu, 0), "dnnl_engine_create", "cpu engine");
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), "dnnl_stream_create", "cpu stream");
    }

    /** Raises a DnnlException unless {@code status} is dnnl_success. */
    static void check(int status, String call, Object op) {
        if (status != dnnl_success) {
            String name = status >= 0 && status < STATUS.length ? STATUS[status] : "status " + status;
            throw new DnnlException(call, status, name,
                    "run with ONEDNN_VERBOSE=all for oneDNN's reason", op);
        }
    }

    /** A plain (row-major over the shape as written) FP32 memory descriptor; the caller destroys it. */
    static dnnl_memory_desc plain(Shape shape, Object op) {
        return plain(shape.dims(), op);
    }

    static dnnl_memory_desc plain(long[] dims, Object op) {
        return withTag(dims, plainTag(dims.length), dnnl_f32, op);
    }

    static dnnl_memory_desc withTag(long[] dims, int tag, int dataType, Object op) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, dataType, tag),
                "dnnl_memory_desc_create_with_tag", op);
        return md;
    }

    static dnnl_memory_desc withStrides(long[] dims, long[] strides, Object op) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_strides(md, dims.length, dims, dnnl_f32, strides),
                "dnnl_memory_desc_create_with_strides", op);
        return md;
    }

    /** A view of part of {@code parent}: sub-dimensions at offsets (concat split, zero-padding crop). */
    static dnnl_memory_desc sub(dnnl_memory_desc parent, long[] dims, long[] offsets, Object op) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_submemory(md, parent, dims, offsets), "dnnl_memory_desc_create_submemory", op);
        return md;
    }

    /** Attributes holding one relu post-op; the caller destroys them. */
    static dnnl_primitive_attr reluPostOp(Object op) {
        return postOps(false, true, op);
    }

    /**
     * Attributes with a sum post-op ({@code dst = op(...) + dst}, the residual add) and/or a relu after
     * it, in that order; null when neither is asked. The caller destroys them.
     */
    static dnnl_primitive_attr postOps(boolean sum, boolean relu, Object op) {
        if (!sum && !relu) {
            return null;
        }
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "dnnl_primitive_attr_create", op);
        dnnl_post_ops po = new dnnl_post_ops();
        try {
            check(dnnl_post_ops_create(po), "dnnl_post_ops_create", op);
            if (sum) {
                check(dnnl_post_ops_append_sum(po, 1f, 0, dnnl_data_type_undef), "dnnl_post_ops_append_sum", op);
            }
            if (relu) {
                check(dnnl_post_ops_append_eltwise(po, dnnl_eltwise_relu, 0f, 0f), "dnnl_post_ops_append_eltwise", op);
            }
            check(dnnl_primitive_attr_set_post_ops(attr, po), "dnnl_primitive_attr_set_post_ops", op);
        } catch (RuntimeException e) {
            dnnl_primitive_attr_destroy(attr);
            throw e;
        } finally {
            if (!po.isNull()) {
                dnnl_post_ops_destroy(po);
            }
        }
        return attr;
    }

    static int plainTag(int rank) {
        return switch (rank) {
            case 1 -> dnnl_a;
            case 2 -> dnnl_ab;
            case 3 -> dnnl_abc;
            case 4 -> dnnl_abcd;
            case 5 -> dnnl_abcde;
            default -> throw new IllegalArgumentException("oneDNN: no plain layout for rank " + rank);
        };
    }

    static void destroy(dnnl_memory_desc... mds) {
        for (dnnl_memory_desc md : mds) {
            if (md != null && !md.isNull()) {
                dnnl_memory_desc_destroy(md);
            }
        }
    }

    void await(Object op) {
        check(dnnl_stream_wait(stream), "dnnl_stream_wait", op);
    }

    @Override
    public void close() {
        if (!stream.isNull()) {
            dnnl_stream_destroy(stream);
            stream.setNull();
        }
        if (!engine.isNull()) {
            dnnl_engine_destroy(engine);
            engine.setNull();
        }
    }
}
