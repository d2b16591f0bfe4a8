//! @file
//! Linear-algebra op node types: `mm`, `bmm`, `matmul` (every rank case of PyTorch),
//! `addmm`, `baddbmm` and `linear`, with meta rules over symbolic sizes.
//!
//! The inner dimensions of a product must be equal: on symbolic sizes the comparison
//! records a guard (`Eq(s0, s1)`), on static sizes a mismatch is a shape_error in
//! PyTorch's words ("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)").
#pragma once

#include <xport/core/scalar.hpp>
#include <xport/ops/linalg_common.hpp>
#include <xport/ops/op.hpp>
#include <xport/ops/op_set.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace xport::ops {

namespace detail {

inline std::string matrix_str(SymInt const& rows, SymInt const& cols) {
  return rows.str() + "x" + cols.str();
}

// The product of sizes[first, last): the rows of a tensor folded into a matrix.
inline SymInt fold_rows(sym_list sizes, std::size_t first, std::size_t last) {
  SymInt rows = 1;
  for (std::size_t i = first; i < last; ++i)
    rows = rows * sizes[i];
  return rows;
}

// Matrix products need one dtype (PyTorch does not promote them) other than bool, and
// one device.
inline void expect_product_operands(tensor_meta const& a, tensor_meta const& b,
                                    std::string_view op) {
  tensor_meta const both[2] = {a, b};
  expect_same_device(both, op);
  if (a.dtype != b.dtype) {
    throw dtype_error(std::string(op) + ": expected m1 and m2 to have the same dtype, but got: "
                      + std::string(element_type_name(a.dtype)) + " != "
                      + std::string(element_type_name(b.dtype)) + "; convert one with .to(dtype)");
  }
  if (a.dtype == dtype::bool_) {
    throw dtype_error("\"addmm_impl_cpu_\" not implemented for 'Bool': " + std::string(op)
                      + " of torch.bool tensors is not supported; convert them to an integer "
                        "dtype");
  }
}

// The additive term of addmm/baddbmm/linear: same dtype and device as the product, and
// expandable to the product's sizes.
inline void expect_additive_term(tensor_meta const& self, tensor_meta const& product,
                                 sym_list target, std::string_view op, std::string_view arg) {
  tensor_meta const both[2] = {product, self};
  expect_same_device(both, op);
  if (self.dtype != product.dtype) {
    throw dtype_error(std::string(op) + ": " + std::string(arg)
                      + " and mat2 must have the same dtype, but got "
                      + std::string(xport::scalar_type_name(self.dtype)) + " and "
                      + std::string(xport::scalar_type_name(product.dtype)));
  }
  expect_expandable(self.sizes, target, op);
}

// alpha and beta: PyTorch refuses floating-point values for integer tensors.
inline void expect_scale(Scalar const& value, dtype type, std::string_view what) {
  if (value.is_floating_point() && !is_floating_point(type)) {
    throw dtype_error("For integral input tensors, argument " + std::string(what)
                      + " must not be a floating point number.");
  }
}

inline void expect_mm_inner(SymInt const& rows, SymInt const& inner, SymInt const& inner2,
                            SymInt const& cols, std::string_view op) {
  if (!static_cast<bool>(inner == inner2)) {
    throw shape_error(std::string(op) + ": mat1 and mat2 shapes cannot be multiplied ("
                      + matrix_str(rows, inner) + " and " + matrix_str(inner2, cols) + ")");
  }
}

inline void expect_bmm_sizes(tensor_meta const& a, tensor_meta const& b, std::string_view op) {
  if (!static_cast<bool>(b.sizes[0] == a.sizes[0])
      || !static_cast<bool>(b.sizes[1] == a.sizes[2])) {
    throw shape_error(std::string(op)
                      + ": Expected size for first two dimensions of batch2 tensor to be: ["
                      + a.sizes[0].str() + ", " + a.sizes[2].str() + "] but got: ["
                      + b.sizes[0].str() + ", " + b.sizes[1].str() + "] (batch1 "
                      + format_sym_sizes(a.sizes) + ", batch2 " + format_sym_sizes(b.sizes) + ")");
  }
}

inline void expect_matrix_rank(tensor_meta const& t, std::int64_t rank, std::string_view op,
                               std::string_view arg) {
  if (t.dim() != rank) {
    throw shape_error(std::string(op) + ": " + std::string(arg) + " must be a "
                      + (rank == 2 ? std::string("matrix") : std::to_string(rank) + "D tensor")
                      + ", but got a tensor of size " + format_sym_sizes(t.sizes));
  }
}

inline tensor_meta mm_meta(tensor_meta const& a, tensor_meta const& b, std::string_view op) {
  expect_matrix_rank(a, 2, op, "self");
  expect_matrix_rank(b, 2, op, "mat2");
  expect_product_operands(a, b, op);
  expect_mm_inner(a.sizes[0], a.sizes[1], b.sizes[0], b.sizes[1], op);
  return {a.dtype, a.device, {a.sizes[0], b.sizes[1]}};
}

inline tensor_meta bmm_meta(tensor_meta const& a, tensor_meta const& b, std::string_view op) {
  expect_matrix_rank(a, 3, op, "batch1");
  expect_matrix_rank(b, 3, op, "batch2");
  expect_product_operands(a, b, op);
  expect_bmm_sizes(a, b, op);
  return {a.dtype, a.device, {a.sizes[0], a.sizes[1], b.sizes[2]}};
}

} // namespace detail

//! @brief `aten::mm`: the matrix product of `self` (n x k) and `mat2` (k x p), n x p.
struct mm {
  static constexpr std::string_view name = "aten::mm";     //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::none;             //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  using attributes = no_attributes;                        //!< none
  //! @brief `[n, k] @ [k, p] -> [n, p]`; the inner sizes must be equal (a guard when
  //! symbolic).
  //! @throws shape_error "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)" or for
  //! a rank other than 2; dtype_error for different dtypes or bool.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {detail::mm_meta(in[0], in[1], "mm")};
  }
};

//! @brief `aten::bmm`: batched matrix product, `[b, n, k] @ [b, k, p] -> [b, n, p]`.
struct bmm {
  static constexpr std::string_view name = "aten::bmm";    //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::none;             //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  using attributes = no_attributes;                        //!< none
  //! @brief `[b, n, k] @ [b, k, p] -> [b, n, p]`; batch and inner sizes must be equal.
  //! @throws shape_error "Expected size for first two dimensions of batch2 tensor to be:
  //! [2, 3] but got: [2, 4]." or for a rank other than 3; dtype_error as `mm`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    return {detail::bmm_meta(in[0], in[1], "bmm")};
  }
};

//! @brief `aten::matmul`: PyTorch's `a @ b` for every rank: dot (1-D, 1-D) -> 0-D;
//! matrix-vector; vector-matrix; matrix product; and batched products where the batch
//! dimensions broadcast and a 1-D operand gets a dimension prepended (left) or appended
//! (right) that is removed from the result.
struct matmul {
  static constexpr std::string_view name = "aten::matmul"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;      //!< lowered to mm/bmm/...
  static constexpr op_tag tags = op_tag::none;             //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  using attributes = no_attributes;                        //!< none
  //! @brief The result sizes of `a @ b`:
  //! `[k] @ [k] -> []`, `[n, k] @ [k] -> [n]`, `[k] @ [k, p] -> [p]`,
  //! `[j, 1, n, k] @ [m, k, p] -> [j, m, n, p]`, `[b, n, k] @ [k] -> [b, n]`.
  //! @throws shape_error for a 0-D operand, unequal inner sizes (PyTorch's message for
  //! the case at hand), or batch dimensions that do not broadcast; dtype_error as `mm`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    tensor_meta const& a = in[0];
    tensor_meta const& b = in[1];
    std::size_t const da = a.sizes.size();
    std::size_t const db = b.sizes.size();
    if (da == 0 || db == 0) {
      throw shape_error("matmul: both arguments to matmul need to be at least 1D, but they are "
                        + std::to_string(da) + "D and " + std::to_string(db) + "D");
    }
    detail::expect_product_operands(a, b, "matmul");
    SymInt const& k = a.sizes[da - 1];
    SymInt const& k2 = db == 1 ? b.sizes[0] : b.sizes[db - 2];
    tensor_meta out{a.dtype, a.device, {}};
    if (da == 1 && db == 1) {
      if (!static_cast<bool>(k == k2)) {
        throw shape_error("matmul: inconsistent tensor size, expected tensor [" + k.str()
                          + "] and src [" + k2.str()
                          + "] to have the same number of elements, but got " + k.str() + " and "
                          + k2.str() + " elements respectively");
      }
      return {out};
    }
    if (db == 1 && da >= 2) { // matrix-vector, leading dims of a folded into rows
      SymInt const rows = detail::fold_rows(a.sizes, 0, da - 1);
      if (!static_cast<bool>(k == k2)) {
        throw shape_error("matmul: size mismatch, got input (" + rows.str() + "), mat ("
                          + detail::matrix_str(rows, k) + "), vec (" + k2.str() + ")");
      }
      out.sizes.assign(a.sizes.begin(), a.sizes.end() - 1);
      return {out};
    }
    if (db == 2 && da != 2 && da != 1) { // [..., n, k] @ [k, p]: fold a into a matrix
      detail::expect_mm_inner(detail::fold_rows(a.sizes, 0, da - 1), k, k2, b.sizes[1], "matmul");
      out.sizes.assign(a.sizes.begin(), a.sizes.end() - 1);
      out.sizes.push_back(b.sizes[1]);
      return {out};
    }
    if (db == 2) { // [k] @ [k, p] or [n, k] @ [k, p]
      detail::expect_mm_inner(da == 1 ? SymInt(1) : a.sizes[0], k, k2, b.sizes[1], "matmul");
      if (da == 2) out.sizes.push_back(a.sizes[0]);
      out.sizes.push_back(b.sizes[1]);
      return {out};
    }
    // Batched: the batch dims broadcast; a 1-D `a` is a single row, never batched.
    sym_list const batch_a(std::span<SymInt const>(a.sizes.data(), da >= 2 ? da - 2 : 0));
    sym_list const batch_b(std::span<SymInt const>(b.sizes.data(), db - 2));
    out.sizes = broadcast_sizes(batch_a, batch_b);
    if (!static_cast<bool>(k == k2)) {
      SymInt const batch = detail::fold_rows(out.sizes, 0, out.sizes.size());
      throw shape_error("matmul: Expected size for first two dimensions of batch2 tensor to be: ["
                        + batch.str() + ", " + k.str() + "] but got: [" + batch.str() + ", "
                        + k2.str() + "] (shapes " + format_sym_sizes(a.sizes) + " and "
                        + format_sym_sizes(b.sizes) + ")");
    }
    if (da >= 2) out.sizes.push_back(a.sizes[da - 2]);
    out.sizes.push_back(b.sizes[db - 1]);
    return {out};
  }
};

//! @brief `aten::addmm`: `beta * self + alpha * (mat1 @ mat2)`, with `self` broadcast to
//! the product's n x p. `beta == 0` ignores `self` (NaN in it does not propagate).
struct addmm {
  static constexpr std::string_view name = "aten::addmm";  //!< ATen name
  static constexpr op_kind kind = op_kind::core;           //!< in the core set
  static constexpr op_tag tags = op_tag::none;             //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  //! @brief The scale of `self` and of the product.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, beta), (Scalar, alpha));
  };
  //! @brief Inputs `self, mat1, mat2`: `[n, k] @ [k, p] -> [n, p]`; `self` expands to
  //! `[n, p]`.
  //! @throws shape_error as `mm`, or when `self` does not expand; dtype_error for mixed
  //! dtypes or a floating-point alpha/beta with integer tensors.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = detail::mm_meta(in[1], in[2], "addmm");
    detail::expect_additive_term(in[0], out, out.sizes, "addmm", "self");
    detail::expect_scale(a.beta, out.dtype, "beta");
    detail::expect_scale(a.alpha, out.dtype, "alpha");
    return {out};
  }
};

//! @brief `aten::baddbmm`: `beta * self + alpha * (batch1 @ batch2)`, with `self`
//! broadcast to `[b, n, p]`; `beta == 0` ignores `self`.
struct baddbmm {
  static constexpr std::string_view name = "aten::baddbmm"; //!< ATen name
  static constexpr op_kind kind = op_kind::core;            //!< in the core set
  static constexpr op_tag tags = op_tag::none;              //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::numeric;  //!< supported dtypes
  //! @brief The scale of `self` and of the product.
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (Scalar, beta), (Scalar, alpha));
  };
  //! @brief Inputs `self, batch1, batch2`: `[b, n, k] @ [b, k, p] -> [b, n, p]`.
  //! @throws as `bmm` and `addmm`.
  static meta_list meta(std::span<tensor_meta const> in, attributes const& a) {
    tensor_meta out = detail::bmm_meta(in[1], in[2], "baddbmm");
    detail::expect_additive_term(in[0], out, out.sizes, "baddbmm", "self");
    detail::expect_scale(a.beta, out.dtype, "beta");
    detail::expect_scale(a.alpha, out.dtype, "alpha");
    return {out};
  }
};

//! @brief `aten::linear`: `input @ weight^T + bias` over any leading dimensions of
//! `input` (`[*, in]`, weight `[out, in]`, optional bias expanding to `[*, out]`).
struct linear {
  static constexpr std::string_view name = "aten::linear"; //!< ATen name
  static constexpr op_kind kind = op_kind::composite;      //!< lowered to addmm/mm
  static constexpr op_tag tags = op_tag::none;             //!< no tag
  static constexpr dtype_set dtypes = dtype_sets::numeric; //!< supported dtypes
  static constexpr bool optional_inputs = true;            //!< bias may be absent
  using attributes = no_attributes;                        //!< none
  //! @brief Inputs `input, weight, bias` (bias undefined when absent):
  //! `[b, s, in] x [out, in] -> [b, s, out]`, `[in] x [out, in] -> [out]`.
  //! @throws shape_error "mat1 and mat2 shapes cannot be multiplied (6x4 and 3x5)" (input
  //! folded to rows x in, weight as in x out), for a 0-D input or a weight that is not
  //! 2-D; dtype_error for mixed dtypes.
  static meta_list meta(std::span<tensor_meta const> in, attributes const&) {
    tensor_meta const& x = in[0];
    tensor_meta const& w = in[1];
    if (x.dim() == 0) {
      throw shape_error("linear: input must have at least 1 dimension, but got a 0-D tensor; "
                        "use unsqueeze(0) for a single feature");
    }
    detail::expect_matrix_rank(w, 2, "linear", "weight");
    detail::expect_product_operands(x, w, "linear");
    std::size_t const d = x.sizes.size();
    detail::expect_mm_inner(detail::fold_rows(x.sizes, 0, d - 1), x.sizes[d - 1], w.sizes[1],
                            w.sizes[0], "linear");
    tensor_meta out{x.dtype, x.device, {}};
    out.sizes.assign(x.sizes.begin(), x.sizes.end() - 1);
    out.sizes.push_back(w.sizes[0]);
    if (in.size() > 2 && in[2].defined)
      detail::expect_additive_term(in[2], out, out.sizes, "linear", "bias");
    return {out};
  }
};

//! @brief Every linear-algebra op.
using linalg_ops = op_set<mm, bmm, matmul, addmm, baddbmm, linear>;

} // namespace xport::ops
