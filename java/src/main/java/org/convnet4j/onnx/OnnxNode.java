package org.convnet4j.onnx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.convnet4j.onnx.proto.Onnx.AttributeProto;
import org.convnet4j.onnx.proto.Onnx.AttributeProto.AttributeType;
import org.convnet4j.onnx.proto.Onnx.NodeProto;

/**
 * One node of a graph being imported, with typed reads of its attributes. It remembers which
 * attributes a reader asked for, so that an attribute no reader knows (and which might change what
 * the op computes) is an error rather than ignored ({@link #checkAttributesRead}).
 */
final class OnnxNode {
    private final NodeProto proto;
    private final int index;
    private final Set<String> read = new HashSet<>();

    OnnxNode(NodeProto proto, int index) {
        this.proto = proto;
        this.index = index;
    }

    /** The node's name, or {@code #index} in the graph where the file gives none. */
    String name() {
        return proto.getName().isEmpty() ? "#" + index : proto.getName();
    }

    String opType() {
        return proto.getOpType();
    }

    String domain() {
        return proto.getDomain();
    }

    int inputCount() {
        return proto.getInputCount();
    }

    /** Input i's value name; an empty name or an index past the end is an absent optional input. */
    String input(int i) {
        return i < proto.getInputCount() ? proto.getInput(i) : "";
    }

    boolean hasInput(int i) {
        return !input(i).isEmpty();
    }

    int outputCount() {
        return proto.getOutputCount();
    }

    String output(int i) {
        return i < proto.getOutputCount() ? proto.getOutput(i) : "";
    }

    /** An error about this node: the node's name and op type, then the message. */
    OnnxException error(String message) {
        return new OnnxException("ONNX node '" + name() + "' (" + opType() + "): " + message);
    }

    boolean hasAttribute(String name) {
        return find(name) != null;
    }

    long integer(String name, long fallback) {
        AttributeProto a = take(name, AttributeType.INT);
        return a == null ? fallback : a.getI();
    }

    float real(String name, float fallback) {
        AttributeProto a = take(name, AttributeType.FLOAT);
        return a == null ? fallback : a.getF();
    }

    String string(String name, String fallback) {
        AttributeProto a = take(name, AttributeType.STRING);
        return a == null ? fallback : a.getS().toString(StandardCharsets.UTF_8);
    }

    /** A list of integers; {@code fallback} null makes the attribute required. */
    long[] ints(String name, long[] fallback) {
        AttributeProto a = take(name, AttributeType.INTS);
        if (a == null) {
            if (fallback == null) {
                throw error("attribute " + name + " is required");
            }
            return fallback.clone();
        }
        long[] v = new long[a.getIntsCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.getInts(i);
        }
        return v;
    }

    /** The attribute holding a list of floats, or null. */
    AttributeProto floatsAttribute(String name) {
        return take(name, AttributeType.FLOATS);
    }

    /** The attribute holding a tensor (Constant's value), or null. */
    AttributeProto tensorAttribute(String name) {
        return take(name, AttributeType.TENSOR);
    }

    /** Throws if the node has an attribute no reader asked for: it might change what the op computes. */
    void checkAttributesRead() {
        List<String> unknown = new ArrayList<>();
        for (AttributeProto a : proto.getAttributeList()) {
            if (!read.contains(a.getName())) {
                unknown.add(a.getName());
            }
        }
        if (!unknown.isEmpty()) {
            throw error("attribute" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown) + " not supported");
        }
    }

    private AttributeProto take(String name, AttributeType type) {
        read.add(name);
        AttributeProto a = find(name);
        if (a == null) {
            return null;
        }
        if (!a.getRefAttrName().isEmpty()) {
            throw error("attribute " + name + " refers to a function's attribute; only plain values are supported");
        }
        if (a.hasType() && a.getType() != type) {
            throw error("attribute " + name + ": expected " + type + ". Received " + a.getType());
        }
        return a;
    }

    private AttributeProto find(String name) {
        for (AttributeProto a : proto.getAttributeList()) {
            if (a.getName().equals(name)) {
                return a;
            }
        }
        return null;
    }
}
