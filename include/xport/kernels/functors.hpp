//! @file
//! Elementwise math as small functors, shared by CPU and (later) CUDA kernels: each is
//! `XPORT_HOST_DEVICE` and works on the op-math type (`float` for half and bfloat16).
//! This header must stay parseable by nvcc: core/ only. The functors themselves are in
//! `elementwise_functors.hpp`, one per elementwise op.
#pragma once

#include <xport/kernels/elementwise_functors.hpp>
