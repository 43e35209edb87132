package org.convnet4j.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.*;

import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;

/**
 * A compiled oneDNN primitive with one memory object per execution argument, created once per op and
 * shape and cached by the backend. Executing it only repoints the memory objects at the tensors'
 * addresses: no descriptor work and no allocation on the hot path.
 */
final class Primitive implements AutoCloseable {
    private final Dnnl dnnl;
    private final Object op;
    private final dnnl_primitive_desc pd;
    private final dnnl_primitive primitive = new dnnl_primitive();
    private final int[] args;
    private final dnnl_memory[] memories;
    private final dnnl_exec_arg_t execArgs;
    private final Address handle = new Address();

    /**
     * Takes ownership of {@code pd}. Memory descriptors come from the primitive descriptor itself,
     * except for arguments listed in {@code overrides} (pairs of arg, md), used where an argument is a
     * strided view the primitive would not report (concat's inputs, a sub-memory).
     */
    Primitive(Dnnl dnnl, Object op, dnnl_primitive_desc pd, int... args) {
        this(dnnl, op, pd, args, null);
    }

    Primitive(Dnnl dnnl, Object op, dnnl_primitive_desc pd, int[] args, dnnl_memory_desc[] mds) {
        this.dnnl = dnnl;
        this.op = op;
        this.pd = pd;
        this.args = args.clone();
        this.memories = new dnnl_memory[args.length];
        this.execArgs = new dnnl_exec_arg_t(args.length);
        try {
            Dnnl.check(dnnl_primitive_create(primitive, pd), "dnnl_primitive_create", op);
            for (int i = 0; i < args.length; i++) {
                dnnl_memory_desc md = mds != null && mds[i] != null ? mds[i]
                        : dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, args[i]);
                if (md == null || md.isNull()) {
                    throw new IllegalStateException("oneDNN primitive for " + op + " has no argument " + args[i]);
                }
                memories[i] = new dnnl_memory();
                Dnnl.check(dnnl_memory_create(memories[i], md, dnnl.engine, null), "dnnl_memory_create", op);
                execArgs.position(i).arg(args[i]).memory(memories[i]);
            }
            execArgs.position(0);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Bytes of the workspace this primitive asks for (max-pool indices, fused-relu masks), 0 if none. */
    long workspaceBytes() {
        dnnl_memory_desc md = dnnl_primitive_desc_query_md(pd, dnnl_query_workspace_md, 0);
        return md == null || md.isNull() ? 0 : dnnl_memory_desc_get_size(md);
    }

    /** Runs the primitive with argument i at {@code addresses[i]}, in the order given at creation. */
    void execute(long... addresses) {
        if (addresses.length != args.length) {
            throw new IllegalStateException("oneDNN " + op + ": " + args.length + " arguments expected, got " + addresses.length);
        }
        for (int i = 0; i < args.length; i++) {
            Dnnl.check(dnnl_memory_set_data_handle(memories[i], handle.set(addresses[i])), "dnnl_memory_set_data_handle", op);
        }
        Dnnl.check(dnnl_primitive_execute(primitive, dnnl.stream, args.length, execArgs), "dnnl_primitive_execute", op);
    }

    @Override
    public void close() {
        for (dnnl_memory m : memories) {
            if (m != null && !m.isNull()) {
                dnnl_memory_destroy(m);
                m.setNull();
            }
        }
        if (!primitive.isNull()) {
            dnnl_primitive_destroy(primitive);
            primitive.setNull();
        }
        if (pd != null && !pd.isNull()) {
            dnnl_primitive_desc_destroy(pd);
            pd.setNull();
        }
        execArgs.close();
    }
}
