/* libc4jstub.so: the CUDA stub's shared state (see stub.h) and the JNI side of the test class
 * org.convnet4j.backend.cuda.StubDriver. One mutex guards everything: the stub is for correctness
 * tests, not speed. */
#define _GNU_SOURCE
#include "stub.h"

#include <errno.h>
#include <jni.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC 0xC4A5B0B5u
#define MAX_OBJECTS 16384
#define MAX_ALLOCS 16384
#define MAX_RULES 64
#define MAX_KERNELS 128

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *log_text;
static size_t log_len, log_cap;

static c4js_object *objects[MAX_OBJECTS];
static int object_count;
static int next_id[C4JS_KIND_COUNT];

typedef struct { uint64_t p; size_t bytes; int pinned; } allocation;
static allocation allocs[MAX_ALLOCS];
static int alloc_count;
static size_t device_bytes;
static size_t budget = (size_t)1 << 30;

typedef struct { char fn[64]; long key; int status; int times; } rule;
static rule rules[MAX_RULES];
static int rule_count;

typedef struct { char name[64]; char kinds[24]; } kernel;
static kernel kernels[MAX_KERNELS];
static int kernel_count;

static int devices = 1;
static __thread int current_ctx;
static int probe_pipe[2] = {-1, -1};

static c4js_algo default_algos[3][2] = {
    {{1, 0, 4096, 3}, {0, 0, 0, 3}},
    {{1, 0, 4096, 3}, {0, 0, 0, 3}},
    {{1, 0, 4096, 3}, {0, 0, 0, 3}},
};
static c4js_algo algos[3][8];
static int algo_count[3] = {-1, -1, -1};

static const char *kind_names[C4JS_KIND_COUNT] = {
    "?", "stream", "event", "module", "function", "cudnn", "cublas",
    "tensor", "filter", "convolution", "pooling", "activation"};

void c4js_log(const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
    line[n++] = '\n';
    pthread_mutex_lock(&lock);
    if (log_len + (size_t)n + 1 > log_cap) {
        size_t cap = (log_cap + (size_t)n + 1) * 2;
        char *grown = realloc(log_text, cap);
        if (grown) { log_text = grown; log_cap = cap; }
    }
    if (log_len + (size_t)n + 1 <= log_cap) {
        memcpy(log_text + log_len, line, (size_t)n);
        log_len += (size_t)n;
        log_text[log_len] = 0;
    }
    pthread_mutex_unlock(&lock);
}

const char *c4js_kind_name(int kind) {
    return kind > 0 && kind < C4JS_KIND_COUNT ? kind_names[kind] : "?";
}

c4js_object *c4js_new(int kind) {
    c4js_object *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    pthread_mutex_lock(&lock);
    if (object_count == MAX_OBJECTS) { pthread_mutex_unlock(&lock); free(o); return NULL; }
    o->magic = MAGIC;
    o->kind = kind;
    o->id = ++next_id[kind];
    o->live = 1;
    objects[object_count++] = o;
    pthread_mutex_unlock(&lock);
    return o;
}

c4js_object *c4js_find(const void *handle, int kind) {
    c4js_object *found = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < object_count; i++) {
        if (objects[i] == handle && objects[i]->live && objects[i]->kind == kind) { found = objects[i]; break; }
    }
    pthread_mutex_unlock(&lock);
    return found;
}

/* Released objects stay allocated (and findable as dead) so a stale handle is reported, not reused. */
void c4js_release(c4js_object *o) {
    pthread_mutex_lock(&lock);
    o->live = 0;
    pthread_mutex_unlock(&lock);
}

void c4js_release_owned(const c4js_object *owner, int kind) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < object_count; i++) {
        if (objects[i]->owner == owner && objects[i]->kind == kind) objects[i]->live = 0;
    }
    pthread_mutex_unlock(&lock);
}

int c4js_fail(const char *fn, long key) {
    int status = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < rule_count; i++) {
        rule *r = &rules[i];
        if (r->times != 0 && strcmp(r->fn, fn) == 0 && (r->key == -1 || r->key == key)) {
            status = r->status;
            if (r->times > 0) r->times--;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return status;
}

void *c4js_alloc(size_t bytes, int pinned, int *status) {
    *status = 0;
    pthread_mutex_lock(&lock);
    if (alloc_count == MAX_ALLOCS || (!pinned && device_bytes + bytes > budget)) {
        pthread_mutex_unlock(&lock);
        *status = 2;
        return NULL;
    }
    void *p = NULL;
    if (posix_memalign(&p, 256, bytes ? bytes : 1) != 0) {
        pthread_mutex_unlock(&lock);
        *status = 2;
        return NULL;
    }
    memset(p, 0xA5, bytes); /* like fresh device memory: not zeros */
    allocs[alloc_count++] = (allocation){(uint64_t)(uintptr_t)p, bytes, pinned};
    if (!pinned) device_bytes += bytes;
    pthread_mutex_unlock(&lock);
    return p;
}

int c4js_free(void *p, int pinned) {
    int result = -1;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < alloc_count; i++) {
        if (allocs[i].p == (uint64_t)(uintptr_t)p && allocs[i].pinned == pinned) {
            if (!pinned) device_bytes -= allocs[i].bytes;
            allocs[i] = allocs[--alloc_count];
            free(p);
            result = 0;
            break;
        }
    }
    pthread_mutex_unlock(&lock);
    return result;
}

int c4js_in_device(uint64_t p, size_t bytes) {
    int inside = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < alloc_count; i++) {
        if (!allocs[i].pinned && p >= allocs[i].p && p + bytes <= allocs[i].p + allocs[i].bytes) { inside = 1; break; }
    }
    pthread_mutex_unlock(&lock);
    return inside;
}

size_t c4js_device_bytes(void) {
    pthread_mutex_lock(&lock);
    size_t b = device_bytes;
    pthread_mutex_unlock(&lock);
    return b;
}

size_t c4js_budget(void) {
    return budget;
}

/* Whether bytes at p can be read: write() into a pipe fails with EFAULT instead of faulting. */
int c4js_readable(const void *p, size_t bytes) {
    if ((uintptr_t)p < 4096) return 0;
    char sink[256];
    int ok = 1;
    pthread_mutex_lock(&lock);
    if (probe_pipe[0] < 0 && pipe(probe_pipe) != 0) { pthread_mutex_unlock(&lock); return 0; }
    for (size_t done = 0; done < bytes && ok;) {
        size_t n = bytes - done < sizeof sink ? bytes - done : sizeof sink;
        ssize_t w = write(probe_pipe[1], (const char *)p + done, n);
        if (w <= 0) { ok = 0; break; }
        if (read(probe_pipe[0], sink, (size_t)w) != w) { ok = 0; break; }
        done += (size_t)w;
    }
    pthread_mutex_unlock(&lock);
    return ok;
}

uint64_t c4js_hash(const void *p, size_t bytes) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < bytes; i++) h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211ull;
    return h;
}

static __thread char cudnn_last_error[C4JS_LAST_ERROR_BYTES];

char *c4js_cudnn_last_error(void) {
    return cudnn_last_error;
}

int c4js_current(void) {
    return current_ctx;
}

void c4js_make_current(void) {
    current_ctx = 1;
}

int c4js_device_count(void) {
    return devices;
}

const char *c4js_kernel_kinds(const char *name) {
    const char *k = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < kernel_count; i++) {
        if (strcmp(kernels[i].name, name) == 0) { k = kernels[i].kinds; break; }
    }
    pthread_mutex_unlock(&lock);
    return k;
}

void c4js_queue(const void *stream) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < object_count; i++) {
        if (objects[i] == stream && objects[i]->kind == C4JS_STREAM) { objects[i]->pending++; break; }
    }
    pthread_mutex_unlock(&lock);
}

long c4js_pending_all(void) {
    long n = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < object_count; i++) {
        if (objects[i]->kind == C4JS_STREAM && objects[i]->live) n += objects[i]->pending;
    }
    pthread_mutex_unlock(&lock);
    return n;
}

void c4js_drain_all(void) {
    pthread_mutex_lock(&lock);
    for (int i = 0; i < object_count; i++) {
        if (objects[i]->kind == C4JS_STREAM) objects[i]->pending = 0;
    }
    pthread_mutex_unlock(&lock);
}

int c4js_algos(int pass, const c4js_algo **out) {
    if (pass < 0 || pass > 2) return 0;
    if (algo_count[pass] < 0) { *out = default_algos[pass]; return 2; }
    *out = algos[pass];
    return algo_count[pass];
}

/* ---- JNI: org.convnet4j.backend.cuda.StubDriver ---------------------------------------------- */

static void copy_string(JNIEnv *env, jstring s, char *dst, size_t cap) {
    const char *c = (*env)->GetStringUTFChars(env, s, NULL);
    snprintf(dst, cap, "%s", c ? c : "");
    if (c) (*env)->ReleaseStringUTFChars(env, s, c);
}

JNIEXPORT jstring JNICALL Java_org_convnet4j_backend_cuda_StubDriver_drain(JNIEnv *env, jclass cls) {
    (void)cls;
    pthread_mutex_lock(&lock);
    jstring s = (*env)->NewStringUTF(env, log_text ? log_text : "");
    log_len = 0;
    if (log_text) log_text[0] = 0;
    pthread_mutex_unlock(&lock);
    return s;
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cuda_StubDriver_reset(JNIEnv *env, jclass cls) {
    (void)env; (void)cls;
    pthread_mutex_lock(&lock);
    log_len = 0;
    if (log_text) log_text[0] = 0;
    rule_count = 0;
    budget = (size_t)1 << 30;
    devices = 1;
    algo_count[0] = algo_count[1] = algo_count[2] = -1;
    pthread_mutex_unlock(&lock);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cuda_StubDriver_declareKernel(JNIEnv *env, jclass cls,
                                                                                 jstring name, jstring kinds) {
    (void)cls;
    kernel k;
    copy_string(env, name, k.name, sizeof k.name);
    copy_string(env, kinds, k.kinds, sizeof k.kinds);
    pthread_mutex_lock(&lock);
    int i = 0;
    while (i < kernel_count && strcmp(kernels[i].name, k.name) != 0) i++;
    if (i < MAX_KERNELS) {
        kernels[i] = k;
        if (i == kernel_count) kernel_count++;
    }
    pthread_mutex_unlock(&lock);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cuda_StubDriver_failWhen(JNIEnv *env, jclass cls, jstring fn,
                                                                            jlong key, jint status, jint times) {
    (void)cls;
    rule r;
    copy_string(env, fn, r.fn, sizeof r.fn);
    r.key = (long)key;
    r.status = status;
    r.times = times;
    pthread_mutex_lock(&lock);
    if (rule_count < MAX_RULES) rules[rule_count++] = r;
    pthread_mutex_unlock(&lock);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cuda_StubDriver_memoryBudget(JNIEnv *env, jclass cls, jlong bytes) {
    (void)env; (void)cls;
    pthread_mutex_lock(&lock);
    budget = (size_t)bytes;
    pthread_mutex_unlock(&lock);
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cuda_StubDriver_deviceCount(JNIEnv *env, jclass cls, jint n) {
    (void)env; (void)cls;
    devices = n;
}

JNIEXPORT void JNICALL Java_org_convnet4j_backend_cuda_StubDriver_convAlgorithms(
        JNIEnv *env, jclass cls, jint pass, jintArray algo, jintArray status, jlongArray memory, jintArray math) {
    (void)cls;
    if (pass < 0 || pass > 2) return;
    jsize n = (*env)->GetArrayLength(env, algo);
    if (n > 8) n = 8;
    jint a[8], s[8], m[8];
    jlong b[8];
    (*env)->GetIntArrayRegion(env, algo, 0, n, a);
    (*env)->GetIntArrayRegion(env, status, 0, n, s);
    (*env)->GetLongArrayRegion(env, memory, 0, n, b);
    (*env)->GetIntArrayRegion(env, math, 0, n, m);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < n; i++) algos[pass][i] = (c4js_algo){a[i], s[i], (size_t)b[i], m[i]};
    algo_count[pass] = n;
    pthread_mutex_unlock(&lock);
}

/* What is still alive, e.g. "stream=1 module=0 ... deviceBytes=0 pinned=0". */
JNIEXPORT jstring JNICALL Java_org_convnet4j_backend_cuda_StubDriver_live(JNIEnv *env, jclass cls) {
    (void)cls;
    int count[C4JS_KIND_COUNT] = {0};
    int pinned = 0;
    char text[512];
    size_t len = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < object_count; i++) {
        if (objects[i]->live) count[objects[i]->kind]++;
    }
    for (int i = 0; i < alloc_count; i++) pinned += allocs[i].pinned;
    for (int k = 1; k < C4JS_KIND_COUNT; k++) {
        len += (size_t)snprintf(text + len, sizeof text - len, "%s=%d ", kind_names[k], count[k]);
    }
    snprintf(text + len, sizeof text - len, "deviceBytes=%zu pinned=%d", device_bytes, pinned);
    pthread_mutex_unlock(&lock);
    return (*env)->NewStringUTF(env, text);
}

/* The struct layouts the stub assumes, for the test to compare with the wrappers' own. */
JNIEXPORT jstring JNICALL Java_org_convnet4j_backend_cuda_StubDriver_layout(JNIEnv *env, jclass cls) {
    (void)cls;
    char text[256];
    snprintf(text, sizeof text,
             "algoPerf.size=%zu algoPerf.memory=%zu algoPerf.mathType=%zu deviceProp.totalGlobalMem=%d "
             "deviceProp.major=%d deviceProp.minor=%d deviceProp.multiProcessorCount=%d",
             sizeof(c4js_algo_perf), offsetof(c4js_algo_perf, memory), offsetof(c4js_algo_perf, mathType),
             PROP_TOTAL_GLOBAL_MEM, PROP_MAJOR, PROP_MINOR, PROP_MULTIPROCESSORS);
    return (*env)->NewStringUTF(env, text);
}
