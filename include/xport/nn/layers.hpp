//! @file
//! Every standard layer of `xport::nn` (PyTorch's `torch.nn` modules) and `nn::init`.
#pragma once

#include <xport/nn/activation.hpp>
#include <xport/nn/attention.hpp>
#include <xport/nn/conv.hpp>
#include <xport/nn/dropout.hpp>
#include <xport/nn/embedding.hpp>
#include <xport/nn/flatten.hpp>
#include <xport/nn/init.hpp>
#include <xport/nn/linear.hpp>
#include <xport/nn/norm.hpp>
#include <xport/nn/ntuple.hpp>
#include <xport/nn/pooling.hpp>
#include <xport/nn/sequential.hpp>
#include <xport/nn/transformer.hpp>
