// hd.h: C4J_HD, the one marker that lets the per-element math in these headers compile both into
// the CPU library (g++, plain inline functions) and into the CUDA fatbin (nvcc, __host__ __device__).
// Both backends therefore run the very same lines, and the CPU tests exercise what the GPU runs.
#pragma once

#ifdef __CUDACC__
#define C4J_HD __host__ __device__ inline
#else
#define C4J_HD inline
#endif
