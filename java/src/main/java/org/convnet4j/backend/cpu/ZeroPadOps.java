package org.convnet4j.backend.cpu;

import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.Tensor;

/** Zero padding: zero the output, then a reorder of x into its interior; backward crops the interior of dy. */
final class ZeroPadOps {
    private final PrimitiveCache.Table<ZeroPad2d, Primitive> forwardCache;
    private final PrimitiveCache.Table<ZeroPad2d, Primitive> backwardCache;

    ZeroPadOps(Dnnl dnnl, PrimitiveCache cache) {
        this.forwardCache = cache.table(
                op -> Reorders.intoWindow(dnnl, op, op.input().dims(), op.outputShape().dims(), offsets(op)));
        this.backwardCache = cache.table(
                op -> Reorders.fromWindow(dnnl, op, op.input().dims(), op.outputShape().dims(), offsets(op)));
    }

    void forward(ZeroPad2d op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        Primitive p = forwardCache.get(op);
        CpuKernels.fill(y.address(), y.size(), 0f);
        p.execute(x.address(), y.address());
    }

    void backward(ZeroPad2d op, Tensor dy, Tensor dx) {
        op.checkBackward(dy, dx);
        Primitive p = backwardCache.get(op);
        p.execute(dy.address(), dx.address());
    }

    private static long[] offsets(ZeroPad2d op) {
        return new long[] {0, 0, op.pads().top(), op.pads().left()};
    }
}
