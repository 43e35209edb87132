/* libcublasLt.so.13 of the CUDA stub: the wrapper needs the library and its version node only. */
#include "stub.h"

C4JS_API size_t cublasLtGetVersion(void) { return 130300; }
