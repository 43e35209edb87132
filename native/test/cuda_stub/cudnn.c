/* libcudnn_{graph,ops,cnn,adv}.so.9 of the CUDA stub: one source, four libraries, each exporting
 * its own calls (the version scripts beside this file). Handles and descriptors are checked, what
 * was set on them is recorded (so a test sees the NaN option, the math type, the running-statistics
 * pointers, the algorithm), every data pointer must lie in device memory, alpha and beta must be
 * host pointers. Nothing is computed. */
#define _GNU_SOURCE
#include "stub.h"

#include <stdio.h>
#include <string.h>

enum {
    OK = 0, NOT_INITIALIZED = 1001, BAD_PARAM = 2000, NOT_SUPPORTED = 3000, INTERNAL_ERROR = 4000,
    EXECUTION_FAILED = 5000
};

typedef c4js_object *H;
typedef c4js_object *D;

C4JS_API size_t cudnnGetVersion(void) { return 92500; }
C4JS_API size_t cudnnGetCudartVersion(void) { return 13030; }
C4JS_API int cudnnAdvVersionCheck(void) { return OK; }

C4JS_API const char *cudnnGetErrorString(int status) {
    switch (status) {
    case OK: return "CUDNN_STATUS_SUCCESS";
    case NOT_INITIALIZED: return "CUDNN_STATUS_NOT_INITIALIZED";
    case BAD_PARAM: return "CUDNN_STATUS_BAD_PARAM";
    case NOT_SUPPORTED: return "CUDNN_STATUS_NOT_SUPPORTED";
    case INTERNAL_ERROR: return "CUDNN_STATUS_INTERNAL_ERROR";
    case EXECUTION_FAILED: return "CUDNN_STATUS_EXECUTION_FAILED";
    default: return "CUDNN_STATUS_UNKNOWN";
    }
}

#define last_error (c4js_cudnn_last_error())

C4JS_API void cudnnGetLastErrorString(char *message, size_t max) {
    if (max == 0) return;
    snprintf(message, max, "%s", last_error);
    last_error[0] = 0;
}

static int refuse(const char *call, const char *why) {
    c4js_log("%s refused: %s", call, why);
    snprintf(last_error, C4JS_LAST_ERROR_BYTES, "CUDNN_STATUS_BAD_PARAM; stub: %s: %s", call, why);
    return BAD_PARAM;
}

/* ---- handle (graph) */

C4JS_API int cudnnCreate(H *h) {
    if (!c4js_current()) return NOT_INITIALIZED;
    *h = c4js_new(C4JS_CUDNN);
    c4js_log("cudnnCreate h%d", (*h)->id);
    return OK;
}

C4JS_API int cudnnDestroy(H h) {
    c4js_object *o = c4js_find(h, C4JS_CUDNN);
    if (!o) return refuse("cudnnDestroy", "no such handle");
    c4js_log("cudnnDestroy h%d", o->id);
    c4js_release(o);
    return OK;
}

C4JS_API int cudnnSetStream(H h, void *stream) {
    c4js_object *o = c4js_find(h, C4JS_CUDNN);
    if (!o) return refuse("cudnnSetStream", "no such handle");
    c4js_object *s = stream ? c4js_find(stream, C4JS_STREAM) : NULL;
    if (stream && !s) return refuse("cudnnSetStream", "no such stream");
    o->owner = s;
    c4js_log("cudnnSetStream h%d s%d", o->id, s ? s->id : 0);
    return OK;
}

/* ---- descriptors (ops, cnn) */

static int create(D *d, int kind, const char *call) {
    *d = c4js_new(kind);
    c4js_log("%s %s%d", call, c4js_kind_name(kind), (*d)->id);
    return OK;
}

static int destroy(D d, int kind, const char *call) {
    c4js_object *o = c4js_find(d, kind);
    if (!o) return refuse(call, "no such descriptor");
    c4js_release(o);
    return OK;
}

C4JS_API int cudnnCreateTensorDescriptor(D *d) { return create(d, C4JS_TENSOR_DESC, "cudnnCreateTensorDescriptor"); }
C4JS_API int cudnnDestroyTensorDescriptor(D d) { return destroy(d, C4JS_TENSOR_DESC, "cudnnDestroyTensorDescriptor"); }
C4JS_API int cudnnCreateFilterDescriptor(D *d) { return create(d, C4JS_FILTER_DESC, "cudnnCreateFilterDescriptor"); }
C4JS_API int cudnnDestroyFilterDescriptor(D d) { return destroy(d, C4JS_FILTER_DESC, "cudnnDestroyFilterDescriptor"); }
C4JS_API int cudnnCreateConvolutionDescriptor(D *d) { return create(d, C4JS_CONV_DESC, "cudnnCreateConvolutionDescriptor"); }
C4JS_API int cudnnDestroyConvolutionDescriptor(D d) { return destroy(d, C4JS_CONV_DESC, "cudnnDestroyConvolutionDescriptor"); }
C4JS_API int cudnnCreatePoolingDescriptor(D *d) { return create(d, C4JS_POOL_DESC, "cudnnCreatePoolingDescriptor"); }
C4JS_API int cudnnDestroyPoolingDescriptor(D d) { return destroy(d, C4JS_POOL_DESC, "cudnnDestroyPoolingDescriptor"); }
C4JS_API int cudnnCreateActivationDescriptor(D *d) { return create(d, C4JS_ACT_DESC, "cudnnCreateActivationDescriptor"); }
C4JS_API int cudnnDestroyActivationDescriptor(D d) { return destroy(d, C4JS_ACT_DESC, "cudnnDestroyActivationDescriptor"); }

static int set4(D d, int kind, const char *call, int n, int c, int h, int w) {
    c4js_object *o = c4js_find(d, kind);
    if (!o) return refuse(call, "no such descriptor");
    if (n <= 0 || c <= 0 || h <= 0 || w <= 0) return refuse(call, "a dimension is not positive");
    o->v[0] = n; o->v[1] = c; o->v[2] = h; o->v[3] = w;
    c4js_log("%s %s%d %dx%dx%dx%d", call, c4js_kind_name(kind), o->id, n, c, h, w);
    return OK;
}

/* cuDNN 9's codes: CUDNN_TENSOR_NCHW 0, NHWC 1; CUDNN_DATA_FLOAT 0, HALF 2, BFLOAT16 9. */
static int format_and_type(const char *call, D d, int kind, int format, int type) {
    if (format != 0 && format != 1) return refuse(call, "a tensor format other than NCHW (0) and NHWC (1)");
    if (type != 0 && type != 2 && type != 9) return refuse(call, "a data type other than FLOAT, HALF and BFLOAT16");
    c4js_find(d, kind)->v[4] = type == 0 ? 4 : 2;  /* bytes per element */
    c4js_log("%s format=%s type=%s", call, format ? "NHWC" : "NCHW", type == 0 ? "FLOAT" : type == 2 ? "HALF" : "BFLOAT16");
    return OK;
}

C4JS_API int cudnnSetTensor4dDescriptor(D d, int format, int type, int n, int c, int h, int w) {
    int status = set4(d, C4JS_TENSOR_DESC, "cudnnSetTensor4dDescriptor", n, c, h, w);
    return status != OK ? status : format_and_type("cudnnSetTensor4dDescriptor", d, C4JS_TENSOR_DESC, format, type);
}

C4JS_API int cudnnSetFilter4dDescriptor(D d, int type, int format, int k, int c, int h, int w) {
    int status = set4(d, C4JS_FILTER_DESC, "cudnnSetFilter4dDescriptor", k, c, h, w);
    return status != OK ? status : format_and_type("cudnnSetFilter4dDescriptor", d, C4JS_FILTER_DESC, format, type);
}

C4JS_API int cudnnDeriveBNTensorDescriptor(D derived, D x, int mode) {
    c4js_object *o = c4js_find(derived, C4JS_TENSOR_DESC), *xo = c4js_find(x, C4JS_TENSOR_DESC);
    if (!o || !xo) return refuse("cudnnDeriveBNTensorDescriptor", "no such descriptor");
    o->v[0] = 1; o->v[1] = xo->v[1]; o->v[2] = 1; o->v[3] = 1;
    o->v[4] = 4;  /* FP32 parameters, whatever x's type (as cuDNN derives for HALF and BFLOAT16) */
    c4js_log("cudnnDeriveBNTensorDescriptor tensor%d from tensor%d mode=%d", o->id, xo->id, mode);
    return OK;
}

C4JS_API int cudnnSetConvolution2dDescriptor(D d, int padH, int padW, int u, int v, int dh, int dw, int mode, int type) {
    c4js_object *o = c4js_find(d, C4JS_CONV_DESC);
    if (!o) return refuse("cudnnSetConvolution2dDescriptor", "no such descriptor");
    if (padH < 0 || padW < 0 || u <= 0 || v <= 0 || dh <= 0 || dw <= 0) return refuse("cudnnSetConvolution2dDescriptor", "bad geometry");
    c4js_log("cudnnSetConvolution2dDescriptor convolution%d pad=%d,%d stride=%d,%d dilation=%d,%d mode=%d type=%d",
             o->id, padH, padW, u, v, dh, dw, mode, type);
    return OK;
}

C4JS_API int cudnnSetConvolutionMathType(D d, int math) {
    c4js_object *o = c4js_find(d, C4JS_CONV_DESC);
    if (!o) return refuse("cudnnSetConvolutionMathType", "no such descriptor");
    o->v[4] = math;
    c4js_log("cudnnSetConvolutionMathType convolution%d math=%d", o->id, math);
    return OK;
}

C4JS_API int cudnnSetPooling2dDescriptor(D d, int mode, int nan, int wh, int ww, int ph, int pw, int sh, int sw) {
    c4js_object *o = c4js_find(d, C4JS_POOL_DESC);
    if (!o) return refuse("cudnnSetPooling2dDescriptor", "no such descriptor");
    c4js_log("cudnnSetPooling2dDescriptor pooling%d mode=%d nan=%d window=%d,%d pad=%d,%d stride=%d,%d", o->id, mode, nan,
             wh, ww, ph, pw, sh, sw);
    return OK;
}

C4JS_API int cudnnSetActivationDescriptor(D d, int mode, int nan, double coef) {
    c4js_object *o = c4js_find(d, C4JS_ACT_DESC);
    if (!o) return refuse("cudnnSetActivationDescriptor", "no such descriptor");
    c4js_log("cudnnSetActivationDescriptor activation%d mode=%d nan=%d coef=%g", o->id, mode, nan, coef);
    return OK;
}

/* ---- checks shared by the compute calls */

static int handle_ok(H h, const char *call) {
    c4js_object *o = c4js_find(h, C4JS_CUDNN);
    if (!o) return refuse(call, "no such handle");
    if (!c4js_current()) return refuse(call, "no current context on this thread");
    if (o->owner) c4js_queue(o->owner);
    return OK;
}

static size_t elements(D d, int kind) {
    c4js_object *o = c4js_find(d, kind);
    return o ? (size_t)(o->v[0] * o->v[1] * o->v[2] * o->v[3]) : 0;
}

/* A tensor argument: its descriptor is live and set, and its data lies in device memory. */
static int data_ok(const char *call, const char *what, D d, int kind, const void *p) {
    size_t n = elements(d, kind);
    char why[128];
    if (n == 0) { snprintf(why, sizeof why, "%s's descriptor is not a live, set %s descriptor", what, c4js_kind_name(kind)); return refuse(call, why); }
    c4js_object *o = c4js_find(d, kind);
    size_t bytes = o->v[4] ? (size_t)o->v[4] : 4;
    if (!c4js_in_device((uint64_t)(uintptr_t)p, bytes * n)) {
        snprintf(why, sizeof why, "%s (%zu elements of %zu bytes at %p) is not in device memory", what, n, bytes, p);
        return refuse(call, why);
    }
    return OK;
}

/* A parameter vector (scale, bias, mean, variance) of the BN descriptor's length; NULL when allowed. */
static int vec_ok(const char *call, const char *what, D bn, const void *p, int nullable) {
    if (!p && nullable) return OK;
    return data_ok(call, what, bn, C4JS_TENSOR_DESC, p);
}

static int scalar_ok(const char *call, const char *what, const void *p) {
    char why[96];
    if (!c4js_readable(p, 4) || c4js_in_device((uint64_t)(uintptr_t)p, 1)) {
        snprintf(why, sizeof why, "%s is not a host pointer", what);
        return refuse(call, why);
    }
    return OK;
}

#define CHECK(e) do { int s_ = (e); if (s_) return s_; } while (0)

/* ---- activation, pooling, batch norm (ops) */

C4JS_API int cudnnActivationForward(H h, D act, const void *alpha, D xd, const void *x, const void *beta, D yd, void *y) {
    const char *c = "cudnnActivationForward";
    CHECK(handle_ok(h, c));
    if (!c4js_find(act, C4JS_ACT_DESC)) return refuse(c, "no such activation descriptor");
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "y", yd, C4JS_TENSOR_DESC, y));
    c4js_log("%s activation%d", c, ((c4js_object *)act)->id);
    return c4js_fail(c, -1);
}

C4JS_API int cudnnActivationBackward(H h, D act, const void *alpha, D yd, const void *y, D dyd, const void *dy, D xd,
                                     const void *x, const void *beta, D dxd, void *dx) {
    const char *c = "cudnnActivationBackward";
    CHECK(handle_ok(h, c));
    if (!c4js_find(act, C4JS_ACT_DESC)) return refuse(c, "no such activation descriptor");
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "y", yd, C4JS_TENSOR_DESC, y)); CHECK(data_ok(c, "dy", dyd, C4JS_TENSOR_DESC, dy));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "dx", dxd, C4JS_TENSOR_DESC, dx));
    c4js_log("%s", c);
    return c4js_fail(c, -1);
}

C4JS_API int cudnnPoolingForward(H h, D pool, const void *alpha, D xd, const void *x, const void *beta, D yd, void *y) {
    const char *c = "cudnnPoolingForward";
    CHECK(handle_ok(h, c));
    if (!c4js_find(pool, C4JS_POOL_DESC)) return refuse(c, "no such pooling descriptor");
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "y", yd, C4JS_TENSOR_DESC, y));
    c4js_log("%s pooling%d", c, ((c4js_object *)pool)->id);
    return c4js_fail(c, -1);
}

C4JS_API int cudnnPoolingBackward(H h, D pool, const void *alpha, D yd, const void *y, D dyd, const void *dy, D xd,
                                  const void *x, const void *beta, D dxd, void *dx) {
    const char *c = "cudnnPoolingBackward";
    CHECK(handle_ok(h, c));
    if (!c4js_find(pool, C4JS_POOL_DESC)) return refuse(c, "no such pooling descriptor");
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "y", yd, C4JS_TENSOR_DESC, y)); CHECK(data_ok(c, "dy", dyd, C4JS_TENSOR_DESC, dy));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "dx", dxd, C4JS_TENSOR_DESC, dx));
    c4js_log("%s pooling%d", c, ((c4js_object *)pool)->id);
    return c4js_fail(c, -1);
}

C4JS_API int cudnnBatchNormalizationForwardTraining(H h, int mode, const void *alpha, const void *beta, D xd,
        const void *x, D yd, void *y, D bn, const void *scale, const void *bias, double factor, void *runMean,
        void *runVar, double eps, void *saveMean, void *saveInvVar) {
    const char *c = "cudnnBatchNormalizationForwardTraining";
    CHECK(handle_ok(h, c));
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "y", yd, C4JS_TENSOR_DESC, y));
    CHECK(vec_ok(c, "scale", bn, scale, 0)); CHECK(vec_ok(c, "bias", bn, bias, 0));
    if ((runMean == NULL) != (runVar == NULL)) return refuse(c, "one running statistic is NULL and the other not");
    CHECK(vec_ok(c, "runningMean", bn, runMean, 1)); CHECK(vec_ok(c, "runningVariance", bn, runVar, 1));
    if ((saveMean == NULL) != (saveInvVar == NULL)) return refuse(c, "one saved statistic is NULL and the other not");
    CHECK(vec_ok(c, "saveMean", bn, saveMean, 1)); CHECK(vec_ok(c, "saveInvVariance", bn, saveInvVar, 1));
    if (eps < 1e-5) return refuse(c, "epsilon below CUDNN_BN_MIN_EPSILON");
    c4js_log("%s mode=%d factor=%g running=%s saved=%s", c, mode, factor, runMean ? "set" : "null", saveMean ? "set" : "null");
    return c4js_fail(c, -1);
}

C4JS_API int cudnnBatchNormalizationForwardInference(H h, int mode, const void *alpha, const void *beta, D xd,
        const void *x, D yd, void *y, D bn, const void *scale, const void *bias, const void *mean, const void *var,
        double eps) {
    const char *c = "cudnnBatchNormalizationForwardInference";
    CHECK(handle_ok(h, c));
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "y", yd, C4JS_TENSOR_DESC, y));
    CHECK(vec_ok(c, "scale", bn, scale, 0)); CHECK(vec_ok(c, "bias", bn, bias, 0));
    CHECK(vec_ok(c, "mean", bn, mean, 0)); CHECK(vec_ok(c, "variance", bn, var, 0));
    if (eps < 1e-5) return refuse(c, "epsilon below CUDNN_BN_MIN_EPSILON");
    c4js_log("%s mode=%d", c, mode);
    return c4js_fail(c, -1);
}

C4JS_API int cudnnBatchNormalizationBackward(H h, int mode, const void *ad, const void *bd, const void *ap,
        const void *bp, D xd, const void *x, D dyd, const void *dy, D dxd, void *dx, D bn, const void *scale,
        void *dscale, void *dbias, double eps, const void *savedMean, const void *savedInvVar) {
    const char *c = "cudnnBatchNormalizationBackward";
    CHECK(handle_ok(h, c));
    CHECK(scalar_ok(c, "alphaData", ad)); CHECK(scalar_ok(c, "betaData", bd));
    CHECK(scalar_ok(c, "alphaParam", ap)); CHECK(scalar_ok(c, "betaParam", bp));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "dy", dyd, C4JS_TENSOR_DESC, dy));
    CHECK(data_ok(c, "dx", dxd, C4JS_TENSOR_DESC, dx));
    CHECK(vec_ok(c, "scale", bn, scale, 0)); CHECK(vec_ok(c, "dScale", bn, dscale, 0)); CHECK(vec_ok(c, "dBias", bn, dbias, 0));
    if ((savedMean == NULL) != (savedInvVar == NULL)) return refuse(c, "one saved statistic is NULL and the other not");
    CHECK(vec_ok(c, "savedMean", bn, savedMean, 1)); CHECK(vec_ok(c, "savedInvVariance", bn, savedInvVar, 1));
    c4js_log("%s mode=%d saved=%s", c, mode, savedMean ? "set" : "null");
    return c4js_fail(c, -1);
}

/* ---- convolution (cnn) */

typedef c4js_algo_perf algo_perf;

static int heuristics(int pass, const char *call, H h, D a, int ka, D b, int kb, D conv, D d, int kd, int requested,
                      int *returned, algo_perf *perf) {
    CHECK(handle_ok(h, call));
    if (!c4js_find(a, ka) || !c4js_find(b, kb) || !c4js_find(conv, C4JS_CONV_DESC) || !c4js_find(d, kd)) {
        return refuse(call, "a descriptor is not live");
    }
    if (requested <= 0) return refuse(call, "requestedAlgoCount is not positive");
    const c4js_algo *offer;
    int n = c4js_algos(pass, &offer);
    if (n > requested) n = requested;
    for (int i = 0; i < n; i++) {
        memset(&perf[i], 0, sizeof perf[i]);
        perf[i].algo = offer[i].algo;
        perf[i].status = offer[i].status;
        perf[i].time = -1;
        perf[i].memory = offer[i].memory;
        perf[i].mathType = offer[i].math;
    }
    *returned = n;
    c4js_log("%s offered %d", call, n);
    return OK;
}

C4JS_API int cudnnGetConvolutionForwardAlgorithm_v7(H h, D x, D w, D conv, D y, int requested, int *returned, algo_perf *perf) {
    return heuristics(0, "cudnnGetConvolutionForwardAlgorithm_v7", h, x, C4JS_TENSOR_DESC, w, C4JS_FILTER_DESC, conv, y,
                      C4JS_TENSOR_DESC, requested, returned, perf);
}

C4JS_API int cudnnGetConvolutionBackwardDataAlgorithm_v7(H h, D w, D dy, D conv, D dx, int requested, int *returned,
                                                         algo_perf *perf) {
    return heuristics(1, "cudnnGetConvolutionBackwardDataAlgorithm_v7", h, w, C4JS_FILTER_DESC, dy, C4JS_TENSOR_DESC, conv,
                      dx, C4JS_TENSOR_DESC, requested, returned, perf);
}

C4JS_API int cudnnGetConvolutionBackwardFilterAlgorithm_v7(H h, D x, D dy, D conv, D dw, int requested, int *returned,
                                                           algo_perf *perf) {
    return heuristics(2, "cudnnGetConvolutionBackwardFilterAlgorithm_v7", h, x, C4JS_TENSOR_DESC, dy, C4JS_TENSOR_DESC,
                      conv, dw, C4JS_FILTER_DESC, requested, returned, perf);
}

/* The algorithm must be one the heuristics offered, with at least the workspace it asked for. */
static int run_conv(int pass, const char *call, int algo, void *ws, size_t wsBytes, D conv) {
    const c4js_algo *offer;
    int n = c4js_algos(pass, &offer);
    int i = 0;
    while (i < n && offer[i].algo != algo) i++;
    if (i == n) return refuse(call, "an algorithm the heuristics did not offer");
    if (wsBytes < offer[i].memory) return refuse(call, "workspace smaller than the algorithm needs");
    if (wsBytes > 0 && !c4js_in_device((uint64_t)(uintptr_t)ws, wsBytes)) return refuse(call, "workspace not in device memory");
    c4js_object *cd = c4js_find(conv, C4JS_CONV_DESC);
    int status = c4js_fail(call, algo);
    c4js_log("%s algo=%d workspace=%zu math=%ld status=%d", call, algo, wsBytes, cd ? cd->v[4] : -1L, status);
    if (status) snprintf(last_error, C4JS_LAST_ERROR_BYTES, "stub: %s failed with algo %d as the test asked", call, algo);
    return status;
}

C4JS_API int cudnnConvolutionForward(H h, const void *alpha, D xd, const void *x, D wd, const void *w, D conv, int algo,
                                     void *ws, size_t wsBytes, const void *beta, D yd, void *y) {
    const char *c = "cudnnConvolutionForward";
    CHECK(handle_ok(h, c));
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "w", wd, C4JS_FILTER_DESC, w));
    CHECK(data_ok(c, "y", yd, C4JS_TENSOR_DESC, y));
    return run_conv(0, c, algo, ws, wsBytes, conv);
}

C4JS_API int cudnnConvolutionBackwardData(H h, const void *alpha, D wd, const void *w, D dyd, const void *dy, D conv,
                                          int algo, void *ws, size_t wsBytes, const void *beta, D dxd, void *dx) {
    const char *c = "cudnnConvolutionBackwardData";
    CHECK(handle_ok(h, c));
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "w", wd, C4JS_FILTER_DESC, w)); CHECK(data_ok(c, "dy", dyd, C4JS_TENSOR_DESC, dy));
    CHECK(data_ok(c, "dx", dxd, C4JS_TENSOR_DESC, dx));
    return run_conv(1, c, algo, ws, wsBytes, conv);
}

C4JS_API int cudnnConvolutionBackwardFilter(H h, const void *alpha, D xd, const void *x, D dyd, const void *dy, D conv,
                                            int algo, void *ws, size_t wsBytes, const void *beta, D dwd, void *dw) {
    const char *c = "cudnnConvolutionBackwardFilter";
    CHECK(handle_ok(h, c));
    CHECK(scalar_ok(c, "alpha", alpha)); CHECK(scalar_ok(c, "beta", beta));
    CHECK(data_ok(c, "x", xd, C4JS_TENSOR_DESC, x)); CHECK(data_ok(c, "dy", dyd, C4JS_TENSOR_DESC, dy));
    CHECK(data_ok(c, "dw", dwd, C4JS_FILTER_DESC, dw));
    return run_conv(2, c, algo, ws, wsBytes, conv);
}
