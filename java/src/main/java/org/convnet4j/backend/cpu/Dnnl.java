package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_stream;
import org.convnet4j.nativelib.OpenMp;
import org.bytedeco.dnnl.global.dnnl;
import org.convnet4j.backend.DnnlException;

/**
 * The oneDNN engine and stream of one CPU backend, and the single place where every oneDNN status is
 * checked. oneDNN's C API reports a status code and no message string (its reasons go to its verbose
 * log), so the exception carries the status name, the call, the op with its shapes, and how to get
 * the library's own explanation. Descriptors are made and freed by a {@link DnnlScope}.
 */
final class Dnnl implements AutoCloseable {
    static {
        OpenMp.load(); // settles the thread count and wait policy, then loads oneDNN
    }

    private static final String[] STATUS = {
        "dnnl_success", "dnnl_out_of_memory", "dnnl_invalid_arguments", "dnnl_unimplemented",
        "dnnl_last_impl_reached", "dnnl_runtime_error", "dnnl_not_required", "dnnl_invalid_graph",
        "dnnl_invalid_graph_op", "dnnl_invalid_shape", "dnnl_invalid_data_type",
    };

    final dnnl_engine engine = new dnnl_engine();
    /**
     * Format-changing reorders of activations and their gradients run so far (a {@link Staged}
     * primitive's argument in a layout or type other than its tensor's, or a {@code convert}): what a
     * plan that keeps activations in the kernels' own format saves, counted so that a test can hold the
     * number per step down.
     */
    final java.util.concurrent.atomic.LongAdder reorders = new java.util.concurrent.atomic.LongAdder();
    /** The same for weights and weight gradients (FP32 OIHW masters into a kernel's blocked or BF16 copy, and back). */
    final java.util.concurrent.atomic.LongAdder weightReorders = new java.util.concurrent.atomic.LongAdder();
    /** Type-only conversions of activations, same layout: FP32 features rounded to a BF16 dense layer's matmul inputs. */
    final java.util.concurrent.atomic.LongAdder conversions = new java.util.concurrent.atomic.LongAdder();
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

    /** oneDNN's plain (row-major) format tag for a rank. */
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
