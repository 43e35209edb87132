package org.convnet4j.onnx;

import org.convnet4j.onnx.proto.Onnx.AttributeProto;
import org.convnet4j.ops.Padding;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Size2;

/**
 * The border of a Conv or pooling node in both directions. ONNX writes 2-D pads as
 * [top, left, bottom, right] (all begins, then all ends); we write every padding rule resolved to
 * explicit pads for the layer's input size, so TensorFlow's 'same' (the odd row at the bottom) needs
 * no auto_pad. Import reads explicit pads, every auto_pad and ceil_mode.
 */
final class OnnxPads {
    private OnnxPads() {
    }

    static AttributeProto attribute(Pads p) {
        return Attributes.ints("pads", p.top(), p.left(), p.bottom(), p.right());
    }

    /** The pads a node's pads and auto_pad attributes give over an input of h x w. */
    static Pads read(OnnxNode n, long h, long w, Size2 window, Size2 stride) {
        String auto = n.string("auto_pad", "NOTSET");
        boolean explicit = n.hasAttribute("pads");
        long[] p = n.ints("pads", new long[] {0, 0, 0, 0});
        if (!auto.equals("NOTSET") && explicit) {
            throw n.error("auto_pad " + auto + " and pads are both given");
        }
        switch (auto) {
            case "NOTSET" -> {
                if (p.length != 4) {
                    throw n.error("expected 4 pads for a 2-D window. Received " + ImportGraph.dims(p));
                }
                for (long v : p) {
                    if (v < 0 || v > Integer.MAX_VALUE) {
                        throw n.error("pads must be non-negative. Received " + ImportGraph.dims(p));
                    }
                }
                return new Pads((int) p[0], (int) p[2], (int) p[1], (int) p[3]);
            }
            case "VALID" -> {
                return Pads.NONE;
            }
            case "SAME_UPPER" -> {
                return Padding.SAME.resolve(h, w, window, stride);
            }
            case "SAME_LOWER" -> {
                Pads upper = Padding.SAME.resolve(h, w, window, stride);
                return new Pads(upper.bottom(), upper.top(), upper.right(), upper.left());
            }
            default -> throw n.error("auto_pad must be NOTSET, VALID, SAME_UPPER or SAME_LOWER. Received " + auto);
        }
    }

    /**
     * ceil_mode=1 (PyTorch's ceil_mode=True) as extra rows and columns at the bottom and right, so the
     * floor arithmetic our pooling uses gives the ceiling's output size. Exact: max pooling never picks
     * a padded cell, and average pooling that does not count padding does not count these either. A
     * window that would start inside the bottom or right padding is refused: runtimes disagree there.
     */
    static Pads ceil(OnnxNode n, Pads p, long h, long w, Size2 window, Size2 stride) {
        int bottom = extra(n, h, p.top(), p.bottom(), window.h(), stride.h());
        int right = extra(n, w, p.left(), p.right(), window.w(), stride.w());
        return new Pads(p.top(), p.bottom() + bottom, p.left(), p.right() + right);
    }

    private static int extra(OnnxNode n, long in, int before, int after, int k, int s) {
        long span = in + before + after - k;
        if (span < 0) {
            return 0;
        }
        long out = (span + s - 1) / s + 1;
        if ((out - 1) * s >= in + before) {
            throw n.error("with ceil_mode=1 the last window would start in the padding (input " + in + ", window " + k
                    + ", stride " + s + ", pads " + before + "+" + after + "); runtimes differ there, so it is not imported");
        }
        return (int) ((out - 1) * s + k - (in + before + after));
    }
}
