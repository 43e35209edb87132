package org.convnet4j.reference;

/** The float64 oracle for the elementwise primitives: relu and its backward, add. */
public final class ElementwiseReference {
    private ElementwiseReference() {
    }

    public static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(x[i], 0);
        }
        return y;
    }

    /** {@code dx = dy * (y > 0)}, from the forward's output as the backend takes it. */
    public static double[] reluBackward(double[] y, double[] dy) {
        double[] dx = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            dx[i] = y[i] > 0 ? dy[i] : 0;
        }
        return dx;
    }

    public static double[] add(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("add: lengths differ, " + a.length + " and " + b.length);
        }
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            y[i] = a[i] + b[i];
        }
        return y;
    }
}
