//! @file
//! Configuration macros shared by every xport header.
#pragma once

//! @def XPORT_HOST_DEVICE
//! @brief Marks a function callable from host and device code when compiled by nvcc, and
//! expands to nothing otherwise, so elementwise math is written once for CPU and CUDA.
#if defined(__CUDACC__)
#define XPORT_HOST_DEVICE __host__ __device__
#else
#define XPORT_HOST_DEVICE
#endif
