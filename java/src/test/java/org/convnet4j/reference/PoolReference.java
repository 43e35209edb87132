package org.convnet4j.reference;

import org.convnet4j.ops.GlobalAvgPool;
import org.convnet4j.ops.Pads;
import org.convnet4j.ops.Pool2d;
import org.convnet4j.ops.PoolMode;
import org.convnet4j.tensor.Shape;

/**
 * The float64 oracle for {@link Pool2d} and {@link GlobalAvgPool}, with Keras' border rule: a window
 * only ever sees real cells, so padding never wins a max and never counts in an average. Max pooling
 * routes the gradient to the first maximum in scan order; tests feed inputs without ties, where that
 * choice cannot matter.
 */
public final class PoolReference {
    private PoolReference() {
    }

    public static double[] forward(Pool2d op, double[] x) {
        Window g = new Window(op);
        double[] y = new double[g.outSize()];
        for (int nc = 0; nc < g.planes; nc++) {
            for (int oh = 0; oh < g.oh; oh++) {
                for (int ow = 0; ow < g.ow; ow++) {
                    y[g.yIndex(nc, oh, ow)] = op.mode() == PoolMode.MAX
                            ? x[g.argMax(x, nc, oh, ow)]
                            : g.sum(x, nc, oh, ow) / g.count(oh, ow);
                }
            }
        }
        return y;
    }

    /** {@code dx}; x is the forward's input (max pooling needs to know which cell won). */
    public static double[] backward(Pool2d op, double[] x, double[] dy) {
        Window g = new Window(op);
        double[] dx = new double[g.inSize()];
        for (int nc = 0; nc < g.planes; nc++) {
            for (int oh = 0; oh < g.oh; oh++) {
                for (int ow = 0; ow < g.ow; ow++) {
                    double d = dy[g.yIndex(nc, oh, ow)];
                    if (op.mode() == PoolMode.MAX) {
                        dx[g.argMax(x, nc, oh, ow)] += d;
                        continue;
                    }
                    double share = d / g.count(oh, ow);
                    for (int ih = g.rowStart(oh); ih < g.rowEnd(oh); ih++) {
                        for (int iw = g.colStart(ow); iw < g.colEnd(ow); iw++) {
                            dx[g.xIndex(nc, ih, iw)] += share;
                        }
                    }
                }
            }
        }
        return dx;
    }

    /** N x C x H x W to N x C means. */
    public static double[] globalAvgForward(GlobalAvgPool op, double[] x) {
        Shape in = op.input();
        int planes = in.intDim(0) * in.intDim(1);
        int hw = in.intDim(2) * in.intDim(3);
        double[] y = new double[planes];
        for (int p = 0; p < planes; p++) {
            double s = 0;
            for (int k = 0; k < hw; k++) {
                s += x[p * hw + k];
            }
            y[p] = s / hw;
        }
        return y;
    }

    public static double[] globalAvgBackward(GlobalAvgPool op, double[] dy) {
        Shape in = op.input();
        int planes = in.intDim(0) * in.intDim(1);
        int hw = in.intDim(2) * in.intDim(3);
        double[] dx = new double[planes * hw];
        for (int p = 0; p < planes; p++) {
            for (int k = 0; k < hw; k++) {
                dx[p * hw + k] = dy[p] / hw;
            }
        }
        return dx;
    }

    /** One pool's geometry: which real input cells each output window covers. */
    private static final class Window {
        final int planes, h, w, kh, kw, sh, sw, oh, ow, top, left;

        Window(Pool2d op) {
            Shape in = op.input();
            Shape out = op.outputShape();
            Pads p = op.pads();
            planes = in.intDim(0) * in.intDim(1);
            h = in.intDim(2);
            w = in.intDim(3);
            kh = op.window().h();
            kw = op.window().w();
            sh = op.stride().h();
            sw = op.stride().w();
            oh = out.intDim(2);
            ow = out.intDim(3);
            top = p.top();
            left = p.left();
        }

        int rowStart(int o) {
            return Math.max(o * sh - top, 0);
        }

        int rowEnd(int o) {
            return Math.min(o * sh - top + kh, h);
        }

        int colStart(int o) {
            return Math.max(o * sw - left, 0);
        }

        int colEnd(int o) {
            return Math.min(o * sw - left + kw, w);
        }

        /** Real cells under the window; never zero, since Pool2d keeps pads smaller than the window. */
        int count(int o, int p) {
            return (rowEnd(o) - rowStart(o)) * (colEnd(p) - colStart(p));
        }

        double sum(double[] x, int nc, int o, int p) {
            double s = 0;
            for (int ih = rowStart(o); ih < rowEnd(o); ih++) {
                for (int iw = colStart(p); iw < colEnd(p); iw++) {
                    s += x[xIndex(nc, ih, iw)];
                }
            }
            return s;
        }

        int argMax(double[] x, int nc, int o, int p) {
            int best = -1;
            for (int ih = rowStart(o); ih < rowEnd(o); ih++) {
                for (int iw = colStart(p); iw < colEnd(p); iw++) {
                    int i = xIndex(nc, ih, iw);
                    if (best < 0 || x[i] > x[best]) {
                        best = i;
                    }
                }
            }
            return best;
        }

        int xIndex(int nc, int ih, int iw) {
            return (nc * h + ih) * w + iw;
        }

        int yIndex(int nc, int o, int p) {
            return (nc * oh + o) * ow + p;
        }

        int inSize() {
            return planes * h * w;
        }

        int outSize() {
            return planes * oh * ow;
        }
    }
}
