package org.convnet4j.keras;

import org.convnet4j.graph.Node;
import org.convnet4j.graph.ParamRef;
import org.convnet4j.graph.layers.Activation;
import org.convnet4j.graph.layers.Conv2D;
import org.convnet4j.graph.layers.Dense;
import org.convnet4j.graph.layers.Dropout;
import org.convnet4j.graph.layers.Flatten;
import org.convnet4j.tensor.Shape;

/**
 * Where Keras' layout of a weight differs from ours, and the conversion. Keras (TensorFlow backend)
 * computes channels-last:
 * <ul>
 * <li>a {@code Conv2D} kernel is HWIO, {@code (kh, kw, in, out)}; ours is OIHW, {@code out x in x kh x kw};
 * <li>a {@code Dense} kernel is {@code (in, units)}, as ours; but where the Dense reads a
 * {@code Flatten} of an image (through any Dropout or Activation), Keras' rows run over (H, W, C) and
 * ours over (C, H, W), so its rows are permuted;
 * <li>biases and batch norm's gamma, beta, moving mean and moving variance are vectors in both, in that
 * order in both.
 * </ul>
 */
final class KerasLayout {
    private KerasLayout() {
    }

    /** The shape parameter {@code p} has in a Keras file. */
    static int[] kerasShape(ParamRef p) {
        int[] ours = toInts(p.spec().shape());
        if (isConvKernel(p)) {
            return new int[] {ours[2], ours[3], ours[1], ours[0]};
        }
        return ours;
    }

    /** Keras' values of {@code p} (C order in {@link #kerasShape}) in our layout. */
    static float[] toOurs(ParamRef p, float[] keras) {
        if (isConvKernel(p)) {
            return fromHwio(keras, toInts(p.spec().shape()));
        }
        Shape image = flattenedImage(p);
        if (image != null) {
            return permuteRows(keras, image.intDim(0), image.intDim(1), image.intDim(2), p.spec().shape().intDim(1));
        }
        return keras;
    }

    /** Our values of {@code p} in Keras' layout: the inverse of {@link #toOurs}. */
    static float[] toKeras(ParamRef p, float[] ours) {
        if (isConvKernel(p)) {
            return toHwio(ours, toInts(p.spec().shape()));
        }
        Shape image = flattenedImage(p);
        if (image != null) {
            return unpermuteRows(ours, image.intDim(0), image.intDim(1), image.intDim(2), p.spec().shape().intDim(1));
        }
        return ours;
    }

    /** HWIO from OIHW: keras[y][x][i][o] = ours[o][i][y][x]. */
    static float[] toHwio(float[] oihw, int[] shape) {
        int o = shape[0];
        int in = shape[1];
        int kh = shape[2];
        int kw = shape[3];
        float[] out = new float[oihw.length];
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < in; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        out[((y * kw + x) * in + b) * o + a] = oihw[((a * in + b) * kh + y) * kw + x];
                    }
                }
            }
        }
        return out;
    }

    /** Rows from our (C, H, W) order into Keras' (H, W, C): the inverse of {@link #permuteRows}. */
    static float[] unpermuteRows(float[] ours, int c, int h, int w, int units) {
        float[] out = new float[ours.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    System.arraycopy(ours, ((ch * h + y) * w + x) * units, out, ((y * w + x) * c + ch) * units, units);
                }
            }
        }
        return out;
    }

    /** OIHW from HWIO: ours[o][i][y][x] = keras[y][x][i][o]. */
    static float[] fromHwio(float[] hwio, int[] oihw) {
        int o = oihw[0];
        int in = oihw[1];
        int kh = oihw[2];
        int kw = oihw[3];
        float[] out = new float[hwio.length];
        for (int a = 0; a < o; a++) {
            for (int b = 0; b < in; b++) {
                for (int y = 0; y < kh; y++) {
                    for (int x = 0; x < kw; x++) {
                        out[((a * in + b) * kh + y) * kw + x] = hwio[((y * kw + x) * in + b) * o + a];
                    }
                }
            }
        }
        return out;
    }

    /** Rows of a {@code (C*H*W) x units} kernel from Keras' (H, W, C) order into our (C, H, W) order. */
    static float[] permuteRows(float[] keras, int c, int h, int w, int units) {
        float[] out = new float[keras.length];
        for (int ch = 0; ch < c; ch++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int ours = (ch * h + y) * w + x;
                    int theirs = (y * w + x) * c + ch;
                    System.arraycopy(keras, theirs * units, out, ours * units, units);
                }
            }
        }
        return out;
    }

    private static boolean isConvKernel(ParamRef p) {
        return p.node().layer() instanceof Conv2D && p.spec().name().equals("kernel");
    }

    /** The C x H x W image a Dense kernel's rows come from through a Flatten, or null. */
    static Shape flattenedImage(ParamRef p) {
        if (!(p.node().layer() instanceof Dense) || !p.spec().name().equals("kernel")) {
            return null;
        }
        Node n = p.node().inputs().get(0);
        while (n.layer() instanceof Dropout || n.layer() instanceof Activation) {
            n = n.inputs().get(0); // elementwise: the feature order is the Flatten's
        }
        if (n.layer() instanceof Flatten) {
            Shape in = n.inputs().get(0).shape();
            return in.rank() == 3 ? in : null;
        }
        return null;
    }

    private static int[] toInts(Shape s) {
        int[] d = new int[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.intDim(i);
        }
        return d;
    }
}
