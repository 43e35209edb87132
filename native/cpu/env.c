/* env.c: libconvnet4j_env.so, one JNI call: setenv(3) for this process. The OpenMP runtime reads
 * OMP_WAIT_POLICY, GOMP_SPINCOUNT and OMP_NUM_THREADS once, when it is loaded, and a JVM cannot set
 * its own environment; org.convnet4j.nativelib.OpenMp sets them through this before oneDNN (and its
 * libgomp) loads. Plain C, libc only: loading it must not pull in an OpenMP runtime itself. */
#include <jni.h>
#include <stdlib.h>

JNIEXPORT jint JNICALL Java_org_convnet4j_nativelib_OpenMp_setenv(JNIEnv *env, jclass cls, jstring name, jstring value) {
    (void)cls;
    const char *n = (*env)->GetStringUTFChars(env, name, NULL);
    const char *v = (*env)->GetStringUTFChars(env, value, NULL);
    int rc = n && v ? setenv(n, v, 1) : -1;
    if (v) (*env)->ReleaseStringUTFChars(env, value, v);
    if (n) (*env)->ReleaseStringUTFChars(env, name, n);
    return rc;
}

/* What the process environment holds now (System.getenv is a copy taken when the JVM started). */
JNIEXPORT jstring JNICALL Java_org_convnet4j_nativelib_OpenMp_getenv(JNIEnv *env, jclass cls, jstring name) {
    (void)cls;
    const char *n = (*env)->GetStringUTFChars(env, name, NULL);
    const char *v = n ? getenv(n) : NULL;
    if (n) (*env)->ReleaseStringUTFChars(env, name, n);
    return v ? (*env)->NewStringUTF(env, v) : NULL;
}
