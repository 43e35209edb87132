package org.convnet4j.backend.cpu;

import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.Tensor;

/** Zero padding: zero the output, then a reorder of x into its interior; backward crops the interior of dy. */
final class ZeroPadOps {
    private final Dnnl dnnl;
    private final PrimitiveCache cache;

    ZeroPadOps(Dnnl dnnl, PrimitiveCache cache) {
        this.dnnl = dnnl;
        this.cache = cache;
    }

    void forward(ZeroPad2d op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        Primitive p = cache.get(new Key("zero_pad_fwd", op, false),
                () -> Reorders.intoWindow(dnnl, op, op.input().dims(), op.outputShape().dims(), offsets(op)));
        CpuKernels.fill(y.address(), y.size(), 0f);
        p.execute(x.address(), y.address());
    }

    void backward(ZeroPad2d op, Tensor dy, Tensor dx) {
        op.checkBackward(dy, dx);
        Primitive p = cache.get(new Key("zero_pad_bwd", op, false),
                () -> Reorders.fromWindow(dnnl, op, op.input().dims(), op.outputShape().dims(), offsets(op)));
        p.execute(dy.address(), dx.address());
    }

    private static long[] offsets(ZeroPad2d op) {
        return new long[] {0, 0, op.pads().top(), op.pads().left()};
    }
}
