/* libcuda.so.1 of the CUDA stub: the driver API calls the CUDA backend makes (module load, kernel
 * lookup and launch, unload, error names). A launch is refused as the real driver would refuse it,
 * and also when an argument cannot be read or a pointer argument is outside device memory; it is
 * recorded with every argument decoded by the kernel's declared kinds. fill, add, accumulate and
 * bias+relu run on the host, so a test can check values end to end. */
#define _GNU_SOURCE
#include "stub.h"

#include <stdint.h>
#include <stdio.h>
#include <math.h>
#include <string.h>

enum {
    CUDA_SUCCESS = 0, CUDA_ERROR_INVALID_VALUE = 1, CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201, CUDA_ERROR_INVALID_HANDLE = 400, CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700, CUDA_ERROR_LAUNCH_FAILED = 719
};

typedef c4js_object *CUmodule;
typedef c4js_object *CUfunction;
typedef c4js_object *CUstream;

static const struct { int code; const char *name; const char *text; } errors[] = {
    {CUDA_SUCCESS, "CUDA_SUCCESS", "no error"},
    {CUDA_ERROR_INVALID_VALUE, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {CUDA_ERROR_INVALID_IMAGE, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {CUDA_ERROR_INVALID_CONTEXT, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {CUDA_ERROR_INVALID_HANDLE, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {CUDA_ERROR_NOT_FOUND, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {CUDA_ERROR_ILLEGAL_ADDRESS, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {CUDA_ERROR_LAUNCH_FAILED, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
};

C4JS_API int cuGetErrorName(int error, const char **out) {
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == error) { *out = errors[i].name; return CUDA_SUCCESS; }
    }
    *out = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

C4JS_API int cuGetErrorString(int error, const char **out) {
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        if (errors[i].code == error) { *out = errors[i].text; return CUDA_SUCCESS; }
    }
    *out = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

/* A fatbin starts with magic 0xBA55ED50, a 16-bit version, a 16-bit header size and a 64-bit size. */
static size_t fatbin_bytes(const void *image) {
    if (!c4js_readable(image, 16)) return 0;
    const unsigned char *b = image;
    uint32_t magic;
    uint16_t header;
    uint64_t size;
    memcpy(&magic, b, 4);
    memcpy(&header, b + 6, 2);
    memcpy(&size, b + 8, 8);
    if (magic != 0xBA55ED50u || size > ((uint64_t)1 << 32)) return 0;
    return header + (size_t)size;
}

/* Whether the module's image is still the one it was loaded from (the caller must keep it alive). */
static int image_intact(const c4js_object *m) {
    return c4js_readable(m->image, m->image_bytes) && c4js_hash(m->image, m->image_bytes) == m->image_hash;
}

C4JS_API int cuModuleLoadData(CUmodule *module, const void *image) {
    if (!c4js_current()) { c4js_log("cuModuleLoadData refused: no current context on this thread"); return CUDA_ERROR_INVALID_CONTEXT; }
    int injected = c4js_fail("cuModuleLoadData", -1);
    if (injected) return injected;
    size_t bytes = fatbin_bytes(image);
    if (bytes == 0 || !c4js_readable(image, bytes)) { c4js_log("cuModuleLoadData refused: not a fatbin"); return CUDA_ERROR_INVALID_IMAGE; }
    c4js_object *m = c4js_new(C4JS_MODULE);
    m->image = image;
    m->image_bytes = bytes;
    m->image_hash = c4js_hash(image, bytes);
    *module = m;
    c4js_log("cuModuleLoadData m%d bytes=%zu", m->id, bytes);
    return CUDA_SUCCESS;
}

C4JS_API int cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
    if (!c4js_current()) { c4js_log("cuModuleGetFunction %s refused: no current context on this thread", name); return CUDA_ERROR_INVALID_CONTEXT; }
    c4js_object *m = c4js_find(module, C4JS_MODULE);
    if (!m) { c4js_log("cuModuleGetFunction %s refused: no such module", name); return CUDA_ERROR_INVALID_HANDLE; }
    if (!image_intact(m)) { c4js_log("cuModuleGetFunction %s refused: m%d's image was freed or changed after load", name, m->id); return CUDA_ERROR_INVALID_IMAGE; }
    size_t len = strlen(name);
    if (len == 0 || len >= sizeof m->name || !memmem(m->image, m->image_bytes, name, len + 1)) {
        c4js_log("cuModuleGetFunction %s refused: not in the image", name);
        return CUDA_ERROR_NOT_FOUND;
    }
    const char *kinds = c4js_kernel_kinds(name);
    if (!kinds) { c4js_log("cuModuleGetFunction %s refused: the test declared no such kernel", name); return CUDA_ERROR_NOT_FOUND; }
    c4js_object *f = c4js_new(C4JS_FUNCTION);
    f->owner = m;
    strcpy(f->name, name);
    snprintf(f->kinds, sizeof f->kinds, "%s", kinds);
    *function = f;
    c4js_log("cuModuleGetFunction %s m%d", name, m->id);
    return CUDA_SUCCESS;
}

C4JS_API int cuModuleUnload(CUmodule module) {
    if (!c4js_current()) { c4js_log("cuModuleUnload refused: no current context on this thread"); return CUDA_ERROR_INVALID_CONTEXT; }
    c4js_object *m = c4js_find(module, C4JS_MODULE);
    if (!m) { c4js_log("cuModuleUnload refused: no such module"); return CUDA_ERROR_INVALID_HANDLE; }
    c4js_log("cuModuleUnload m%d pending=%ld image=%s", m->id, c4js_pending_all(), image_intact(m) ? "intact" : "freed-or-changed");
    c4js_release_owned(m, C4JS_FUNCTION);
    c4js_release(m);
    return CUDA_SUCCESS;
}

static float f32_at(uint64_t p, long i) {
    float v;
    memcpy(&v, (const char *)(uintptr_t)p + 4 * i, 4);
    return v;
}

static void f32_put(uint64_t p, long i, float v) {
    memcpy((char *)(uintptr_t)p + 4 * i, &v, 4);
}

/*
 * The pointer table of a multi-tensor kernel: xs[count] then offsets[count + 1], every tensor inside
 * device memory. Returns 0 when any of it is not.
 */
static int multi_table_ok(uint64_t xs, uint64_t offsets, int count) {
    if (count <= 0 || !c4js_in_device(xs, 8 * (size_t)count) || !c4js_in_device(offsets, 8 * (size_t)(count + 1))) return 0;
    for (int t = 0; t < count; t++) {
        uint64_t x;
        int64_t begin, end;
        memcpy(&x, (const char *)(uintptr_t)xs + 8 * t, 8);
        memcpy(&begin, (const char *)(uintptr_t)offsets + 8 * t, 8);
        memcpy(&end, (const char *)(uintptr_t)offsets + 8 * (t + 1), 8);
        if (end < begin || (end > begin && !c4js_in_device(x, 4 * (size_t)(end - begin)))) return 0;
    }
    return 1;
}

static void multi_tensor(uint64_t xs, uint64_t offsets, int t, uint64_t *x, long *n) {
    int64_t begin, end;
    memcpy(x, (const char *)(uintptr_t)xs + 8 * t, 8);
    memcpy(&begin, (const char *)(uintptr_t)offsets + 8 * t, 8);
    memcpy(&end, (const char *)(uintptr_t)offsets + 8 * (t + 1), 8);
    *n = (long)(end - begin);
}

/* bfloat16 and IEEE half, rounded to nearest even as __float2bfloat16_rn / __float2half_rn do. */
static uint16_t to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40);  /* NaN stays NaN */
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

static float from_bf16(uint16_t h) {
    uint32_t x = (uint32_t)h << 16;
    float f;
    memcpy(&f, &x, 4);
    return f;
}

static uint16_t to_f16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, exp = (x >> 23) & 0xffu, mant = x & 0x7fffffu;
    if (exp == 0xffu) return (uint16_t)(sign | 0x7c00u | (mant ? 0x200u : 0u));
    int e = (int)exp - 127 + 15;
    if (e >= 31) return (uint16_t)(sign | 0x7c00u);
    if (e <= 0) {
        if (e < -10) return (uint16_t)sign;
        mant |= 0x800000u;
        int shift = 14 - e;
        uint32_t half = mant >> shift, rem = mant & ((1u << shift) - 1u), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1u))) half++;
        return (uint16_t)(sign | half);
    }
    uint32_t half = ((uint32_t)e << 10) | (mant >> 13), rem = mant & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (half & 1u))) half++;
    return (uint16_t)(sign | half);
}

static float from_f16(uint16_t h) {
    int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v = exp == 0 ? ldexpf((float)mant, -24)
              : exp == 31 ? (mant ? NAN : INFINITY)
                          : ldexpf((float)(1024 + mant), exp - 25);
    return sign ? -v : v;
}

/* An element type by its kernel-name suffix: 'f' f32, 'b' bf16, 'h' f16; 0 for none. */
static char type_of(const char *suffix, size_t len) {
    if (len == 3 && strncmp(suffix, "f32", 3) == 0) return 'f';
    if (len == 4 && strncmp(suffix, "bf16", 4) == 0) return 'b';
    if (len == 3 && strncmp(suffix, "f16", 3) == 0) return 'h';
    return 0;
}

static float load_as(char t, uint64_t p, long i) {
    if (t == 'f') return f32_at(p, i);
    uint16_t h;
    memcpy(&h, (const char *)(uintptr_t)p + 2 * i, 2);
    return t == 'b' ? from_bf16(h) : from_f16(h);
}

static void store_as(char t, uint64_t p, long i, float v) {
    if (t == 'f') {
        f32_put(p, i, v);
        return;
    }
    uint16_t h = t == 'b' ? to_bf16(v) : to_f16(v);
    memcpy((char *)(uintptr_t)p + 2 * i, &h, 2);
}

/* c4j_convert_<from>_<to>(src, dst, n, channels, hw, mode), as mixed.cu and include/convnet4j/layout.h. */
static int emulate_convert(const char *name, const uint64_t *raw) {
    const char *from = name + strlen("c4j_convert_"), *us = strchr(from, '_');
    if (!us) return CUDA_ERROR_INVALID_VALUE;
    char s = type_of(from, (size_t)(us - from)), d = type_of(us + 1, strlen(us + 1));
    if (!s || !d) return CUDA_ERROR_INVALID_VALUE;
    int32_t channels, mode;
    memcpy(&channels, &raw[3], 4);
    memcpy(&mode, &raw[5], 4);
    long n = (long)raw[2], hw = (long)raw[4], total = n * channels * hw;
    if (!c4js_in_device(raw[0], (size_t)total * (s == 'f' ? 4 : 2)) || !c4js_in_device(raw[1], (size_t)total * (d == 'f' ? 4 : 2))) {
        return CUDA_ERROR_ILLEGAL_ADDRESS;
    }
    for (long i = 0; i < total; i++) {
        long from_i = i;
        if (mode == 1) {
            long c = i % channels, t = i / channels, p = t % hw, b = t / hw;
            from_i = (b * channels + c) * hw + p;
        } else if (mode == 2) {
            long p = i % hw, t = i / hw, c = t % channels, b = t / channels;
            from_i = (b * hw + p) * channels + c;
        }
        store_as(d, raw[1], i, load_as(s, raw[0], from_i));
    }
    return CUDA_SUCCESS;
}

/* fill (every type), add, accumulate, bias+relu, the conversions and the clipping passes on the host;
   every other kernel is only recorded. */
static int emulate(const char *name, const uint64_t *raw) {
    if (strncmp(name, "c4j_convert_", strlen("c4j_convert_")) == 0) {
        return emulate_convert(name, raw);
    } else if (strcmp(name, "c4j_fill_bf16") == 0 || strcmp(name, "c4j_fill_f16") == 0) {
        long n = (long)raw[1];
        float value;
        memcpy(&value, &raw[2], 4);
        if (!c4js_in_device(raw[0], 2 * (size_t)n)) return CUDA_ERROR_ILLEGAL_ADDRESS;
        for (long i = 0; i < n; i++) store_as(name[9] == 'b' ? 'b' : 'h', raw[0], i, value);
    } else if (strcmp(name, "c4j_fill_f32") == 0) {
        long n = (long)raw[1];
        float value;
        memcpy(&value, &raw[2], 4);
        if (!c4js_in_device(raw[0], 4 * (size_t)n)) return CUDA_ERROR_ILLEGAL_ADDRESS;
        for (long i = 0; i < n; i++) f32_put(raw[0], i, value);
    } else if (strcmp(name, "c4j_add_f32") == 0) {
        long n = (long)raw[3];
        for (int a = 0; a < 3; a++) if (!c4js_in_device(raw[a], 4 * (size_t)n)) return CUDA_ERROR_ILLEGAL_ADDRESS;
        for (long i = 0; i < n; i++) f32_put(raw[2], i, f32_at(raw[0], i) + f32_at(raw[1], i));
    } else if (strcmp(name, "c4j_bias_act_f32") == 0) {
        /* y, bias (may be 0), total, channels, hw, relu */
        long total = (long)raw[2];
        int32_t channels, relu;
        memcpy(&channels, &raw[3], 4);
        memcpy(&relu, &raw[5], 4);
        long hw = (long)raw[4];
        if (!c4js_in_device(raw[0], 4 * (size_t)total) || (raw[1] && !c4js_in_device(raw[1], 4 * (size_t)channels))) {
            return CUDA_ERROR_ILLEGAL_ADDRESS;
        }
        for (long i = 0; i < total; i++) {
            float v = f32_at(raw[0], i) + (raw[1] ? f32_at(raw[1], i / hw % channels) : 0.0f);
            f32_put(raw[0], i, relu && v < 0 ? 0.0f : v);
        }
    } else if (strcmp(name, "c4j_sum_squares_multi_f32") == 0 || strcmp(name, "c4j_scale_multi_f32") == 0) {
        /* xs, offsets, count, then sums (double[count]) or the factor */
        int32_t count;
        memcpy(&count, &raw[2], 4);
        int sums = strcmp(name, "c4j_sum_squares_multi_f32") == 0;
        if (!multi_table_ok(raw[0], raw[1], count) || (sums && !c4js_in_device(raw[3], 8 * (size_t)count))) {
            return CUDA_ERROR_ILLEGAL_ADDRESS;
        }
        float factor;
        memcpy(&factor, &raw[3], 4);
        for (int t = 0; t < count; t++) {
            uint64_t x;
            long n;
            multi_tensor(raw[0], raw[1], t, &x, &n);
            double s = 0;
            for (long i = 0; i < n; i++) {
                if (sums) {
                    double v = f32_at(x, i);
                    s += v * v;
                } else {
                    f32_put(x, i, f32_at(x, i) * factor);
                }
            }
            if (sums) memcpy((char *)(uintptr_t)raw[3] + 8 * t, &s, 8);
        }
    } else if (strcmp(name, "c4j_accumulate_f32") == 0) {
        long n = (long)raw[2];
        for (int a = 0; a < 2; a++) if (!c4js_in_device(raw[a], 4 * (size_t)n)) return CUDA_ERROR_ILLEGAL_ADDRESS;
        for (long i = 0; i < n; i++) f32_put(raw[1], i, f32_at(raw[1], i) + f32_at(raw[0], i));
    }
    return CUDA_SUCCESS;
}

C4JS_API int cuLaunchKernel(CUfunction function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                            unsigned bz, unsigned shared, CUstream stream, void **params, void **extra) {
    if (!c4js_current()) { c4js_log("cuLaunchKernel refused: no current context on this thread"); return CUDA_ERROR_INVALID_CONTEXT; }
    c4js_object *f = c4js_find(function, C4JS_FUNCTION);
    if (!f || !c4js_find(f->owner, C4JS_MODULE)) { c4js_log("cuLaunchKernel refused: no such function (or its module was unloaded)"); return CUDA_ERROR_INVALID_HANDLE; }
    c4js_object *s = NULL;
    if (stream && !(s = c4js_find(stream, C4JS_STREAM))) { c4js_log("cuLaunchKernel %s refused: no such stream", f->name); return CUDA_ERROR_INVALID_HANDLE; }
    if (params && extra) { c4js_log("cuLaunchKernel %s refused: both kernelParams and extra are non-NULL", f->name); return CUDA_ERROR_INVALID_VALUE; }
    if (!params) { c4js_log("cuLaunchKernel %s refused: kernelParams is NULL", f->name); return CUDA_ERROR_INVALID_VALUE; }
    if (gx * gy * gz == 0 || bx * by * bz == 0 || bx * by * bz > 1024 || shared > 227 * 1024) {
        c4js_log("cuLaunchKernel %s refused: grid %ux%ux%u block %ux%ux%u shared %u", f->name, gx, gy, gz, bx, by, bz, shared);
        return CUDA_ERROR_INVALID_VALUE;
    }
    int n = (int)strlen(f->kinds);
    uint64_t raw[24];
    char args[1024];
    size_t len = 0;
    int status = CUDA_SUCCESS;
    for (int i = 0; i < n; i++) {
        char kind = f->kinds[i];
        size_t size = kind == 'I' || kind == 'F' ? 4 : 8;
        if (!c4js_readable(&params[i], sizeof(void *)) || !c4js_readable(params[i], size)) {
            c4js_log("cuLaunchKernel %s refused: argument %d (%c) cannot be read at kernelParams[%d]", f->name, i, kind, i);
            return CUDA_ERROR_INVALID_VALUE;
        }
        raw[i] = 0;
        memcpy(&raw[i], params[i], size);
        if (i > 0) args[len++] = ',';
        if (kind == 'P') {
            int ok = raw[i] == 0 || c4js_in_device(raw[i], 1);
            len += (size_t)snprintf(args + len, sizeof args - len, "P:%#llx%s", (unsigned long long)raw[i], ok ? "" : "!");
            if (!ok) status = CUDA_ERROR_ILLEGAL_ADDRESS;
        } else if (kind == 'L') {
            len += (size_t)snprintf(args + len, sizeof args - len, "L:%lld", (long long)raw[i]);
        } else if (kind == 'I') {
            int32_t v;
            memcpy(&v, &raw[i], 4);
            len += (size_t)snprintf(args + len, sizeof args - len, "I:%d", v);
        } else {
            float v;
            memcpy(&v, &raw[i], 4);
            len += (size_t)snprintf(args + len, sizeof args - len, "F:%.9g", (double)v);
        }
        if (len >= sizeof args - 48) break;
    }
    args[len] = 0;
    if (status == CUDA_SUCCESS) status = c4js_fail("cuLaunchKernel", -1);
    if (status == CUDA_SUCCESS) status = emulate(f->name, raw);
    c4js_log("cuLaunchKernel %s grid=%u,%u,%u block=%u,%u,%u stream=%s%d args=%s status=%d", f->name, gx, gy, gz, bx, by,
             bz, s ? "s" : "default", s ? s->id : 0, args, status);
    if (status == CUDA_SUCCESS && stream) c4js_queue(stream);
    return status;
}
