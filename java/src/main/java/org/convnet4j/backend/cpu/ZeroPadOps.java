package org.convnet4j.backend.cpu;

import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.Tensor;

/** Zero padding: zero the output, then a reorder of x into its interior; backward crops the interior of dy. */
final class ZeroPadOps {
    /** The op, for tensors all stored in one format. */
    private record Key(ZeroPad2d op, Format format) {
    }

    private final PrimitiveCache.Table<Key, Primitive> forwardCache;
    private final PrimitiveCache.Table<Key, Primitive> backwardCache;

    ZeroPadOps(Dnnl dnnl, PrimitiveCache cache) {
        this.forwardCache = cache.table(k -> Reorders.intoWindow(dnnl, k.op(), k.op().input().dims(),
                k.op().outputShape().dims(), offsets(k.op()), k.format()));
        this.backwardCache = cache.table(k -> Reorders.fromWindow(dnnl, k.op(), k.op().input().dims(),
                k.op().outputShape().dims(), offsets(k.op()), k.format()));
    }

    void forward(ZeroPad2d op, Tensor x, Tensor y) {
        op.checkForward(x, y);
        Primitive p = forwardCache.get(new Key(op, Formats.same(ZeroPad2d.OP, x, y)));
        Formats.fill(y, 0f);
        p.execute(x.address(), y.address());
    }

    void backward(ZeroPad2d op, Tensor dy, Tensor dx) {
        op.checkBackward(dy, dx);
        Primitive p = backwardCache.get(new Key(op, Formats.same(ZeroPad2d.OP, dy, dx)));
        p.execute(dy.address(), dx.address());
    }

    private static long[] offsets(ZeroPad2d op) {
        return new long[] {0, 0, op.pads().top(), op.pads().left()};
    }
}
