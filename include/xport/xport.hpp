//! @file
//! The umbrella header: everything in xport that needs no CUDA toolkit.
#pragma once

#include <xport/core/compare.hpp>
#include <xport/core/convert.hpp>
#include <xport/core/device.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/half.hpp>
#include <xport/core/print.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/storage.hpp>
#include <xport/core/tensor.hpp>
#include <xport/kernels/kernel.hpp>
