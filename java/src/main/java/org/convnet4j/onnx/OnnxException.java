package org.convnet4j.onnx;

/**
 * An ONNX file convnet4j cannot read as it is: an op, attribute or data type outside what import
 * supports, a malformed graph, or data the file does not hold. The message names the node (its name
 * and op type) or the tensor, what was expected and what was received; nothing is approximated.
 */
public final class OnnxException extends RuntimeException {
    public OnnxException(String message) {
        super(message);
    }

    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
