package org.convnet4j.backend.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * A device address as the JavaCPP argument cuDNN, cuBLAS and the runtime take. It owns nothing: the
 * memory belongs to a pool block, and creating one allocates no native memory.
 */
final class DevicePointer extends Pointer {
    DevicePointer(long address) {
        this.address = address;
    }

    /** A pointer to the tensor's first element, or the null pointer for a null tensor (optional arguments). */
    static DevicePointer of(org.convnet4j.tensor.Tensor t) {
        return new DevicePointer(t == null ? 0 : t.address());
    }
}
