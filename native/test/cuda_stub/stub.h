/*
 * The CUDA stub: stand-ins for libcuda.so.1, libcudart.so.13, libcublas(Lt).so.13 and
 * libcudnn_{graph,ops,cnn,adv}.so.9 that the JavaCPP wrappers load in place of NVIDIA's libraries
 * on a machine with no GPU. Tests only: they record every call with its arguments, check what the
 * real libraries would refuse (no current context, a dead handle, a pointer outside every device
 * allocation, both kernelParams and extra), run a few kernels on the host, and fail calls on demand.
 * Device memory is host memory. The shared state lives in libc4jstub.so (core.c), which also holds
 * the JNI entry points of the test class org.convnet4j.backend.cuda.StubDriver.
 */
#ifndef C4J_CUDA_STUB_H
#define C4J_CUDA_STUB_H

#include <stddef.h>
#include <stdint.h>

#define C4JS_API __attribute__((visibility("default")))

enum c4js_kind {
    C4JS_STREAM = 1, C4JS_EVENT, C4JS_MODULE, C4JS_FUNCTION, C4JS_CUDNN, C4JS_CUBLAS,
    C4JS_TENSOR_DESC, C4JS_FILTER_DESC, C4JS_CONV_DESC, C4JS_POOL_DESC, C4JS_ACT_DESC, C4JS_KIND_COUNT
};

/* A handle the stub hands out: streams, modules, functions, library handles, descriptors. */
typedef struct c4js_object {
    uint32_t magic;
    int kind;
    int id;
    int live;
    long pending;            /* streams: work queued since the last synchronize */
    const void *image;       /* modules: the image passed to cuModuleLoadData */
    size_t image_bytes;
    uint64_t image_hash;     /* of its first bytes at load time */
    struct c4js_object *owner; /* functions: their module; library handles: their stream */
    char name[64];           /* functions: the kernel name */
    char kinds[24];          /* functions: the declared parameter kinds (P, L, I, F) */
    long v[8];               /* descriptors: what was set */
} c4js_object;

C4JS_API void c4js_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
C4JS_API c4js_object *c4js_new(int kind);
C4JS_API c4js_object *c4js_find(const void *handle, int kind); /* NULL unless live and of that kind */
C4JS_API void c4js_release(c4js_object *o);
C4JS_API void c4js_release_owned(const c4js_object *owner, int kind); /* e.g. a module's functions */
C4JS_API const char *c4js_kind_name(int kind);

/* The status to return instead of success for fn (key: an algorithm number, or -1), or 0. */
C4JS_API int c4js_fail(const char *fn, long key);

/* Memory: device allocations (and pinned host ones) tracked so that pointers can be checked. */
C4JS_API void *c4js_alloc(size_t bytes, int pinned, int *status);
C4JS_API int c4js_free(void *p, int pinned);           /* 0, or -1 when p is no live allocation */
C4JS_API int c4js_in_device(uint64_t p, size_t bytes); /* [p, p+bytes) inside one live device allocation */
C4JS_API size_t c4js_device_bytes(void);
C4JS_API size_t c4js_budget(void);
C4JS_API int c4js_readable(const void *p, size_t bytes); /* host memory that can be read without a fault */
C4JS_API uint64_t c4js_hash(const void *p, size_t bytes);

/* The current context of the calling thread (the runtime makes the primary one current). */
C4JS_API int c4js_current(void);
C4JS_API void c4js_make_current(void);
C4JS_API int c4js_device_count(void);

/* cuDNN's last error message: one per thread, shared by the four cuDNN libraries. */
C4JS_API char *c4js_cudnn_last_error(void);
#define C4JS_LAST_ERROR_BYTES 256

/* Kernel declarations, handed in by the test from the .cu sources. */
C4JS_API const char *c4js_kernel_kinds(const char *name);

/* A stream's pending work: one more queued item, or drained by a synchronize. */
C4JS_API void c4js_queue(const void *stream);
C4JS_API long c4js_pending_all(void);
C4JS_API void c4js_drain_all(void);

/* Convolution algorithms cuDNN's heuristics offer (pass 0 forward, 1 backward-data, 2 backward-filter). */
typedef struct { int algo; int status; size_t memory; int math; } c4js_algo;
C4JS_API int c4js_algos(int pass, const c4js_algo **out);

/* cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t: one layout for all three in cuDNN 9. */
typedef struct {
    int algo;
    int status;
    float time;
    size_t memory;
    int determinism;
    int mathType;
    int reserved[3];
} c4js_algo_perf;

/* cudaDeviceProp as CUDA 13's driver_types.h lays it out (1008 bytes); the stub fills four fields.
 * StubDriver.layout() reports these and the test compares them with the wrappers' (Loader.offsetof). */
#define PROP_TOTAL_GLOBAL_MEM 288
#define PROP_MAJOR 360
#define PROP_MINOR 364
#define PROP_MULTIPROCESSORS 384

#endif
