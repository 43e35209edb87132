package org.convnet4j.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import com.google.protobuf.UnsafeByteOperations;

import org.convnet4j.onnx.proto.Onnx.TensorProto;
import org.convnet4j.onnx.proto.Onnx.TensorProto.DataType;

/**
 * TensorProto to and from Java arrays. We write float32 and int64 tensors as raw little-endian bytes
 * (the compact form exporters use); we read those, the typed fields ({@code float_data},
 * {@code int64_data}, {@code int32_data}, {@code double_data}) and nothing else: external data,
 * half precision and strings are refused with the tensor's name.
 */
final class Tensors {
    private Tensors() {
    }

    static TensorProto floats(String name, long[] dims, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return TensorProto.newBuilder().setName(name).addAllDims(list(dims)).setDataType(DataType.FLOAT_VALUE)
                .setRawData(UnsafeByteOperations.unsafeWrap(b.array())).build();
    }

    static TensorProto longs(String name, long[] dims, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, Long.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return TensorProto.newBuilder().setName(name).addAllDims(list(dims)).setDataType(DataType.INT64_VALUE)
                .setRawData(UnsafeByteOperations.unsafeWrap(b.array())).build();
    }

    static long[] dims(TensorProto t) {
        long[] d = new long[t.getDimsCount()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.getDims(i);
            if (d[i] < 0) {
                throw new OnnxException("tensor '" + t.getName() + "': negative dimension " + d[i]);
            }
        }
        return d;
    }

    static int count(TensorProto t) {
        long n = 1;
        for (long d : dims(t)) {
            n = Math.multiplyExact(n, d);
        }
        if (n > Integer.MAX_VALUE) {
            throw new OnnxException("tensor '" + t.getName() + "': " + n + " elements are more than one Java array holds");
        }
        return (int) n;
    }

    /** The values of a FLOAT (or DOUBLE, rounded) tensor. */
    static float[] toFloats(TensorProto t) {
        checkStored(t);
        int n = count(t);
        float[] v = new float[n];
        if (t.getDataType() == DataType.FLOAT_VALUE) {
            if (t.hasRawData()) {
                ByteBuffer b = raw(t, n, Float.BYTES);
                b.asFloatBuffer().get(v);
            } else {
                checkCount(t, t.getFloatDataCount(), n);
                for (int i = 0; i < n; i++) {
                    v[i] = t.getFloatData(i);
                }
            }
            return v;
        }
        if (t.getDataType() == DataType.DOUBLE_VALUE) {
            if (t.hasRawData()) {
                ByteBuffer b = raw(t, n, Double.BYTES);
                for (int i = 0; i < n; i++) {
                    v[i] = (float) b.getDouble(i * Double.BYTES);
                }
            } else {
                checkCount(t, t.getDoubleDataCount(), n);
                for (int i = 0; i < n; i++) {
                    v[i] = (float) t.getDoubleData(i);
                }
            }
            return v;
        }
        throw new OnnxException("tensor '" + t.getName() + "': expected float32 values. Received data type "
                + typeName(t.getDataType()));
    }

    /** The values of an INT64 or INT32 tensor. */
    static long[] toLongs(TensorProto t) {
        checkStored(t);
        int n = count(t);
        long[] v = new long[n];
        if (t.getDataType() == DataType.INT64_VALUE) {
            if (t.hasRawData()) {
                raw(t, n, Long.BYTES).asLongBuffer().get(v);
            } else {
                checkCount(t, t.getInt64DataCount(), n);
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt64Data(i);
                }
            }
            return v;
        }
        if (t.getDataType() == DataType.INT32_VALUE) {
            if (t.hasRawData()) {
                ByteBuffer b = raw(t, n, Integer.BYTES);
                for (int i = 0; i < n; i++) {
                    v[i] = b.getInt(i * Integer.BYTES);
                }
            } else {
                checkCount(t, t.getInt32DataCount(), n);
                for (int i = 0; i < n; i++) {
                    v[i] = t.getInt32Data(i);
                }
            }
            return v;
        }
        throw new OnnxException("tensor '" + t.getName() + "': expected int64 values. Received data type "
                + typeName(t.getDataType()));
    }

    static String typeName(int dataType) {
        DataType d = DataType.forNumber(dataType);
        return d == null ? String.valueOf(dataType) : d.name();
    }

    private static void checkStored(TensorProto t) {
        if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
            throw new OnnxException("tensor '" + t.getName() + "' keeps its data in an external file; convnet4j reads"
                    + " ONNX files that hold their tensors (save the model without external data)");
        }
    }

    private static ByteBuffer raw(TensorProto t, int n, int width) {
        if (t.getRawData().size() != (long) n * width) {
            throw new OnnxException("tensor '" + t.getName() + "': expected " + (long) n * width + " bytes of raw data for "
                    + n + " values. Received " + t.getRawData().size());
        }
        // slice(): the view starts at index 0 whatever offset the ByteString has in its array.
        return t.getRawData().asReadOnlyByteBuffer().slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkCount(TensorProto t, int stored, int n) {
        if (stored != n) {
            throw new OnnxException("tensor '" + t.getName() + "': expected " + n + " values for dims "
                    + java.util.Arrays.toString(dims(t)) + ". Received " + stored);
        }
    }

    private static java.util.List<Long> list(long[] dims) {
        java.util.List<Long> l = new java.util.ArrayList<>(dims.length);
        for (long d : dims) {
            l.add(d);
        }
        return l;
    }
}
