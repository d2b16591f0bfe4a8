//! @file
//! The embedding op node type: a lookup of weight rows by integer indices.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

//! @brief `aten::embedding`: `out[i..., :] = weight[indices[i...], :]`.
//!
//! Inputs `(weight (num_embeddings, embedding_dim), indices (any shape, int32 or int64))`;
//! output `indices.shape + [embedding_dim]` with the weight's dtype. `padding_idx`,
//! `scale_grad_by_freq` and `sparse` only affect the gradient; they are kept so the node
//! carries PyTorch's full schema.
struct embedding {
  static constexpr std::string_view name = "aten::embedding"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;              //!< in the core set
  static constexpr op_tag tags = op_tag::none;                //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::all;        //!< supported dtypes
  //! @brief The row whose gradient is not accumulated (-1 for none, already wrapped), and
  //! the gradient options.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (std::int64_t, padding_idx), (bool, scale_grad_by_freq),
                             (bool, sparse));
  };
  //! @brief `weight: f32[1000, s0]`, `indices: i64[s1, s2]` -> `f32[s1, s2, s0]`.
  //! @throws shape_error when the weight is not 2-D, dtype_error for indices that are not
  //! int32/int64.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    if (in.size() != 2) {
      throw value_error("embedding: expected the tensor inputs (weight, indices), but got "
                        + std::to_string(in.size()) + " tensors");
    }
    tensor_meta const& weight = in[0];
    tensor_meta const& indices = in[1];
    if (weight.dim() != 2) {
      throw shape_error("'weight' must be 2-D, but got a weight of size "
                        + format_sym_sizes(weight.sizes));
    }
    if (indices.dtype != dtype::int64 && indices.dtype != dtype::int32) {
      throw dtype_error("Expected tensor for argument #1 'indices' to have one of the following "
                        "scalar types: Long, Int; but got "
                        + torch_name(indices.dtype)
                        + " instead (while checking arguments for embedding); convert the "
                          "indices with .to(xport::dtype::int64)");
    }
    expect_same_device(in, "embedding");
    tensor_meta out{weight.dtype, weight.device, indices.sizes};
    out.sizes.push_back(weight.sizes[1]);
    return {out};
  }
};

//! @brief The embedding op.
using embedding_ops = op_set<embedding>;

} // namespace xport::ops
