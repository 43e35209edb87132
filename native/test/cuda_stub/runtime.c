/* libcudart.so.13 of the CUDA stub: the runtime API calls the CUDA backend makes. Each call makes
 * the primary context current on the calling thread, as the real runtime does. Device memory is
 * host memory from c4js_alloc, so copies are checked against live allocations and then done. */
#define _GNU_SOURCE
#include "stub.h"

#include <stdio.h>
#include <string.h>

enum {
    cudaSuccess = 0, cudaErrorInvalidValue = 1, cudaErrorMemoryAllocation = 2, cudaErrorInvalidDevice = 101,
    cudaErrorInvalidResourceHandle = 400
};
enum { H2D = 1, D2H = 2, D2D = 3 };

typedef c4js_object *cudaStream_t;
typedef c4js_object *cudaEvent_t;

static const struct { int code; const char *name; const char *text; } errors[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle", "invalid resource handle"},
};

C4JS_API const char *cudaGetErrorName(int error) {
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) if (errors[i].code == error) return errors[i].name;
    return "cudaErrorUnknown";
}

C4JS_API const char *cudaGetErrorString(int error) {
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) if (errors[i].code == error) return errors[i].text;
    return "unknown error";
}

C4JS_API int cudaGetLastError(void) {
    return cudaSuccess;
}

C4JS_API int cudaGetDeviceCount(int *count) {
    *count = c4js_device_count();
    return cudaSuccess;
}

C4JS_API int cudaDriverGetVersion(int *version) {
    *version = 13000;
    return cudaSuccess;
}

C4JS_API int cudaRuntimeGetVersion(int *version) {
    *version = 13030;
    return cudaSuccess;
}

C4JS_API int cudaSetDevice(int device) {
    if (device < 0 || device >= c4js_device_count()) return cudaErrorInvalidDevice;
    c4js_make_current();
    c4js_log("cudaSetDevice %d", device);
    return cudaSuccess;
}

C4JS_API int cudaGetDeviceProperties(void *prop, int device) {
    if (device < 0 || device >= c4js_device_count()) return cudaErrorInvalidDevice;
    c4js_make_current();
    char *p = prop;
    snprintf(p, 256, "convnet4j CUDA stub");
    size_t total = (size_t)80 << 30;
    int major = 9, minor = 0, sms = 132;
    memcpy(p + PROP_TOTAL_GLOBAL_MEM, &total, sizeof total);
    memcpy(p + PROP_MAJOR, &major, 4);
    memcpy(p + PROP_MINOR, &minor, 4);
    memcpy(p + PROP_MULTIPROCESSORS, &sms, 4);
    return cudaSuccess;
}

C4JS_API int cudaMalloc(void **p, size_t bytes) {
    c4js_make_current();
    int injected = c4js_fail("cudaMalloc", -1);
    int status = injected;
    void *q = injected ? NULL : c4js_alloc(bytes, 0, &status);
    c4js_log("cudaMalloc %zu -> %s", bytes, q ? "ok" : "out of memory");
    if (!q) return status ? status : cudaErrorMemoryAllocation;
    *p = q;
    return cudaSuccess;
}

C4JS_API int cudaFree(void *p) {
    c4js_make_current();
    if (!p) return cudaSuccess;
    if (c4js_free(p, 0) != 0) { c4js_log("cudaFree %p refused: no such allocation", p); return cudaErrorInvalidValue; }
    c4js_log("cudaFree %p", p);
    return cudaSuccess;
}

C4JS_API int cudaMallocHost(void **p, size_t bytes) {
    c4js_make_current();
    int status;
    void *q = c4js_alloc(bytes, 1, &status);
    if (!q) return cudaErrorMemoryAllocation;
    *p = q;
    c4js_log("cudaMallocHost %zu", bytes);
    return cudaSuccess;
}

C4JS_API int cudaFreeHost(void *p) {
    c4js_make_current();
    if (c4js_free(p, 1) != 0) { c4js_log("cudaFreeHost %p refused: no such allocation", p); return cudaErrorInvalidValue; }
    c4js_log("cudaFreeHost %p", p);
    return cudaSuccess;
}

C4JS_API int cudaMemGetInfo(size_t *free_bytes, size_t *total) {
    c4js_make_current();
    *total = c4js_budget();
    *free_bytes = c4js_budget() - c4js_device_bytes();
    return cudaSuccess;
}

static c4js_object *stream_of(const void *s, const char *call, int *status) {
    *status = cudaSuccess;
    if (!s) return NULL;
    c4js_object *o = c4js_find(s, C4JS_STREAM);
    if (!o) { c4js_log("%s refused: no such stream", call); *status = cudaErrorInvalidResourceHandle; }
    return o;
}

C4JS_API int cudaMemcpyAsync(void *dst, const void *src, size_t bytes, int kind, cudaStream_t stream) {
    c4js_make_current();
    int status;
    c4js_object *s = stream_of(stream, "cudaMemcpyAsync", &status);
    if (status) return status;
    uint64_t d = (uint64_t)(uintptr_t)dst, h = (uint64_t)(uintptr_t)src;
    int ok = kind == H2D ? c4js_in_device(d, bytes) && c4js_readable(src, bytes)
           : kind == D2H ? c4js_in_device(h, bytes) && !c4js_in_device(d, 1)
           : kind == D2D ? c4js_in_device(d, bytes) && c4js_in_device(h, bytes) : 0;
    const char *name = kind == H2D ? "H2D" : kind == D2H ? "D2H" : kind == D2D ? "D2D" : "?";
    c4js_log("cudaMemcpyAsync %s bytes=%zu dst=%p src=%p stream=%s%d%s", name, bytes, dst, src, s ? "s" : "default",
             s ? s->id : 0, ok ? "" : " refused: outside device memory or wrong direction");
    if (!ok) return cudaErrorInvalidValue;
    memmove(dst, src, bytes);
    if (s) c4js_queue(s);
    return cudaSuccess;
}

C4JS_API int cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned flags) {
    c4js_make_current();
    c4js_object *s = c4js_new(C4JS_STREAM);
    *stream = s;
    c4js_log("cudaStreamCreateWithFlags s%d flags=%u", s->id, flags);
    return cudaSuccess;
}

C4JS_API int cudaStreamSynchronize(cudaStream_t stream) {
    c4js_make_current();
    int status;
    c4js_object *s = stream_of(stream, "cudaStreamSynchronize", &status);
    if (status) return status;
    c4js_log("cudaStreamSynchronize %s%d pending=%ld", s ? "s" : "default", s ? s->id : 0, s ? s->pending : 0);
    if (s) s->pending = 0; else c4js_drain_all();
    return cudaSuccess;
}

C4JS_API int cudaDeviceSynchronize(void) {
    c4js_make_current();
    c4js_log("cudaDeviceSynchronize pending=%ld", c4js_pending_all());
    c4js_drain_all();
    return cudaSuccess;
}

C4JS_API int cudaStreamDestroy(cudaStream_t stream) {
    c4js_make_current();
    c4js_object *s = c4js_find(stream, C4JS_STREAM);
    if (!s) { c4js_log("cudaStreamDestroy refused: no such stream"); return cudaErrorInvalidResourceHandle; }
    c4js_log("cudaStreamDestroy s%d pending=%ld", s->id, s->pending);
    c4js_release(s);
    return cudaSuccess;
}

C4JS_API int cudaEventCreateWithFlags(cudaEvent_t *event, unsigned flags) {
    c4js_make_current();
    c4js_object *e = c4js_new(C4JS_EVENT);
    *event = e;
    c4js_log("cudaEventCreateWithFlags e%d flags=%u", e->id, flags);
    return cudaSuccess;
}

C4JS_API int cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
    c4js_make_current();
    c4js_object *e = c4js_find(event, C4JS_EVENT);
    int status;
    c4js_object *s = stream_of(stream, "cudaEventRecord", &status);
    if (!e || status) return cudaErrorInvalidResourceHandle;
    e->owner = s;
    c4js_log("cudaEventRecord e%d stream=%s%d", e->id, s ? "s" : "default", s ? s->id : 0);
    return cudaSuccess;
}

/* Waits for the stream the event was recorded on (the stub runs everything at once). */
C4JS_API int cudaEventSynchronize(cudaEvent_t event) {
    c4js_make_current();
    c4js_object *e = c4js_find(event, C4JS_EVENT);
    if (!e) return cudaErrorInvalidResourceHandle;
    if (e->owner) e->owner->pending = 0;
    c4js_log("cudaEventSynchronize e%d", e->id);
    return cudaSuccess;
}

C4JS_API int cudaEventDestroy(cudaEvent_t event) {
    c4js_make_current();
    c4js_object *e = c4js_find(event, C4JS_EVENT);
    if (!e) return cudaErrorInvalidResourceHandle;
    c4js_log("cudaEventDestroy e%d", e->id);
    c4js_release(e);
    return cudaSuccess;
}
