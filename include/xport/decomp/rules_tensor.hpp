//! @file
//! Decomposition rules of tensor-level composite ops (linear, matmul, views and shapes,
//! elementwise forms, factories, reductions, softmax), and the `emit` helpers every rule
//! calls. Each rule is a struct with the op it rewrites, the ops it may emit (`emits`)
//! and `apply`, written once over `Tensor` with symbolic sizes (`sym_size`), so it runs
//! eagerly on real tensors and records core nodes on fake ones.
#pragma once

#include <xport/decomp/rule.hpp>
#include <xport/ops/default_op_set.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace xport::decomp {

//! @cond
namespace detail {

// Calls `Op` on `inputs` (eagerly, or recorded by the active interceptor).
template <ops::op Op>
Tensor emit(typename Op::attributes attributes, std::initializer_list<Tensor> inputs) {
  return ops::call1<Op>(std::move(attributes), inputs, source_location::current());
}

template <ops::op Op>
ops::tensor_list emit_all(typename Op::attributes attributes, std::span<Tensor const> inputs) {
  return ops::call<Op>(std::move(attributes), inputs, source_location::current());
}

inline ops::meta_list metas(std::span<Tensor const> in) {
  ops::meta_list out;
  for (Tensor const& t : in)
    out.push_back(ops::tensor_meta::of(t));
  return out;
}

// The op's own meta rule on these inputs: the output sizes and dtypes the rule must
// produce. It repeats decisions the op already made, so it adds no guards.
template <ops::op Op>
ops::meta_list expected(typename Op::attributes const& a, std::span<Tensor const> in) {
  ops::meta_list const m = metas(in);
  ops::eager_meta_context context;
  return ops::run_meta<Op>(std::span<ops::tensor_meta const>(m.data(), m.size()), a, context);
}

inline std::int64_t wrap_dim(std::int64_t d, std::int64_t rank) {
  return d < 0 ? d + (rank == 0 ? 1 : rank) : d;
}

inline std::vector<SymInt> sizes_of(Tensor const& t) {
  std::vector<SymInt> out;
  for (std::int64_t d = 0; d < t.dim(); ++d)
    out.push_back(t.sym_size(d));
  return out;
}

inline std::vector<SymInt> to_vector(ops::sym_sizes const& s) {
  return std::vector<SymInt>(s.begin(), s.end());
}

inline Tensor view(Tensor const& x, std::vector<SymInt> sizes) {
  return emit<ops::view>({std::move(sizes)}, {x});
}

inline Tensor permute(Tensor const& x, std::vector<std::int64_t> dims) {
  return emit<ops::permute>({std::move(dims)}, {x});
}

inline Tensor mul_scalar(Tensor const& x, Scalar s) {
  return emit<ops::mul>({s}, {x});
}

inline Tensor add_scalar(Tensor const& x, Scalar s) {
  return emit<ops::add>({s, Scalar(1)}, {x});
}

inline Tensor to_dtype(Tensor const& x, dtype type) {
  return x.dtype() == type ? x : emit<ops::to_copy>({type}, {x});
}

// A tensor with the same elements in a fresh contiguous buffer, then viewed: what
// reshape computes whatever the input's strides.
inline Tensor reshape(Tensor const& x, std::vector<SymInt> sizes) {
  return view(emit<ops::clone>({}, {x}), std::move(sizes));
}

} // namespace detail
//! @endcond

//! @brief Rules of the default table, one per composite op (`<op>_rule`).
namespace rules {

using ops::op_set;
using ops::tensor_list;

//! @brief `linear(x, w, b)` → `view` to rows, `permute(w)`, `addmm` (or `mm` + `add`),
//! `view` back.
struct linear_rule {
  using op = ops::linear;                                                       //!< rewrites
  using emits = op_set<ops::view, ops::permute, ops::mm, ops::addmm, ops::add>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    Tensor const& x = in[0];
    Tensor const& w = in[1];
    Tensor const b = in.size() > 2 ? in[2] : Tensor();
    std::vector<SymInt> const xs = detail::sizes_of(x);
    SymInt rows = 1;
    for (std::size_t i = 0; i + 1 < xs.size(); ++i)
      rows = rows * xs[i];
    Tensor const x2 = x.dim() == 2 ? x : detail::view(x, {rows, xs.back()});
    Tensor const wt = detail::permute(w, {1, 0});
    Tensor y;
    if (b.defined() && b.dim() <= 1) {
      y = detail::emit<ops::addmm>({Scalar(1), Scalar(1)}, {b, x2, wt});
    } else {
      y = detail::emit<ops::mm>({}, {x2, wt});
    }
    if (x.dim() != 2) {
      std::vector<SymInt> out(xs.begin(), xs.end() - 1);
      out.push_back(w.sym_size(0));
      y = detail::view(y, std::move(out));
    }
    if (b.defined() && b.dim() > 1) y = detail::emit<ops::add>({std::nullopt, Scalar(1)}, {y, b});
    return {y};
  }
};

//! @brief `matmul(a, b)` → `mm` / `bmm` with `view`, `unsqueeze` and `expand` per rank
//! case; 1-D · 1-D → `mul` + `sum`.
struct matmul_rule {
  using op = ops::matmul; //!< rewrites
  using emits =
      op_set<ops::mm, ops::bmm, ops::view, ops::unsqueeze, ops::expand, ops::mul, ops::sum,
             ops::clone>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor const& x = in[0];
    Tensor const& y = in[1];
    std::vector<SymInt> const out = detail::to_vector(detail::expected<op>(a, in)[0].sizes);
    std::int64_t const dx = x.dim(), dy = y.dim();
    if (dx == 1 && dy == 1) {
      // A dot product keeps its operands' dtype (sum would widen integers to int64).
      Tensor const p = detail::emit<ops::mul>({std::nullopt}, {x, y});
      return {detail::emit<ops::sum>({std::vector<std::int64_t>{0}, false, p.dtype()}, {p})};
    }
    if (dx == 2 && dy == 2) return {detail::emit<ops::mm>({}, {x, y})};
    if (dy <= 2) { // fold x's leading dims into rows
      Tensor const x2 = dx == 2   ? x
                        : dx == 1 ? detail::emit<ops::unsqueeze>({0}, {x})
                                  : detail::reshape(x, {-1, x.sym_size(dx - 1)});
      Tensor const y2 = dy == 1 ? detail::emit<ops::unsqueeze>({1}, {y}) : y;
      return {detail::view(detail::emit<ops::mm>({}, {x2, y2}), out)};
    }
    // Batched: broadcast the batch dims, fold them into one, bmm, view to the result.
    Tensor const x3 = dx == 1 ? detail::emit<ops::unsqueeze>({0}, {x}) : x;
    Tensor const y3 = y;
    std::int64_t const rx = x3.dim(), ry = y3.dim();
    std::vector<SymInt> const batch(out.begin(),
                                    out.end() - static_cast<std::ptrdiff_t>(dx == 1 ? 1 : 2));
    SymInt folded = 1;
    for (SymInt const& s : batch)
      folded = folded * s;
    SymInt const n = x3.sym_size(rx - 2), k = x3.sym_size(rx - 1), p = y3.sym_size(ry - 1);
    std::vector<SymInt> xs = batch, ys = batch;
    xs.insert(xs.end(), {n, k});
    ys.insert(ys.end(), {k, p});
    Tensor const xb = detail::reshape(detail::emit<ops::expand>({xs}, {x3}), {folded, n, k});
    Tensor const yb = detail::reshape(detail::emit<ops::expand>({ys}, {y3}), {folded, k, p});
    return {detail::view(detail::emit<ops::bmm>({}, {xb, yb}), out)};
  }
};

//! @brief `t(x)` → `permute([1, 0])` (a `view` of itself below 2 dims).
struct t_rule {
  using op = ops::t;                             //!< rewrites
  using emits = op_set<ops::permute, ops::view>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    if (in[0].dim() < 2) return {detail::view(in[0], detail::sizes_of(in[0]))};
    return {detail::permute(in[0], {1, 0})};
  }
};

//! @brief `transpose(x, d0, d1)` → `permute` with the two dims swapped.
struct transpose_rule {
  using op = ops::transpose;                     //!< rewrites
  using emits = op_set<ops::permute, ops::view>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    std::int64_t const r = in[0].dim();
    if (r == 0) return {detail::view(in[0], {})};
    std::vector<std::int64_t> dims;
    for (std::int64_t d = 0; d < r; ++d)
      dims.push_back(d);
    std::swap(dims[static_cast<std::size_t>(detail::wrap_dim(a.dim0, r))],
              dims[static_cast<std::size_t>(detail::wrap_dim(a.dim1, r))]);
    return {detail::permute(in[0], std::move(dims))};
  }
};

//! @brief A reshaping op (`reshape`, `flatten`, `unflatten`) → `clone` + `view` to the
//! sizes its meta rule gives (graphs carry no strides, so the copy makes the view valid
//! for every input layout).
template <class Op>
struct view_copy_rule {
  using op = Op;                               //!< rewrites
  using emits = op_set<ops::clone, ops::view>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename op::attributes const& a, std::span<Tensor const> in) {
    return {detail::reshape(in[0], detail::to_vector(detail::expected<op>(a, in)[0].sizes))};
  }
};

//! @brief `reshape(x, sizes)` → `clone` + `view`.
using reshape_rule = view_copy_rule<ops::reshape>;
//! @brief `flatten(x, start, end)` → `clone` + `view`.
using flatten_rule = view_copy_rule<ops::flatten>;
//! @brief `unflatten(x, dim, sizes)` → `clone` + `view`.
using unflatten_rule = view_copy_rule<ops::unflatten>;

//! @brief `squeeze(x)` → `squeeze.dims` over the dims of size 1.
struct squeeze_rule {
  using op = ops::squeeze;                 //!< rewrites
  using emits = op_set<ops::squeeze_dims>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    std::vector<std::int64_t> dims;
    for (std::int64_t d = 0; d < in[0].dim(); ++d)
      if (in[0].sym_size(d).maybe_int() == std::optional<std::int64_t>(1)) dims.push_back(d);
    return {detail::emit<ops::squeeze_dims>({dims}, {in[0]})};
  }
};

//! @brief `contiguous(x)` → `clone`.
struct contiguous_rule {
  using op = ops::contiguous;       //!< rewrites
  using emits = op_set<ops::clone>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    return {detail::emit<ops::clone>({}, {in[0]})};
  }
};

//! @brief `narrow(x, dim, start, length)` → `slice(dim, start, start + length)`.
struct narrow_rule {
  using op = ops::narrow;           //!< rewrites
  using emits = op_set<ops::slice>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    std::int64_t const dim = detail::wrap_dim(a.dim, in[0].dim());
    SymInt start = a.start;
    if (auto const s = start.maybe_int(); s && *s < 0) start = in[0].sym_size(dim) + *s;
    return {detail::emit<ops::slice>({dim, start, start + a.length, SymInt(1)}, {in[0]})};
  }
};

//! @brief `stack(xs, dim)` → `unsqueeze` each + `cat`.
struct stack_rule {
  using op = ops::stack;                          //!< rewrites
  using emits = op_set<ops::unsqueeze, ops::cat>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    std::int64_t const dim = detail::wrap_dim(a.dim, in.empty() ? 0 : in[0].dim() + 1);
    std::vector<Tensor> parts;
    for (Tensor const& t : in)
      parts.push_back(detail::emit<ops::unsqueeze>({dim}, {t}));
    return detail::emit_all<ops::cat>({dim}, parts);
  }
};

//! @brief `split(x, size, dim)` → `split_with_sizes` with the pieces' sizes.
struct split_rule {
  using op = ops::split;                       //!< rewrites
  using emits = op_set<ops::split_with_sizes>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    std::int64_t const dim = detail::wrap_dim(a.dim, in[0].dim());
    std::vector<SymInt> sizes;
    for (ops::tensor_meta const& m : detail::expected<op>(a, in))
      sizes.push_back(m.sizes[static_cast<std::size_t>(dim)]);
    return detail::emit_all<ops::split_with_sizes>({sizes, dim}, in.first(1));
  }
};

//! @brief `chunk(x, chunks, dim)` → `split_with_sizes` with the pieces' sizes.
struct chunk_rule {
  using op = ops::chunk;                       //!< rewrites
  using emits = op_set<ops::split_with_sizes>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    std::int64_t const dim = detail::wrap_dim(a.dim, in[0].dim());
    std::vector<SymInt> sizes;
    for (ops::tensor_meta const& m : detail::expected<op>(a, in))
      sizes.push_back(m.sizes[static_cast<std::size_t>(dim)]);
    return detail::emit_all<ops::split_with_sizes>({sizes, dim}, in.first(1));
  }
};

//! @brief `tril(x, k)` / `triu(x, k)` → `arange` rows and columns, a comparison of their
//! difference with `k`, `where`.
template <class Op, bool Lower>
struct triangle_rule {
  using op = Op; //!< rewrites
  using emits = op_set<ops::arange, ops::unsqueeze, ops::sub, ops::le_scalar, ops::ge_scalar,
                       ops::where, ops::full_like>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename Op::attributes const& a, std::span<Tensor const> in) {
    Tensor const& x = in[0];
    std::int64_t const r = x.dim();
    std::string const device = x.device().str();
    Tensor const rows = detail::emit<ops::unsqueeze>(
        {1}, {detail::emit<ops::arange>({0, x.sym_size(r - 2), 1, dtype::int64, device}, {})});
    Tensor const cols =
        detail::emit<ops::arange>({0, x.sym_size(r - 1), 1, dtype::int64, device}, {});
    Tensor const diff = detail::emit<ops::sub>({std::nullopt, Scalar(1)}, {cols, rows});
    Tensor const keep = Lower ? detail::emit<ops::le_scalar>({Scalar(a.diagonal)}, {diff})
                              : detail::emit<ops::ge_scalar>({Scalar(a.diagonal)}, {diff});
    Tensor const zero = detail::emit<ops::full_like>({Scalar(0), std::nullopt, std::nullopt}, {x});
    return {detail::emit<ops::where>({}, {keep, x, zero})};
  }
};
//! @brief `tril`.
using tril_rule = triangle_rule<ops::tril, true>;
//! @brief `triu`.
using triu_rule = triangle_rule<ops::triu, false>;

//! @brief `silu(x)` → `x * sigmoid(x)`.
struct silu_rule {
  using op = ops::silu;                         //!< rewrites
  using emits = op_set<ops::sigmoid, ops::mul>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    return {
        detail::emit<ops::mul>({std::nullopt}, {in[0], detail::emit<ops::sigmoid>({}, {in[0]})})};
  }
};

//! @brief `softplus(x, beta, threshold)` → `where(x*beta > threshold, x,
//! log1p(exp(x*beta)) / beta)`.
struct softplus_rule {
  using op = ops::softplus; //!< rewrites
  using emits = op_set<ops::mul, ops::gt_scalar, ops::exp, ops::log1p, ops::div,
                       ops::where>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor const scaled = detail::mul_scalar(in[0], a.beta);
    Tensor const soft = detail::emit<ops::div>(
        {a.beta}, {detail::emit<ops::log1p>({}, {detail::emit<ops::exp>({}, {scaled})})});
    Tensor const linear = detail::emit<ops::gt_scalar>({a.threshold}, {scaled});
    return {detail::emit<ops::where>({}, {linear, in[0], soft})};
  }
};

//! @brief `round(x, decimals)` → `round(x * 10^d) / 10^d` (`x / 10^-d` first for
//! negative `d`, as PyTorch computes it).
struct round_decimals_rule {
  using op = ops::round_decimals;                       //!< rewrites
  using emits = op_set<ops::mul, ops::div, ops::round>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    double const scale =
        std::pow(10.0, static_cast<double>(a.decimals < 0 ? -a.decimals : a.decimals));
    if (a.decimals >= 0) {
      Tensor const r = detail::emit<ops::round>({}, {detail::mul_scalar(in[0], Scalar(scale))});
      return {detail::emit<ops::div>({Scalar(scale)}, {r})};
    }
    Tensor const r =
        detail::emit<ops::round>({}, {detail::emit<ops::div>({Scalar(scale)}, {in[0]})});
    return {detail::mul_scalar(r, Scalar(scale))};
  }
};

//! @brief `rsub(x, other, alpha)` → `add(mul(x, -alpha), other)`.
struct rsub_rule {
  using op = ops::rsub;                                         //!< rewrites
  using emits = op_set<ops::full_like, ops::sub, ops::to_copy>; //!< may emit
  //! @brief The rule: `full_like(x, other) - alpha * x`, in the result dtype (no negated
  //! alpha, which an unsigned dtype cannot hold).
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    dtype const out = detail::expected<op>(a, in)[0].dtype;
    Tensor const x = detail::to_dtype(in[0], out);
    Tensor const other = detail::emit<ops::full_like>({a.other, out, std::nullopt}, {x});
    return {detail::emit<ops::sub>({std::nullopt, a.alpha}, {other, x})};
  }
};

//! @brief `remainder(scalar, x)` → `remainder.Tensor(full_like(x, scalar), x)`.
struct remainder_scalar_tensor_rule {
  using op = ops::remainder_scalar_tensor;              //!< rewrites
  using emits = op_set<ops::full_like, ops::remainder>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    dtype const out = detail::expected<op>(a, in)[0].dtype;
    Tensor const self = detail::emit<ops::full_like>({a.self, out, std::nullopt}, {in[0]});
    return {detail::emit<ops::remainder>({}, {self, in[0]})};
  }
};

//! @brief `masked_fill(x, mask, value_tensor)` → `where(mask, value, x)` with the value
//! in x's dtype.
struct masked_fill_tensor_rule {
  using op = ops::masked_fill_tensor;             //!< rewrites
  using emits = op_set<ops::to_copy, ops::where>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    Tensor const value = detail::to_dtype(in[2], in[0].dtype());
    return {detail::emit<ops::where>({}, {in[1], value, in[0]})};
  }
};

//! @brief `fill.Tensor(x, value)` → `where(true, value, x)`: `value` (0-D) broadcast to
//! x's shape in x's dtype.
struct fill_tensor_rule {
  using op = ops::fill_tensor;                                 //!< rewrites
  using emits = op_set<ops::to_copy, ops::expand, ops::clone>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    Tensor const value = detail::to_dtype(in[1], in[0].dtype());
    return {detail::emit<ops::clone>(
        {}, {detail::emit<ops::expand>({detail::sizes_of(in[0])}, {value})})};
  }
};

//! @brief `zero(x)` → `fill(x, 0)`.
struct zero_rule {
  using op = ops::zero;            //!< rewrites
  using emits = op_set<ops::fill>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const&, std::span<Tensor const> in) {
    return {detail::emit<ops::fill>({Scalar(0)}, {in[0]})};
  }
};

//! @brief `zeros`/`ones(size)` → `full(size, 0 or 1)`.
template <class Op, int Value>
struct factory_rule {
  using op = Op;                   //!< rewrites
  using emits = op_set<ops::full>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename Op::attributes const& a, std::span<Tensor const> in) {
    dtype const type = detail::expected<Op>(a, in)[0].dtype; // the default float dtype
    return {detail::emit<ops::full>({a.size, Scalar(Value), type, a.device}, {})};
  }
};
//! @brief `zeros`.
using zeros_rule = factory_rule<ops::zeros, 0>;
//! @brief `ones`.
using ones_rule = factory_rule<ops::ones, 1>;

//! @brief `zeros_like`/`ones_like(x)` → `full_like(x, 0 or 1)`.
template <class Op, int Value>
struct like_factory_rule {
  using op = Op;                        //!< rewrites
  using emits = op_set<ops::full_like>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename Op::attributes const& a, std::span<Tensor const> in) {
    return {detail::emit<ops::full_like>({Scalar(Value), a.dtype, a.device}, {in[0]})};
  }
};
//! @brief `zeros_like`.
using zeros_like_rule = like_factory_rule<ops::zeros_like, 0>;
//! @brief `ones_like`.
using ones_like_rule = like_factory_rule<ops::ones_like, 1>;

//! @brief `max(x)`/`min(x)` (every element) → `amax`/`amin` over every dim.
template <class Op, class Reduce>
struct extremum_rule {
  using op = Op;                //!< rewrites
  using emits = op_set<Reduce>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename Op::attributes const&, std::span<Tensor const> in) {
    std::vector<std::int64_t> dims;
    for (std::int64_t d = 0; d < in[0].dim(); ++d)
      dims.push_back(d);
    return {detail::emit<Reduce>({dims, false}, {in[0]})};
  }
};
//! @brief `max`.
using max_rule = extremum_rule<ops::max, ops::amax>;
//! @brief `min`.
using min_rule = extremum_rule<ops::min, ops::amin>;

//! @brief `all(x, dims)` → `logical_not(any(logical_not(x), dims))`.
template <class Op>
struct all_rule_of {
  using op = Op;                                                                 //!< rewrites
  using emits = op_set<ops::logical_not, ops::any, ops::any_dims, ops::to_copy>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename Op::attributes const& a, std::span<Tensor const> in) {
    dtype const out = detail::expected<Op>(a, in)[0].dtype;
    Tensor const none_false = detail::emit<ops::logical_not>({}, {in[0]});
    Tensor any;
    if constexpr (std::is_same_v<Op, ops::all>)
      any = detail::emit<ops::any>({}, {none_false});
    else
      any = detail::emit<ops::any_dims>({a.dim, a.keepdim}, {none_false});
    return {detail::to_dtype(detail::emit<ops::logical_not>({}, {any}), out)};
  }
};
//! @brief `all`.
using all_rule = all_rule_of<ops::all>;
//! @brief `all.dims`.
using all_dims_rule = all_rule_of<ops::all_dims>;

//! @brief `std(x)` → `sqrt(var(x))`.
struct std_rule {
  using op = ops::std_dev;                   //!< rewrites
  using emits = op_set<ops::var, ops::sqrt>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    return {detail::emit<ops::sqrt>(
        {}, {detail::emit<ops::var>({a.dim, a.correction, a.keepdim}, {in[0]})})};
  }
};

//! @brief `var_mean(x)` → `var(x)`, `mean(x)`.
struct var_mean_rule {
  using op = ops::var_mean;                  //!< rewrites
  using emits = op_set<ops::var, ops::mean>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    return {detail::emit<ops::var>({a.dim, a.correction, a.keepdim}, {in[0]}),
            detail::emit<ops::mean>({a.dim, a.keepdim, std::nullopt}, {in[0]})};
  }
};

//! @brief `logsumexp(x, dims)` → `m = amax(x)` (0 where infinite), then
//! `log(sum(exp(x - m))) + m`.
struct logsumexp_rule {
  using op = ops::logsumexp; //!< rewrites
  using emits = op_set<ops::to_copy, ops::amax, ops::abs, ops::eq_scalar, ops::masked_fill,
                       ops::sub, ops::exp, ops::sum, ops::log, ops::add,
                       ops::squeeze_dims>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor const x = detail::to_dtype(in[0], detail::expected<op>(a, in)[0].dtype);
    std::vector<std::int64_t> dims;
    for (std::int64_t d : a.dim)
      dims.push_back(detail::wrap_dim(d, x.dim()));
    if (dims.empty())
      for (std::int64_t d = 0; d < x.dim(); ++d)
        dims.push_back(d);
    // Over no elements there is no maximum to shift by: log(sum(exp(x))) gives -inf.
    bool empty = false;
    for (std::int64_t d : dims) {
      if (x.dim() == 0) break; // a 0-dim tensor has one element
      std::optional<bool> const zero = (x.sym_size(d) == 0).maybe_bool();
      empty = empty || (zero && *zero);
    }
    if (empty) {
      Tensor const s = detail::emit<ops::sum>({dims, a.keepdim, std::nullopt},
                                              {detail::emit<ops::exp>({}, {x})});
      return {detail::emit<ops::log>({}, {s})};
    }
    Tensor m = detail::emit<ops::amax>({dims, true}, {x});
    Tensor const infinite = detail::emit<ops::eq_scalar>(
        {Scalar(std::numeric_limits<double>::infinity())}, {detail::emit<ops::abs>({}, {m})});
    m = detail::emit<ops::masked_fill>({Scalar(0)}, {m, infinite});
    Tensor const shifted = detail::emit<ops::sub>({std::nullopt, Scalar(1)}, {x, m});
    Tensor const s = detail::emit<ops::sum>({dims, a.keepdim, std::nullopt},
                                            {detail::emit<ops::exp>({}, {shifted})});
    Tensor const mm = a.keepdim ? m : detail::emit<ops::squeeze_dims>({dims}, {m});
    return {
        detail::emit<ops::add>({std::nullopt, Scalar(1)}, {detail::emit<ops::log>({}, {s}), mm})};
  }
};

//! @brief `softmax(x, dim, dtype)` → `_softmax` (after `_to_copy` to `dtype`).
struct softmax_rule {
  using op = ops::softmax;                           //!< rewrites
  using emits = op_set<ops::to_copy, ops::_softmax>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor const x = a.dtype ? detail::to_dtype(in[0], *a.dtype) : in[0];
    return {detail::emit<ops::_softmax>({a.dim, false}, {x})};
  }
};

//! @brief `log_softmax(x, dim, dtype)` → `_log_softmax` (after `_to_copy` to `dtype`).
struct log_softmax_rule {
  using op = ops::log_softmax;                           //!< rewrites
  using emits = op_set<ops::to_copy, ops::_log_softmax>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor const x = a.dtype ? detail::to_dtype(in[0], *a.dtype) : in[0];
    return {detail::emit<ops::_log_softmax>({a.dim, false}, {x})};
  }
};

} // namespace rules

} // namespace xport::decomp
