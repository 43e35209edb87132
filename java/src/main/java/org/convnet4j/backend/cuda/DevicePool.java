package org.convnet4j.backend.cuda;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.cuda.global.cudart;
import org.convnet4j.memory.MemoryPool;
import org.convnet4j.memory.PoolOutOfMemoryException;

/**
 * Device memory for the CUDA backend: the caching pool over {@code cudaMalloc}. Blocks are handed back
 * to the cache when a tensor closes and reused for the next request of the same size class, so a
 * training loop stops calling cudaMalloc/cudaFree after its first step (asserted from the pool's
 * statistics). Reuse is safe without events because every kernel, copy and library call of the
 * backend runs on one stream, in order.
 *
 * <p>cudaMalloc aligns to at least 256 bytes, more than {@link MemoryPool#ALIGNMENT}.
 */
final class DevicePool extends MemoryPool {
    DevicePool() {
        super("CUDA device memory pool");
    }

    @Override
    protected long nativeAllocate(long bytes) {
        Pointer p = new Pointer();
        int status = cudart.cudaMalloc(p, bytes);
        if (status == cudart.cudaErrorMemoryAllocation) {
            cudart.cudaGetLastError(); // clears the sticky-free error so later calls are not blamed
            throw new PoolOutOfMemoryException(name(), bytes, stats(), "cudaMalloc: out of memory (" + deviceMemory() + ")");
        }
        CudaStatus.runtime(status, "cudaMalloc(" + bytes + " bytes)", null);
        return p.address();
    }

    @Override
    protected void nativeFree(long address, long bytes) {
        CudaStatus.runtime(cudart.cudaFree(new DevicePointer(address)), "cudaFree", null);
    }

    /** The current device's {free, total} bytes, or null when CUDA does not say. */
    static long[] memoryInfo() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            if (cudart.cudaMemGetInfo(free, total) != cudart.cudaSuccess) {
                cudart.cudaGetLastError(); // not sticky, but keep it from being blamed on the next call
                return null;
            }
            return new long[] {free.get(), total.get()};
        }
    }

    /** "free X MiB of Y MiB on the device", for out-of-memory messages. */
    static String deviceMemory() {
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            if (cudart.cudaMemGetInfo(free, total) != cudart.cudaSuccess) {
                return "device memory unknown";
            }
            return "free " + (free.get() >> 20) + " MiB of " + (total.get() >> 20) + " MiB on the device";
        }
    }
}
