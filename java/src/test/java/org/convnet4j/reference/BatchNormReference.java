package org.convnet4j.reference;

import org.convnet4j.ops.BatchNorm;
import org.convnet4j.tensor.Shape;

/**
 * The float64 oracle for {@link BatchNorm} over axis 1 of N x C x H x W or N x C, with Keras' rules:
 * training normalizes with the batch mean and the biased batch variance, and both moving statistics
 * follow {@code moving * momentum + batch * (1 - momentum)} (the variance with the biased estimate too).
 * The op's float epsilon and momentum are used as their exact double values, as a backend sees them.
 */
public final class BatchNormReference {
    private BatchNormReference() {
    }

    /** A training forward: the output, the batch statistics, and the moving statistics after the update. */
    public record Training(double[] y, double[] mean, double[] variance, double[] movingMean, double[] movingVariance) {
    }

    /** Gradients of a training forward. */
    public record Gradients(double[] dx, double[] dgamma, double[] dbeta) {
    }

    public static Training forwardTraining(BatchNorm op, double[] x, double[] gamma, double[] beta,
                                           double[] movingMean, double[] movingVariance) {
        Layout l = new Layout(op.input());
        double[] mean = new double[l.c];
        double[] var = new double[l.c];
        for (int c = 0; c < l.c; c++) {
            double s = 0;
            for (int k = 0; k < l.reduction(); k++) {
                s += x[l.index(c, k)];
            }
            mean[c] = s / l.reduction();
            double q = 0;
            for (int k = 0; k < l.reduction(); k++) {
                double d = x[l.index(c, k)] - mean[c];
                q += d * d;
            }
            var[c] = q / l.reduction();
        }
        double momentum = op.momentum();
        double[] mm = new double[l.c];
        double[] mv = new double[l.c];
        for (int c = 0; c < l.c; c++) {
            mm[c] = movingMean[c] * momentum + mean[c] * (1 - momentum);
            mv[c] = movingVariance[c] * momentum + var[c] * (1 - momentum);
        }
        return new Training(normalize(op, x, gamma, beta, mean, var), mean, var, mm, mv);
    }

    /** Inference: the moving statistics normalize. */
    public static double[] forwardInference(BatchNorm op, double[] x, double[] gamma, double[] beta,
                                            double[] movingMean, double[] movingVariance) {
        return normalize(op, x, gamma, beta, movingMean, movingVariance);
    }

    /** Backward of a training forward whose batch statistics were {@code mean} and {@code variance}. */
    public static Gradients backward(BatchNorm op, double[] x, double[] dy, double[] gamma,
                                     double[] mean, double[] variance) {
        Layout l = new Layout(op.input());
        double eps = op.epsilon();
        double r = l.reduction();
        double[] dx = new double[x.length];
        double[] dgamma = new double[l.c];
        double[] dbeta = new double[l.c];
        for (int c = 0; c < l.c; c++) {
            double invStd = 1 / Math.sqrt(variance[c] + eps);
            for (int k = 0; k < l.reduction(); k++) {
                int i = l.index(c, k);
                dbeta[c] += dy[i];
                dgamma[c] += dy[i] * (x[i] - mean[c]) * invStd;
            }
            for (int k = 0; k < l.reduction(); k++) {
                int i = l.index(c, k);
                double xhat = (x[i] - mean[c]) * invStd;
                dx[i] = gamma[c] * invStd / r * (r * dy[i] - dbeta[c] - xhat * dgamma[c]);
            }
        }
        return new Gradients(dx, dgamma, dbeta);
    }

    private static double[] normalize(BatchNorm op, double[] x, double[] gamma, double[] beta,
                                      double[] mean, double[] var) {
        Layout l = new Layout(op.input());
        double eps = op.epsilon();
        double[] y = new double[x.length];
        for (int c = 0; c < l.c; c++) {
            double invStd = 1 / Math.sqrt(var[c] + eps);
            for (int k = 0; k < l.reduction(); k++) {
                int i = l.index(c, k);
                y[i] = gamma[c] * (x[i] - mean[c]) * invStd + beta[c];
            }
        }
        return y;
    }

    /** Where the k-th element of channel c sits, k running over N and then the spatial positions. */
    private static final class Layout {
        final int n, c, spatial;

        Layout(Shape input) {
            n = input.intDim(0);
            c = input.intDim(1);
            spatial = (int) (input.size() / (n * (long) c));
        }

        int reduction() {
            return n * spatial;
        }

        int index(int channel, int k) {
            int batch = k / spatial;
            int pos = k % spatial;
            return (batch * c + channel) * spatial + pos;
        }
    }
}
