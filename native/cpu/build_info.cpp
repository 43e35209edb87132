// build_info.cpp: one line saying how this library was built and how many OpenMP threads it will
// use, for bug reports and for spotting a build made without optimisation or against the wrong
// OpenMP runtime. The compiler and flags are baked in by CMake (build_info.h.in).
#include <omp.h>
#include <stdio.h>

#include "build_info.h"
#include "kernels.h"

namespace c4j::cpu {

void build_info(char* out, size_t cap) {
    snprintf(out, cap, "libconvnet4j %s; OpenMP %d, max threads %d", C4J_BUILD_INFO, _OPENMP, omp_get_max_threads());
}

}  // namespace c4j::cpu
