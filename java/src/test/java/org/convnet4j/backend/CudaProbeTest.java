package org.convnet4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The probe's account of a CUDA library that did not load names the file or function a user must supply. */
class CudaProbeTest {
    @Test
    void namesTheMissingSubLibraryFromJavaCppsNestedError() {
        UnsatisfiedLinkError inner = new UnsatisfiedLinkError("/root/.javacpp/cache/cuda-13.3-9.25-1.5.14-linux-x86_64.jar/"
                + "org/bytedeco/cuda/linux-x86_64/libjnicudnn.so: libcudnn_cnn.so.9: cannot open shared object file: "
                + "No such file or directory");
        UnsatisfiedLinkError outer = new UnsatisfiedLinkError("no jnicudnn in java.library.path: /usr/lib");
        outer.initCause(inner);
        assertEquals("libcudnn_cnn.so.9 not found: put its folder on LD_LIBRARY_PATH", CudaProbe.missing(outer));
        assertEquals("libcublasLt.so.13 not found: put its folder on LD_LIBRARY_PATH", CudaProbe.missing(
                new UnsatisfiedLinkError("libjnicublas.so: libcublasLt.so.13: cannot open shared object file")));
    }

    @Test
    void namesTheFunctionAnOlderLibraryLacks() {
        assertEquals("libcudnn_graph.so.9 has no cudnnGetLastErrorString: it is older than the CUDA 13.3 / cuDNN 9.25 "
                + "the wrappers were built for", CudaProbe.missing(new UnsatisfiedLinkError(
                "libjnicudnn.so: undefined symbol: cudnnGetLastErrorString, version libcudnn_graph.so.9")));
    }

    @Test
    void anyOtherFailureKeepsItsFirstLine() {
        assertEquals("UnsatisfiedLinkError: something else", CudaProbe.missing(
                new UnsatisfiedLinkError("something else\nsecond line")));
    }
}
