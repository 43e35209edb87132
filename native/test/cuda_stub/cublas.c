/* libcublas.so.13 (and, from lt.c, libcublasLt.so.13) of the CUDA stub. SGEMM is computed on the
 * host (column-major, as cuBLAS), after checking that A, B and C lie in device memory at the
 * extents their leading dimensions imply and that alpha and beta are host pointers. */
#define _GNU_SOURCE
#include "stub.h"

#include <stdio.h>
#include <string.h>

enum { OK = 0, NOT_INITIALIZED = 1, INVALID_VALUE = 7, EXECUTION_FAILED = 13 };
enum { OP_N = 0, OP_T = 1 };

typedef c4js_object *H;

C4JS_API const char *cublasGetStatusName(int s) {
    switch (s) {
    case OK: return "CUBLAS_STATUS_SUCCESS";
    case NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    default: return "CUBLAS_STATUS_UNKNOWN";
    }
}

C4JS_API const char *cublasGetStatusString(int s) {
    switch (s) {
    case OK: return "success";
    case NOT_INITIALIZED: return "the library was not initialized";
    case INVALID_VALUE: return "an unsupported value or parameter was passed to the function";
    case EXECUTION_FAILED: return "the GPU program failed to execute";
    default: return "unknown";
    }
}

C4JS_API int cublasGetProperty(int type, int *value) {
    static const int version[3] = {13, 3, 0};
    if (type < 0 || type > 2) return INVALID_VALUE;
    *value = version[type];
    return OK;
}

C4JS_API int cublasCreate_v2(H *h) {
    if (!c4js_current()) return NOT_INITIALIZED;
    *h = c4js_new(C4JS_CUBLAS);
    c4js_log("cublasCreate h%d", (*h)->id);
    return OK;
}

C4JS_API int cublasDestroy_v2(H h) {
    c4js_object *o = c4js_find(h, C4JS_CUBLAS);
    if (!o) return NOT_INITIALIZED;
    c4js_log("cublasDestroy h%d", o->id);
    c4js_release(o);
    return OK;
}

C4JS_API int cublasSetStream_v2(H h, void *stream) {
    c4js_object *o = c4js_find(h, C4JS_CUBLAS);
    if (!o) return NOT_INITIALIZED;
    c4js_object *s = stream ? c4js_find(stream, C4JS_STREAM) : NULL;
    if (stream && !s) { c4js_log("cublasSetStream refused: no such stream"); return INVALID_VALUE; }
    o->owner = s;
    c4js_log("cublasSetStream h%d s%d", o->id, s ? s->id : 0);
    return OK;
}

C4JS_API int cublasSetMathMode(H h, int mode) {
    c4js_object *o = c4js_find(h, C4JS_CUBLAS);
    if (!o) return NOT_INITIALIZED;
    o->v[0] = mode;
    c4js_log("cublasSetMathMode h%d mode=%d", o->id, mode);
    return OK;
}

static int matrix_ok(const char *what, const float *p, int op, int rows, int cols, int ld) {
    /* op(X) is rows x cols; X itself is stored ld x (op == N ? cols : rows), column-major */
    int stored_rows = op == OP_N ? rows : cols;
    int stored_cols = op == OP_N ? cols : rows;
    if (ld < (stored_rows > 1 ? stored_rows : 1)) { c4js_log("cublasSgemm refused: ld of %s too small", what); return 0; }
    size_t bytes = 4 * ((size_t)ld * (size_t)(stored_cols - 1) + (size_t)stored_rows);
    if (!c4js_in_device((uint64_t)(uintptr_t)p, bytes)) { c4js_log("cublasSgemm refused: %s not in device memory", what); return 0; }
    return 1;
}

static float at(const float *x, int op, int ld, int r, int c) {
    return op == OP_N ? x[(size_t)c * ld + r] : x[(size_t)r * ld + c];
}

C4JS_API int cublasSgemm_v2(H h, int ta, int tb, int m, int n, int k, const float *alpha, const float *A, int lda,
                            const float *B, int ldb, const float *beta, float *C, int ldc) {
    c4js_object *o = c4js_find(h, C4JS_CUBLAS);
    if (!o) return NOT_INITIALIZED;
    if (!c4js_current()) { c4js_log("cublasSgemm refused: no current context on this thread"); return EXECUTION_FAILED; }
    if ((ta != OP_N && ta != OP_T) || (tb != OP_N && tb != OP_T) || m < 0 || n < 0 || k < 0) return INVALID_VALUE;
    if (!c4js_readable(alpha, 4) || !c4js_readable(beta, 4) || c4js_in_device((uint64_t)(uintptr_t)alpha, 1)
        || c4js_in_device((uint64_t)(uintptr_t)beta, 1)) {
        c4js_log("cublasSgemm refused: alpha or beta is not a host pointer");
        return INVALID_VALUE;
    }
    if (m == 0 || n == 0) return OK;
    if (!matrix_ok("A", A, ta, m, k, lda) || !matrix_ok("B", B, tb, k, n, ldb) || !matrix_ok("C", C, OP_N, m, n, ldc)) {
        return INVALID_VALUE;
    }
    int injected = c4js_fail("cublasSgemm_v2", -1);
    c4js_log("cublasSgemm %c%c m=%d n=%d k=%d lda=%d ldb=%d ldc=%d status=%d", ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k,
             lda, ldb, ldc, injected);
    if (injected) return injected;
    for (int j = 0; j < n; j++) {
        for (int i = 0; i < m; i++) {
            double s = 0;
            for (int p = 0; p < k; p++) s += (double)at(A, ta, lda, i, p) * at(B, tb, ldb, p, j);
            float *c = &C[(size_t)j * ldc + i];
            *c = (float)(*alpha * s + (*beta == 0 ? 0 : *beta * *c));
        }
    }
    if (o->owner) c4js_queue(o->owner);
    return OK;
}
