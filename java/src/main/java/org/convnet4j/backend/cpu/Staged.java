package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.convnet4j.memory.Block;
import org.convnet4j.memory.MemoryPool;

/**
 * A primitive whose arguments may live in layouts oneDNN picked for speed ({@code format_tag_any}:
 * blocked nChw16c activations, OIhw16i16o weights) while our tensors stay plain NCHW/OIHW.
 *
 * <p>Why: with plain NCHW on every argument oneDNN has only its reference convolution (about 1
 * GFLOP/s here); with its own layouts the JIT kernels run at tens to hundreds of GFLOP/s, and a
 * reorder costs one pass over memory. Inputs are reordered into pooled scratch before the primitive
 * runs and outputs back after; arguments whose chosen layout already is the plain one pass straight
 * through. The scratch comes from the memory pool, so steady state makes no native allocation.
 */
final class Staged implements AutoCloseable {
    private final Dnnl dnnl;
    private final Primitive core;
    private final Primitive[] reorders;
    private final long[] scratchBytes;
    private final boolean[] output;
    private final boolean[] weight;
    private final boolean conversions;

    /**
     * Takes ownership of {@code pd}, also when it throws: the core primitive owns it from the start,
     * and a reorder that fails to build closes the core and the reorders built before it.
     *
     * @param user   per argument, the plain descriptor our tensor has (null: no reorder possible or needed);
     *               owned by the caller
     * @param output per argument, whether the primitive writes it
     */
    Staged(Dnnl dnnl, Object op, dnnl_primitive_desc pd, int[] args, dnnl_memory_desc[] user, boolean[] output) {
        this(dnnl, op, pd, args, user, output, weightArgs(args), false);
    }

    /**
     * As above with the weight arguments named ({@code weight}: a matmul's WEIGHTS argument may be an
     * activation gradient); with {@code conversions} the reorders of the other arguments are counted as
     * type conversions ({@link Dnnl#conversions}: FP32 features rounded to a BF16 matmul's inputs)
     * rather than as layout reorders.
     */
    Staged(Dnnl dnnl, Object op, dnnl_primitive_desc pd, int[] args, dnnl_memory_desc[] user, boolean[] output,
           boolean[] weight, boolean conversions) {
        this.dnnl = dnnl;
        this.conversions = conversions;
        this.output = output.clone();
        this.weight = weight.clone();
        this.reorders = new Primitive[args.length];
        this.scratchBytes = new long[args.length];
        this.core = new Primitive(dnnl, op, pd, args);
        try {
            for (int i = 0; i < args.length; i++) {
                dnnl_memory_desc chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, args[i]);
                if (user[i] != null && dnnl_memory_desc_equal(chosen, user[i]) == 0) {
                    reorders[i] = output[i] ? Reorders.build(dnnl, op, chosen, user[i])
                            : Reorders.build(dnnl, op, user[i], chosen);
                    scratchBytes[i] = dnnl_memory_desc_get_size(chosen);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static boolean[] weightArgs(int[] args) {
        boolean[] weight = new boolean[args.length];
        for (int i = 0; i < args.length; i++) {
            weight[i] = args[i] == DNNL_ARG_WEIGHTS || args[i] == DNNL_ARG_DIFF_WEIGHTS;
        }
        return weight;
    }

    void execute(MemoryPool pool, long... addresses) {
        Block[] scratch = new Block[addresses.length];
        long[] inner = addresses.clone();
        try {
            for (int i = 0; i < addresses.length; i++) {
                if (reorders[i] != null) {
                    scratch[i] = pool.allocate(scratchBytes[i]);
                    inner[i] = scratch[i].address();
                    if (!output[i]) {
                        reorders[i].execute(addresses[i], inner[i]);
                        count(i);
                    }
                }
            }
            core.execute(inner);
            for (int i = 0; i < addresses.length; i++) {
                if (reorders[i] != null && output[i]) {
                    reorders[i].execute(inner[i], addresses[i]);
                    count(i);
                }
            }
        } finally {
            for (Block b : scratch) {
                if (b != null) {
                    b.close();
                }
            }
        }
    }

    /** Bytes of the core primitive's workspace (max-pool indices), 0 if none. */
    long workspaceBytes() {
        return core.workspaceBytes();
    }

    private void count(int arg) {
        (weight[arg] ? dnnl.weightReorders : conversions ? dnnl.conversions : dnnl.reorders).increment();
    }

    @Override
    public void close() {
        core.close();
        for (Primitive r : reorders) {
            if (r != null) {
                r.close();
            }
        }
    }
}
