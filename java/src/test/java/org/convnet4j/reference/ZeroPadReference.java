package org.convnet4j.reference;

import org.convnet4j.ops.Pads;
import org.convnet4j.ops.ZeroPad2d;
import org.convnet4j.tensor.Shape;

/** The float64 oracle for {@link ZeroPad2d}: zeros around H and W; backward crops. */
public final class ZeroPadReference {
    private ZeroPadReference() {
    }

    public static double[] forward(ZeroPad2d op, double[] x) {
        Shape in = op.input();
        Shape out = op.outputShape();
        Pads p = op.pads();
        int planes = in.intDim(0) * in.intDim(1);
        int h = in.intDim(2);
        int w = in.intDim(3);
        int oh = out.intDim(2);
        int ow = out.intDim(3);
        double[] y = new double[planes * oh * ow];
        for (int nc = 0; nc < planes; nc++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    y[(nc * oh + i + p.top()) * ow + j + p.left()] = x[(nc * h + i) * w + j];
                }
            }
        }
        return y;
    }

    public static double[] backward(ZeroPad2d op, double[] dy) {
        Shape in = op.input();
        Shape out = op.outputShape();
        Pads p = op.pads();
        int planes = in.intDim(0) * in.intDim(1);
        int h = in.intDim(2);
        int w = in.intDim(3);
        int oh = out.intDim(2);
        int ow = out.intDim(3);
        double[] dx = new double[planes * h * w];
        for (int nc = 0; nc < planes; nc++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    dx[(nc * h + i) * w + j] = dy[(nc * oh + i + p.top()) * ow + j + p.left()];
                }
            }
        }
        return dx;
    }
}
