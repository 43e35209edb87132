package org.convnet4j.reference;

import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.ops.Pads;
import org.convnet4j.tensor.Shape;

/**
 * The float64 oracle for {@link Conv2dOp}: direct loops over every output and kernel tap, cross-correlation
 * with OIHW weights, padded cells read as zero. Written for obviousness, not speed; the backward passes
 * are the scatter (data) and gather (filter) forms of the same loop so they can be read against it.
 */
public final class ConvReference {
    private ConvReference() {
    }

    /** {@code y = corr(x, w) + bias}; bias is null when the op has none. */
    public static double[] forward(Conv2dOp op, double[] x, double[] w, double[] bias) {
        Geometry g = new Geometry(op);
        double[] y = new double[g.outSize()];
        for (int n = 0; n < g.n; n++) {
            for (int f = 0; f < g.f; f++) {
                for (int oh = 0; oh < g.oh; oh++) {
                    for (int ow = 0; ow < g.ow; ow++) {
                        double s = bias == null ? 0 : bias[f];
                        for (int c = 0; c < g.c; c++) {
                            for (int i = 0; i < g.kh; i++) {
                                for (int j = 0; j < g.kw; j++) {
                                    int ih = g.inRow(oh, i);
                                    int iw = g.inCol(ow, j);
                                    if (g.inside(ih, iw)) {
                                        s += x[g.xIndex(n, c, ih, iw)] * w[g.wIndex(f, c, i, j)];
                                    }
                                }
                            }
                        }
                        y[g.yIndex(n, f, oh, ow)] = s;
                    }
                }
            }
        }
        return y;
    }

    /** {@code dx}: every output's gradient scattered back through the taps that produced it. */
    public static double[] backwardData(Conv2dOp op, double[] dy, double[] w) {
        Geometry g = new Geometry(op);
        double[] dx = new double[g.inSize()];
        for (int n = 0; n < g.n; n++) {
            for (int f = 0; f < g.f; f++) {
                for (int oh = 0; oh < g.oh; oh++) {
                    for (int ow = 0; ow < g.ow; ow++) {
                        double d = dy[g.yIndex(n, f, oh, ow)];
                        for (int c = 0; c < g.c; c++) {
                            for (int i = 0; i < g.kh; i++) {
                                for (int j = 0; j < g.kw; j++) {
                                    int ih = g.inRow(oh, i);
                                    int iw = g.inCol(ow, j);
                                    if (g.inside(ih, iw)) {
                                        dx[g.xIndex(n, c, ih, iw)] += d * w[g.wIndex(f, c, i, j)];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    /** {@code dw}, OIHW. */
    public static double[] backwardFilter(Conv2dOp op, double[] x, double[] dy) {
        Geometry g = new Geometry(op);
        double[] dw = new double[g.f * g.c * g.kh * g.kw];
        for (int n = 0; n < g.n; n++) {
            for (int f = 0; f < g.f; f++) {
                for (int oh = 0; oh < g.oh; oh++) {
                    for (int ow = 0; ow < g.ow; ow++) {
                        double d = dy[g.yIndex(n, f, oh, ow)];
                        for (int c = 0; c < g.c; c++) {
                            for (int i = 0; i < g.kh; i++) {
                                for (int j = 0; j < g.kw; j++) {
                                    int ih = g.inRow(oh, i);
                                    int iw = g.inCol(ow, j);
                                    if (g.inside(ih, iw)) {
                                        dw[g.wIndex(f, c, i, j)] += x[g.xIndex(n, c, ih, iw)] * d;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return dw;
    }

    /** {@code dbias}: dy summed over N, H and W. */
    public static double[] backwardBias(Conv2dOp op, double[] dy) {
        Geometry g = new Geometry(op);
        double[] db = new double[g.f];
        for (int n = 0; n < g.n; n++) {
            for (int f = 0; f < g.f; f++) {
                for (int k = 0; k < g.oh * g.ow; k++) {
                    db[f] += dy[(n * g.f + f) * g.oh * g.ow + k];
                }
            }
        }
        return db;
    }

    /** Sizes and index arithmetic of one conv, resolved once. */
    private static final class Geometry {
        final int n, c, h, w, f, kh, kw, sh, sw, oh, ow, top, left;

        Geometry(Conv2dOp op) {
            Shape in = op.input();
            Shape out = op.outputShape();
            Pads p = op.pads();
            n = in.intDim(0);
            c = in.intDim(1);
            h = in.intDim(2);
            w = in.intDim(3);
            f = op.filters();
            kh = op.kernel().h();
            kw = op.kernel().w();
            sh = op.stride().h();
            sw = op.stride().w();
            oh = out.intDim(2);
            ow = out.intDim(3);
            top = p.top();
            left = p.left();
        }

        int inRow(int outRow, int tap) {
            return outRow * sh - top + tap;
        }

        int inCol(int outCol, int tap) {
            return outCol * sw - left + tap;
        }

        boolean inside(int ih, int iw) {
            return ih >= 0 && ih < h && iw >= 0 && iw < w;
        }

        int xIndex(int ni, int ci, int hi, int wi) {
            return ((ni * c + ci) * h + hi) * w + wi;
        }

        int wIndex(int fi, int ci, int i, int j) {
            return ((fi * c + ci) * kh + i) * kw + j;
        }

        int yIndex(int ni, int fi, int hi, int wi) {
            return ((ni * f + fi) * oh + hi) * ow + wi;
        }

        int inSize() {
            return n * c * h * w;
        }

        int outSize() {
            return n * f * oh * ow;
        }
    }
}
