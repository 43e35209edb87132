package org.convnet4j.onnx;

import org.convnet4j.onnx.proto.Onnx.AttributeProto;
import org.convnet4j.onnx.proto.Onnx.AttributeProto.AttributeType;

/** Node attributes as export writes them; {@link OnnxNode} reads them. */
final class Attributes {
    private Attributes() {
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.INT).setI(value).build();
    }

    static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(value)).build();
    }

    static AttributeProto tensor(String name, org.convnet4j.onnx.proto.Onnx.TensorProto value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.TENSOR).setT(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeType.FLOAT).setF(value).build();
    }
}
