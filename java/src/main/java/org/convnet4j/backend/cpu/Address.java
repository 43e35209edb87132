package org.convnet4j.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Raw host addresses as JavaCPP pointers that own nothing. Tensors keep plain {@code long} addresses
 * from the memory pool; these views exist only for the duration of one native call.
 */
final class Address extends Pointer {
    Address() {
    }

    Address(long address) {
        this.address = address;
    }

    /** Repoints this reusable handle; the primitive wrapper keeps one to avoid an object per argument. */
    Address set(long address) {
        this.address = address;
        return this;
    }

    static FloatPointer floats(long address, long count) {
        return new FloatView(address, count);
    }

    static IntPointer ints(long address, long count) {
        return new IntView(address, count);
    }

    private static final class FloatView extends FloatPointer {
        FloatView(long address, long count) {
            this.address = address;
            this.limit = count;
            this.capacity = count;
        }
    }

    private static final class IntView extends IntPointer {
        IntView(long address, long count) {
            this.address = address;
            this.limit = count;
            this.capacity = count;
        }
    }
}
