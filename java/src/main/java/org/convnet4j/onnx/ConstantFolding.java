package org.convnet4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.convnet4j.onnx.proto.Onnx.AttributeProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto.DataType;

/**
 * The ops exporters use to compute constants, evaluated at import: PyTorch writes a Pad's pads as
 * ConstantOfShape, Concat, Reshape, Slice (step -1), Transpose and Cast of Constants that its own
 * constant folding leaves alone. Evaluated exactly, on constants only (an activation input is an error
 * naming the node): the result is a constant like an initializer. Values are float32 or int64 (int32,
 * bool and double are widened or rounded as Cast would).
 */
final class ConstantFolding {
    /** A constant's values: exactly one of floats and longs is set. */
    private record Data(long[] dims, float[] floats, long[] longs) {
        static Data of(ImportGraph.Constant c) {
            int t = c.tensor().getDataType();
            boolean real = t == DataType.FLOAT_VALUE || t == DataType.DOUBLE_VALUE;
            if (t == DataType.BOOL_VALUE || t == DataType.UINT8_VALUE || t == DataType.INT8_VALUE) {
                return new Data(c.dims(), null, bytes(c.tensor()));
            }
            return real ? new Data(c.dims(), c.floats(), null) : new Data(c.dims(), null, c.longs());
        }

        int size() {
            return floats != null ? floats.length : longs.length;
        }

        TensorProto tensor(String name) {
            return floats != null ? Tensors.floats(name, dims, floats) : Tensors.longs(name, dims, longs);
        }

        /** The elements at {@code index}, in a tensor of {@code outDims}. */
        Data gather(long[] outDims, int[] index) {
            if (floats != null) {
                float[] v = new float[index.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = floats[index[i]];
                }
                return new Data(outDims, v, null);
            }
            long[] v = new long[index.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = longs[index[i]];
            }
            return new Data(outDims, null, v);
        }
    }

    private ConstantFolding() {
    }

    /** Whether every input of n is a constant: then Concat, Reshape and Identity fold instead of making layers. */
    static boolean allConstant(OnnxNode n, ImportGraph g) {
        for (int i = 0; i < n.inputCount(); i++) {
            if (n.hasInput(i) && !(g.value(n, i) instanceof ImportGraph.Constant)) {
                return false;
            }
        }
        return true;
    }

    static void constantOfShape(OnnxNode n, ImportGraph g) {
        long[] shape = g.constant(n, 0).longs();
        AttributeProto value = n.tensorAttribute("value");
        Data fill = value == null ? new Data(new long[] {1}, new float[] {0f}, null)
                : Data.of(new ImportGraph.Constant(n.output(0), value.getT()));
        if (fill.size() != 1) {
            throw n.error("expected a one-element value. Received " + fill.size());
        }
        int count = count(n, shape);
        define(n, g, fill.gather(shape, new int[count]));
    }

    static void cast(OnnxNode n, ImportGraph g) {
        Data x = Data.of(g.constant(n, 0));
        long to = n.integer("to", -1);
        if (to == DataType.FLOAT_VALUE || to == DataType.DOUBLE_VALUE) {
            float[] v = x.floats;
            if (v == null) {
                v = new float[x.longs.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = x.longs[i];
                }
            }
            define(n, g, new Data(x.dims, v, null));
        } else if (to == DataType.INT64_VALUE || to == DataType.INT32_VALUE) {
            long[] v = x.longs;
            if (v == null) {
                v = new long[x.floats.length];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (long) x.floats[i];   // truncation toward zero, as Cast does
                }
            }
            define(n, g, new Data(x.dims, null, v));
        } else {
            throw n.error("folding a Cast to " + Tensors.typeName((int) to) + " is not supported (float, double, int32, int64)");
        }
    }

    static void transpose(OnnxNode n, ImportGraph g) {
        Data x = Data.of(g.constant(n, 0));
        int r = x.dims.length;
        long[] perm = n.ints("perm", reversed(r));
        if (perm.length != r) {
            throw n.error("perm " + ImportGraph.dims(perm) + " does not fit a rank-" + r + " constant");
        }
        long[] out = new long[r];
        for (int a = 0; a < r; a++) {
            out[a] = x.dims[(int) perm[a]];
        }
        long[] inStrides = strides(x.dims);
        int[] index = new int[x.size()];
        long[] pos = new long[r];
        for (int i = 0; i < index.length; i++) {
            long src = 0;
            for (int a = 0; a < r; a++) {
                src += pos[a] * inStrides[(int) perm[a]];
            }
            index[i] = (int) src;
            next(pos, out);
        }
        define(n, g, x.gather(out, index));
    }

    static void slice(OnnxNode n, ImportGraph g) {
        Data x = Data.of(g.constant(n, 0));
        int r = x.dims.length;
        long[] starts;
        long[] ends;
        long[] axes;
        long[] steps;
        if (g.opset() < 10) {
            starts = n.ints("starts", null);
            ends = n.ints("ends", null);
            axes = n.ints("axes", range(starts.length));
            steps = ones(starts.length);
        } else {
            starts = g.constant(n, 1).longs();
            ends = g.constant(n, 2).longs();
            axes = n.hasInput(3) ? g.constant(n, 3).longs() : range(starts.length);
            steps = n.hasInput(4) ? g.constant(n, 4).longs() : ones(starts.length);
        }
        if (ends.length != starts.length || axes.length != starts.length || steps.length != starts.length) {
            throw n.error("starts, ends, axes and steps must have one value per sliced axis");
        }
        long[] begin = new long[r];
        long[] step = ones(r);
        long[] out = x.dims.clone();
        for (int i = 0; i < starts.length; i++) {
            int a = (int) (axes[i] < 0 ? axes[i] + r : axes[i]);
            long d = x.dims[a];
            long s = steps[i];
            if (s == 0) {
                throw n.error("a step of 0");
            }
            long st = starts[i] < 0 ? starts[i] + d : starts[i];
            long en = ends[i] < 0 ? ends[i] + d : ends[i];
            if (s > 0) {
                st = clamp(st, 0, d);
                en = clamp(en, 0, d);
                out[a] = Math.max(0, (en - st + s - 1) / s);
            } else {
                st = clamp(st, 0, d - 1);
                en = clamp(en, -1, d - 1);
                out[a] = Math.max(0, (st - en - s - 1) / -s);
            }
            begin[a] = st;
            step[a] = s;
        }
        long[] inStrides = strides(x.dims);
        int[] index = new int[count(n, out)];
        long[] pos = new long[r];
        for (int i = 0; i < index.length; i++) {
            long src = 0;
            for (int a = 0; a < r; a++) {
                src += (begin[a] + pos[a] * step[a]) * inStrides[a];
            }
            index[i] = (int) src;
            next(pos, out);
        }
        define(n, g, x.gather(out, index));
    }

    static void unsqueeze(OnnxNode n, ImportGraph g) {
        Data x = Data.of(g.constant(n, 0));
        long[] axes = g.opset() < 13 ? n.ints("axes", null) : g.constant(n, 1).longs();
        int r = x.dims.length + axes.length;
        boolean[] inserted = new boolean[r];
        for (long a : axes) {
            inserted[(int) (a < 0 ? a + r : a)] = true;
        }
        long[] out = new long[r];
        for (int a = 0, k = 0; a < r; a++) {
            out[a] = inserted[a] ? 1 : x.dims[k++];
        }
        define(n, g, reshaped(x, out));
    }

    static void squeeze(OnnxNode n, ImportGraph g) {
        Data x = Data.of(g.constant(n, 0));
        long[] axes = g.opset() < 13 ? n.ints("axes", null) : n.hasInput(1) ? g.constant(n, 1).longs() : null;
        List<Long> out = new ArrayList<>();
        for (int a = 0; a < x.dims.length; a++) {
            boolean drop = axes == null ? x.dims[a] == 1 : contains(axes, a, x.dims.length);
            if (drop && x.dims[a] != 1) {
                throw n.error("axis " + a + " has size " + x.dims[a] + ", not 1");
            }
            if (!drop) {
                out.add(x.dims[a]);
            }
        }
        define(n, g, reshaped(x, out.stream().mapToLong(Long::longValue).toArray()));
    }

    static void concat(OnnxNode n, ImportGraph g) {
        List<Data> parts = new ArrayList<>();
        for (int i = 0; i < n.inputCount(); i++) {
            parts.add(Data.of(g.constant(n, i)));
        }
        Data first = parts.get(0);
        int r = first.dims.length;
        long axisAttr = n.integer("axis", 0);
        int axis = (int) (axisAttr < 0 ? axisAttr + r : axisAttr);
        long[] out = first.dims.clone();
        out[axis] = 0;
        for (Data p : parts) {
            if (p.dims.length != r || (p.floats == null) != (first.floats == null)) {
                throw n.error("constants of different ranks or types");
            }
            out[axis] += p.dims[axis];
        }
        // Row-major: the output is, for each index before the axis, every part's block in turn.
        long outer = 1;
        for (int a = 0; a < axis; a++) {
            outer *= out[a];
        }
        int total = count(n, out);
        float[] f = first.floats != null ? new float[total] : null;
        long[] l = first.floats == null ? new long[total] : null;
        int k = 0;
        for (long o = 0; o < outer; o++) {
            for (Data p : parts) {
                int block = (int) (p.size() / Math.max(outer, 1));
                int from = (int) (o * block);
                if (f != null) {
                    System.arraycopy(p.floats, from, f, k, block);
                } else {
                    System.arraycopy(p.longs, from, l, k, block);
                }
                k += block;
            }
        }
        define(n, g, new Data(out, f, l));
    }

    static void reshape(OnnxNode n, ImportGraph g) {
        Data x = Data.of(g.constant(n, 0));
        long[] shape = g.constant(n, 1).longs();
        boolean allowZero = n.integer("allowzero", 0) != 0;
        long[] out = shape.clone();
        int unknown = -1;
        long known = 1;
        for (int a = 0; a < out.length; a++) {
            if (out[a] == 0 && !allowZero) {
                out[a] = x.dims[a];
            }
            if (out[a] == -1) {
                unknown = a;
            } else {
                known *= out[a];
            }
        }
        if (unknown >= 0) {
            out[unknown] = known == 0 ? 0 : x.size() / known;
        }
        if (count(n, out) != x.size()) {
            throw n.error("cannot reshape " + x.size() + " values to " + ImportGraph.dims(shape));
        }
        define(n, g, reshaped(x, out));
    }

    private static Data reshaped(Data x, long[] dims) {
        return new Data(dims, x.floats, x.longs);
    }

    private static void define(OnnxNode n, ImportGraph g, Data d) {
        g.define(n.output(0), new ImportGraph.Constant(n.output(0), d.tensor(n.output(0))));
    }

    private static long[] bytes(TensorProto t) {
        if (t.hasRawData()) {
            long[] v = new long[t.getRawData().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = t.getDataType() == DataType.INT8_VALUE ? t.getRawData().byteAt(i) : t.getRawData().byteAt(i) & 0xff;
            }
            return v;
        }
        long[] v = new long[t.getInt32DataCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.getInt32Data(i);
        }
        return v;
    }

    private static int count(OnnxNode n, long[] dims) {
        long c = 1;
        for (long d : dims) {
            if (d < 0) {
                throw n.error("negative dimension in " + ImportGraph.dims(dims));
            }
            c = Math.multiplyExact(c, d);
        }
        if (c > 1 << 24) {
            throw n.error("a constant of " + c + " values is larger than import folds");
        }
        return (int) c;
    }

    private static long[] strides(long[] dims) {
        long[] s = new long[dims.length];
        long k = 1;
        for (int a = dims.length - 1; a >= 0; a--) {
            s[a] = k;
            k *= dims[a];
        }
        return s;
    }

    /** Advances a row-major position within dims. */
    private static void next(long[] pos, long[] dims) {
        for (int a = pos.length - 1; a >= 0; a--) {
            if (++pos[a] < dims[a]) {
                return;
            }
            pos[a] = 0;
        }
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static long[] range(int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    private static long[] ones(int n) {
        long[] r = new long[n];
        Arrays.fill(r, 1);
        return r;
    }

    private static long[] reversed(int r) {
        long[] p = new long[r];
        for (int a = 0; a < r; a++) {
            p[a] = r - 1 - a;
        }
        return p;
    }

    private static boolean contains(long[] axes, int a, int r) {
        for (long x : axes) {
            if ((x < 0 ? x + r : x) == a) {
                return true;
            }
        }
        return false;
    }
}
