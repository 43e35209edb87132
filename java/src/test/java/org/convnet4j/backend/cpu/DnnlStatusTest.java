package org.convnet4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.dnnl.global.dnnl;
import org.convnet4j.backend.DnnlException;
import org.convnet4j.backend.NativeException;
import org.convnet4j.ops.Conv2dOp;
import org.convnet4j.tensor.Shape;
import org.convnet4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Every oneDNN status goes through Dnnl.check and becomes a typed exception naming call, status and op. */
class DnnlStatusTest {

    @Test
    void aFailingOneDnnCallBecomesADnnlExceptionWithTheCallStatusAndOp() {
        Object op = "reorder(test 2x3)";
        // An unknown format tag: oneDNN itself rejects it with dnnl_invalid_arguments.
        DnnlException e;
        try (DnnlScope s = new DnnlScope(op)) {
            e = assertThrows(DnnlException.class, () -> s.withTag(new long[] {2, 3}, 123456, dnnl.dnnl_f32));
        }
        assertEquals("oneDNN", e.library());
        assertEquals("dnnl_memory_desc_create_with_tag", e.call());
        assertEquals(dnnl.dnnl_invalid_arguments, e.status());
        assertTrue(e.getMessage().contains("dnnl_invalid_arguments"), e.getMessage());
        assertTrue(e.getMessage().contains("reorder(test 2x3)"), e.getMessage());
    }

    @Test
    void everyStatusCodeHasItsName() {
        NativeException e = assertThrows(NativeException.class,
                () -> Dnnl.check(dnnl.dnnl_unimplemented, "dnnl_x_create", "conv2d(input 1x1x1x1)"));
        assertTrue(e.getMessage().contains("dnnl_unimplemented (3)"), e.getMessage());
        e = assertThrows(NativeException.class, () -> Dnnl.check(77, "dnnl_x_create", null));
        assertTrue(e.getMessage().contains("status 77"), e.getMessage());
    }

    @Test
    void aClosedBackendRefusesWorkInsteadOfCallingIntoADeadEngine() {
        CpuBackend b = new CpuBackend();
        Conv2dOp op = Conv2dOp.of(Shape.of(1, 1, 4, 4), 1, 3);
        Tensor x = b.allocate(op.input());
        Tensor w = b.allocate(op.weightShape());
        Tensor bias = b.allocate(op.biasShape());
        Tensor y = b.allocate(op.outputShape());
        b.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.conv2dForward(op, x, w, bias, y));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        x.close();
        w.close();
        bias.close();
        y.close();
        assertEquals(0, b.pool().stats().reservedBytes(), "a closed pool frees blocks as they are returned");
    }
}
