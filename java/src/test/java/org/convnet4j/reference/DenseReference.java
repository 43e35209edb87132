package org.convnet4j.reference;

import org.convnet4j.ops.DenseOp;

/** The float64 oracle for {@link DenseOp}: {@code y = x . w + b} with a Keras (in, units) kernel. */
public final class DenseReference {
    private DenseReference() {
    }

    /** bias is null when the op has none. */
    public static double[] forward(DenseOp op, double[] x, double[] w, double[] bias) {
        int n = op.input().intDim(0);
        int in = op.inFeatures();
        int units = op.units();
        double[] y = new double[n * units];
        for (int b = 0; b < n; b++) {
            for (int u = 0; u < units; u++) {
                double s = bias == null ? 0 : bias[u];
                for (int k = 0; k < in; k++) {
                    s += x[b * in + k] * w[k * units + u];
                }
                y[b * units + u] = s;
            }
        }
        return y;
    }

    /** {@code dx = dy . w^T}. */
    public static double[] backwardData(DenseOp op, double[] dy, double[] w) {
        int n = op.input().intDim(0);
        int in = op.inFeatures();
        int units = op.units();
        double[] dx = new double[n * in];
        for (int b = 0; b < n; b++) {
            for (int k = 0; k < in; k++) {
                double s = 0;
                for (int u = 0; u < units; u++) {
                    s += dy[b * units + u] * w[k * units + u];
                }
                dx[b * in + k] = s;
            }
        }
        return dx;
    }

    /** {@code dw = x^T . dy}, (in, units). */
    public static double[] backwardWeights(DenseOp op, double[] x, double[] dy) {
        int n = op.input().intDim(0);
        int in = op.inFeatures();
        int units = op.units();
        double[] dw = new double[in * units];
        for (int k = 0; k < in; k++) {
            for (int u = 0; u < units; u++) {
                double s = 0;
                for (int b = 0; b < n; b++) {
                    s += x[b * in + k] * dy[b * units + u];
                }
                dw[k * units + u] = s;
            }
        }
        return dw;
    }

    /** {@code dbias}: dy summed over the batch. */
    public static double[] backwardBias(DenseOp op, double[] dy) {
        int n = op.input().intDim(0);
        int units = op.units();
        double[] db = new double[units];
        for (int b = 0; b < n; b++) {
            for (int u = 0; u < units; u++) {
                db[u] += dy[b * units + u];
            }
        }
        return db;
    }
}
