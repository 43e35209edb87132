package org.convnet4j.reference;

import java.util.ArrayList;
import java.util.List;

import org.convnet4j.ops.Concat;
import org.convnet4j.tensor.Shape;

/** The float64 oracle for {@link Concat} along channels, and its backward split. */
public final class ConcatReference {
    private ConcatReference() {
    }

    public static double[] forward(Concat op, List<double[]> xs) {
        Shape out = op.outputShape();
        double[] y = new double[(int) out.size()];
        int n = out.intDim(0);
        int spatial = (int) (out.size() / (n * out.dim(1)));
        int cOut = out.intDim(1);
        for (int i = 0; i < xs.size(); i++) {
            int ci = op.inputs().get(i).intDim(1);
            int offset = (int) op.offset(i);
            for (int b = 0; b < n; b++) {
                for (int c = 0; c < ci; c++) {
                    for (int s = 0; s < spatial; s++) {
                        y[(b * cOut + offset + c) * spatial + s] = xs.get(i)[(b * ci + c) * spatial + s];
                    }
                }
            }
        }
        return y;
    }

    /** Each input's slice of dy. */
    public static List<double[]> backward(Concat op, double[] dy) {
        Shape out = op.outputShape();
        int n = out.intDim(0);
        int spatial = (int) (out.size() / (n * out.dim(1)));
        int cOut = out.intDim(1);
        List<double[]> dxs = new ArrayList<>();
        for (int i = 0; i < op.inputs().size(); i++) {
            int ci = op.inputs().get(i).intDim(1);
            int offset = (int) op.offset(i);
            double[] dx = new double[n * ci * spatial];
            for (int b = 0; b < n; b++) {
                for (int c = 0; c < ci; c++) {
                    for (int s = 0; s < spatial; s++) {
                        dx[(b * ci + c) * spatial + s] = dy[(b * cOut + offset + c) * spatial + s];
                    }
                }
            }
            dxs.add(dx);
        }
        return dxs;
    }
}
