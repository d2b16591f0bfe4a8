//! @file
//! CPU kernels of every elementwise op (ops/elementwise.hpp).
#pragma once

#include <xport/kernels/cpu/elementwise_binary.hpp>
#include <xport/kernels/cpu/elementwise_inplace.hpp>
#include <xport/kernels/cpu/elementwise_select.hpp>
#include <xport/kernels/cpu/elementwise_unary.hpp>
