package org.convnet4j.backend.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.global.cudart;
import org.convnet4j.tensor.Tensor;

/**
 * Host-device copies through pinned staging buffers. Uploads are asynchronous: the array is copied
 * into one of two pinned buffers and a {@code cudaMemcpyAsync} is queued on the stream, so the host
 * goes on (to assemble the next batch, or to queue the step's kernels) while the copy runs; a buffer
 * is refilled only after its previous copy has finished (an event each). Downloads wait for the
 * stream, since the host needs the values.
 */
final class Transfers implements AutoCloseable {
    private final CudaContext ctx;
    private final Staging[] ring = {new Staging(), new Staging()};
    private int next;

    Transfers(CudaContext ctx) {
        this.ctx = ctx;
    }

    void upload(float[] src, Tensor dst) {
        Staging s = acquire(4L * src.length);
        new FloatPointer(s.host).put(src, 0, src.length);
        s.copyToDevice(dst.address(), 4L * src.length);
    }

    void upload(int[] src, Tensor dst) {
        Staging s = acquire(4L * src.length);
        new IntPointer(s.host).put(src, 0, src.length);
        s.copyToDevice(dst.address(), 4L * src.length);
    }

    void download(Tensor src, float[] dst) {
        Staging s = acquire(4L * dst.length);
        copyToHost(s, src.address(), 4L * dst.length);
        new FloatPointer(s.host).get(dst, 0, dst.length);
    }

    void download(long deviceAddress, int[] dst) {
        Staging s = acquire(4L * dst.length);
        copyToHost(s, deviceAddress, 4L * dst.length);
        new IntPointer(s.host).get(dst, 0, dst.length);
    }

    /** Copies a few ints to device memory (kernel scalars such as a label check's sentinel). */
    void uploadInts(int[] src, long deviceAddress) {
        Staging s = acquire(4L * src.length);
        new IntPointer(s.host).put(src, 0, src.length);
        s.copyToDevice(deviceAddress, 4L * src.length);
    }

    /** Copies longs (pointer tables, offsets) to device memory. */
    void uploadLongs(long[] src, long deviceAddress) {
        Staging s = acquire(8L * src.length);
        new org.bytedeco.javacpp.LongPointer(s.host).put(src, 0, src.length);
        s.copyToDevice(deviceAddress, 8L * src.length);
    }

    private void copyToHost(Staging s, long deviceAddress, long bytes) {
        ctx.makeCurrent();
        CudaStatus.runtime(cudart.cudaMemcpyAsync(s.host, new DevicePointer(deviceAddress), bytes,
                cudart.cudaMemcpyDeviceToHost, ctx.stream()), "cudaMemcpyAsync(device to host, " + bytes + " bytes)", null);
        ctx.synchronize("download");
    }

    /** The next staging buffer, once its last copy is done, with room for {@code bytes}. */
    private Staging acquire(long bytes) {
        Staging s = ring[next];
        next = (next + 1) % ring.length;
        s.awaitIdle();
        s.ensureCapacity(bytes);
        return s;
    }

    @Override
    public void close() {
        for (Staging s : ring) {
            s.close();
        }
    }

    private final class Staging {
        private Pointer host;
        private long capacity;
        private CUevent_st done;
        private boolean pending;

        void ensureCapacity(long bytes) {
            if (bytes <= capacity) {
                return;
            }
            freeHost();
            long size = Math.max(bytes, 1 << 16);
            Pointer p = new Pointer();
            int status = cudart.cudaMallocHost(p, size);
            CudaStatus.runtime(status, "cudaMallocHost(" + size + " bytes, pinned staging)", null);
            host = p;
            capacity = size;
        }

        void copyToDevice(long deviceAddress, long bytes) {
            ctx.makeCurrent();
            CudaStatus.runtime(cudart.cudaMemcpyAsync(new DevicePointer(deviceAddress), host, bytes,
                    cudart.cudaMemcpyHostToDevice, ctx.stream()), "cudaMemcpyAsync(host to device, " + bytes + " bytes)", null);
            if (done == null) {
                done = new CUevent_st();
                CudaStatus.runtime(cudart.cudaEventCreateWithFlags(done, cudart.cudaEventDisableTiming), "cudaEventCreate", null);
            }
            CudaStatus.runtime(cudart.cudaEventRecord(done, ctx.stream()), "cudaEventRecord", null);
            pending = true;
        }

        void awaitIdle() {
            if (pending) {
                CudaStatus.runtime(cudart.cudaEventSynchronize(done), "cudaEventSynchronize (staging buffer)", null);
                pending = false;
            }
        }

        private void freeHost() {
            if (host != null) {
                CudaStatus.runtime(cudart.cudaFreeHost(host), "cudaFreeHost", null);
                host = null;
                capacity = 0;
            }
        }

        void close() {
            if (pending) {
                cudart.cudaEventSynchronize(done);
            }
            if (host != null) {
                cudart.cudaFreeHost(host);
                host = null;
            }
            if (done != null) {
                cudart.cudaEventDestroy(done);
            }
        }
    }
}
