package org.convnet4j.onnx;

/**
 * An ONNX file convnet4j cannot read as it is: an op, attribute or data type outside what import
 * supports, a malformed graph, or data the file does not hold. The message names the node (its name
 * and op type) or the tensor, what was expected and what was received; nothing is approximated.
 */
public final class OnnxException extends RuntimeException {
    /**
     * An exception with its message.
     *
     * @param message what was expected and what the file holds, naming the node or tensor
     */
    public OnnxException(String message) {
        super(message);
    }

    /**
     * An exception with its message and the failure beneath it.
     *
     * @param message what was expected and what the file holds, naming the node or tensor
     * @param cause the failure that revealed it
     */
    public OnnxException(String message, Throwable cause) {
        super(message, cause);
    }
}
