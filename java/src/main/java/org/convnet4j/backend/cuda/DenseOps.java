package org.convnet4j.backend.cuda;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.cuda.global.cublas;
import org.convnet4j.ops.DenseOp;
import org.convnet4j.tensor.Tensor;

/**
 * DenseOp layers on cuBLAS SGEMM (TF32 tensor cores unless strict FP32 is asked for). Our tensors are
 * row-major; cuBLAS is column-major, so each product is computed transposed: a row-major M x K matrix
 * is cuBLAS's K x M. With x (N x in), w (in x units), y (N x units), all row-major:
 * <pre>
 *   y  = x . w      ->  y^T  = w^T . x^T      gemm(N, N, units, N, in)
 *   dx = dy . w^T   ->  dx^T = w . dy^T       gemm(T, N, in, N, units)
 *   dw = x^T . dy   ->  dw^T = dy^T . x       gemm(N, T, units, in, N)
 * </pre>
 * The bias add is {@code c4j_bias_act_f32} with H x W = 1, its gradient {@code c4j_bias_grad_f32}.
 */
final class DenseOps {
    private final CudaContext ctx;
    private final Kernels kernels;

    DenseOps(CudaContext ctx, Kernels kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
    }

    void forward(DenseOp op, Tensor x, Tensor w, Tensor bias, Tensor y) {
        op.checkForward(x, w, bias, y);
        int n = op.input().intDim(0);
        int in = op.inFeatures();
        int units = op.units();
        gemm(op, cublas.CUBLAS_OP_N, cublas.CUBLAS_OP_N, units, n, in, w, units, x, in, y, units);
        if (op.bias()) {
            kernels.elementwise("c4j_bias_act_f32", (long) n * units).ptr(y).ptr(bias).i64((long) n * units).i32(units)
                    .i64(1).i32(0).go(op);
        }
    }

    void backwardData(DenseOp op, Tensor dy, Tensor w, Tensor dx) {
        op.checkBackwardData(dy, w, dx);
        int n = op.input().intDim(0);
        gemm(op, cublas.CUBLAS_OP_T, cublas.CUBLAS_OP_N, op.inFeatures(), n, op.units(), w, op.units(), dy, op.units(),
                dx, op.inFeatures());
    }

    void backwardWeights(DenseOp op, Tensor x, Tensor dy, Tensor dw, Tensor dbias) {
        op.checkBackwardWeights(x, dy, dw, dbias);
        int n = op.input().intDim(0);
        gemm(op, cublas.CUBLAS_OP_N, cublas.CUBLAS_OP_T, op.units(), op.inFeatures(), n, dy, op.units(), x,
                op.inFeatures(), dw, op.units());
        if (dbias != null) {
            kernels.launch("c4j_bias_grad_f32", op.units(), Kernels.THREADS).ptr(dy).ptr(dbias).i32(n).i32(op.units())
                    .i64(1).go(op);
        }
    }

    /** C (m x n) = op(A) . op(B), column-major, beta 0. */
    private void gemm(DenseOp op, int transA, int transB, int m, int n, int k, Tensor a, int lda, Tensor b, int ldb,
                      Tensor c, int ldc) {
        CudaStatus.cublas(cublas.cublasSgemm_v2(ctx.cublas(), transA, transB, m, n, k, ctx.one(), device(a), lda,
                device(b), ldb, ctx.zero(), device(c), ldc), "cublasSgemm(m=" + m + ", n=" + n + ", k=" + k + ")", op);
    }

    private static FloatPointer device(Tensor t) {
        return new FloatPointer(DevicePointer.of(t));
    }
}
