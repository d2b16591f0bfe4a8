//! @file
//! Decomposition rules of the network-layer composite ops: normalizations, convolutions
//! with bias or string padding, pad, dropout, attention, pooling, and the in-place ops
//! (rewritten to their functional forms). See rules_tensor.hpp for how a rule is written.
#pragma once

#include <xport/decomp/rules_tensor.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace xport::decomp::rules {

//! @cond
// `convolution` of `args` (input, weight, bias); conv1d and conv2d also take an unbatched
// input ([C, L], one dim less than the weight), which convolution does not: it is run as
// a batch of one.
inline tensor_list batched_convolution_of(ops::convolution::attributes a,
                                          std::vector<Tensor> args) {
  bool const unbatched = args[0].dim() + 1 == args[1].dim();
  if (unbatched) args[0] = detail::emit<ops::unsqueeze>({0}, {args[0]});
  Tensor y = detail::emit_all<ops::convolution>(
      std::move(a), std::span<Tensor const>(args.data(), args.size()))[0];
  if (unbatched) y = detail::emit<ops::squeeze_dims>({std::vector<std::int64_t>{0}}, {y});
  return {y};
}
//! @endcond

//! @brief `layer_norm(x, shape, w, b, eps)` → `mean`, `var` (biased) over the trailing
//! dims, `(x - mean) * rsqrt(var + eps)`, then `* w`, `+ b`.
struct layer_norm_rule {
  using op = ops::layer_norm; //!< rewrites
  using emits = op_set<ops::mean, ops::var, ops::sub, ops::add, ops::rsqrt,
                       ops::mul>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor const& x = in[0];
    std::vector<std::int64_t> dims;
    for (std::int64_t d = x.dim() - static_cast<std::int64_t>(a.normalized_shape.size());
         d < x.dim(); ++d)
      dims.push_back(d);
    Tensor const mean = detail::emit<ops::mean>({dims, true, std::nullopt}, {x});
    Tensor const var = detail::emit<ops::var>({dims, Scalar(0), true}, {x});
    Tensor const inv = detail::emit<ops::rsqrt>({}, {detail::add_scalar(var, Scalar(a.eps))});
    Tensor y = detail::emit<ops::mul>(
        {std::nullopt}, {detail::emit<ops::sub>({std::nullopt, Scalar(1)}, {x, mean}), inv});
    if (in.size() > 1 && in[1].defined()) y = detail::emit<ops::mul>({std::nullopt}, {y, in[1]});
    if (in.size() > 2 && in[2].defined())
      y = detail::emit<ops::add>({std::nullopt, Scalar(1)}, {y, in[2]});
    return {y};
  }
};

//! @brief `group_norm(x, G, w, b, eps)` → `view` to `[N, G, rest]`, `mean`/`var`
//! (biased) over `rest`, normalize, `view` back, per-channel `* w`, `+ b`.
struct group_norm_rule {
  using op = ops::group_norm; //!< rewrites
  using emits = op_set<ops::clone, ops::view, ops::mean, ops::var, ops::sub, ops::add, ops::rsqrt,
                       ops::mul>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor const& x = in[0];
    std::vector<SymInt> const sizes = detail::sizes_of(x);
    Tensor const g = detail::reshape(x, {sizes[0], SymInt(a.num_groups), -1});
    Tensor const mean =
        detail::emit<ops::mean>({std::vector<std::int64_t>{2}, true, std::nullopt}, {g});
    Tensor const var = detail::emit<ops::var>({std::vector<std::int64_t>{2}, Scalar(0), true}, {g});
    Tensor const inv = detail::emit<ops::rsqrt>({}, {detail::add_scalar(var, Scalar(a.eps))});
    Tensor y = detail::view(
        detail::emit<ops::mul>({std::nullopt},
                               {detail::emit<ops::sub>({std::nullopt, Scalar(1)}, {g, mean}), inv}),
        sizes);
    std::vector<SymInt> channel{sizes[1]};
    for (std::size_t d = 2; d < sizes.size(); ++d)
      channel.push_back(1);
    if (in.size() > 1 && in[1].defined())
      y = detail::emit<ops::mul>({std::nullopt}, {y, detail::view(in[1], channel)});
    if (in.size() > 2 && in[2].defined())
      y = detail::emit<ops::add>({std::nullopt, Scalar(1)}, {y, detail::view(in[2], channel)});
    return {y};
  }
};

//! @brief `conv1d`/`conv2d(x, w, b)` → `convolution` (not transposed).
template <class Op>
struct conv_rule {
  using op = Op;                                                             //!< rewrites
  using emits = op_set<ops::convolution, ops::unsqueeze, ops::squeeze_dims>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename Op::attributes const& a, std::span<Tensor const> in) {
    return batched_convolution_of(
        {a.stride, a.padding, a.dilation, false, std::vector<std::int64_t>{0}, a.groups},
        std::vector<Tensor>(in.begin(), in.end()));
  }
};
//! @brief `conv1d`.
using conv1d_rule = conv_rule<ops::conv1d>;
//! @brief `conv2d`.
using conv2d_rule = conv_rule<ops::conv2d>;

//! @brief `conv1d.padding`/`conv2d.padding` (`"valid"`, `"same"`) → `convolution` with
//! explicit symmetric padding; an odd total `"same"` padding pads the input's end by one
//! first (`pad`).
template <class Op, std::size_t Spatial>
struct conv_padding_rule {
  using op = Op;                                                                       //!< rewrites
  using emits = op_set<ops::convolution, ops::pad, ops::unsqueeze, ops::squeeze_dims>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename Op::attributes const& a, std::span<Tensor const> in) {
    std::vector<std::int64_t> padding(Spatial, 0);
    std::vector<SymInt> extra;
    bool odd = false;
    if (a.padding == "same") {
      Tensor const& w = in[1];
      for (std::size_t d = 0; d < Spatial; ++d) {
        std::int64_t const dil = a.dilation.size() == 1 ? a.dilation[0] : a.dilation[d];
        std::int64_t const k = w.sym_size(static_cast<std::int64_t>(2 + d)).expect_int();
        std::int64_t const total = dil * (k - 1);
        padding[d] = total / 2;
        odd = odd || total % 2 != 0;
      }
      for (std::size_t d = Spatial; d-- > 0;) { // pad's pairs start at the last dim
        std::int64_t const dil = a.dilation.size() == 1 ? a.dilation[0] : a.dilation[d];
        std::int64_t const k = in[1].sym_size(static_cast<std::int64_t>(2 + d)).expect_int();
        extra.push_back(0);
        extra.push_back((dil * (k - 1)) % 2);
      }
    }
    std::vector<Tensor> args(in.begin(), in.end());
    if (odd) args[0] = detail::emit<ops::pad>({extra, "constant", 0.0}, {args[0]});
    return batched_convolution_of(
        {a.stride, padding, a.dilation, false, std::vector<std::int64_t>{0}, a.groups},
        std::move(args));
  }
};
//! @brief `conv1d.padding`.
using conv1d_padding_rule = conv_padding_rule<ops::conv1d_padding, 1>;
//! @brief `conv2d.padding`.
using conv2d_padding_rule = conv_padding_rule<ops::conv2d_padding, 2>;

//! @brief `pad(x, pads, mode, value)` → negative pads crop with `slice`; positive pads
//! `cat` a border onto each padded dim: `full` blocks ("constant"), the mirrored edge
//! rows without the edge (`slice` + `flip`, "reflect"), the edge row repeated (`slice` +
//! `expand`, "replicate"), or the rows from the other end (`slice`, "circular").
struct pad_rule {
  using op = ops::pad;                                                           //!< rewrites
  using emits = op_set<ops::full, ops::cat, ops::slice, ops::flip, ops::expand>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor x = in[0];
    std::int64_t const r = x.dim();
    std::string const device = x.device().str();
    for (std::size_t pair = 0; 2 * pair < a.pad.size(); ++pair) {
      std::int64_t const dim = r - 1 - static_cast<std::int64_t>(pair);
      SymInt const before = a.pad[2 * pair], after = a.pad[2 * pair + 1];
      auto rows = [&](SymInt const& from, SymInt const& to) {
        return detail::emit<ops::slice>({dim, from, to, SymInt(1)}, {x});
      };
      // The border of `n` rows on one side (`leading`: before the data).
      auto border = [&](SymInt const& n, bool leading) {
        SymInt const size = x.sym_size(dim);
        if (a.mode == "reflect")
          return detail::emit<ops::flip>(
              {{dim}}, {leading ? rows(SymInt(1), n + 1) : rows(size - 1 - n, size - 1)});
        if (a.mode == "circular") return leading ? rows(size - n, size) : rows(SymInt(0), n);
        std::vector<SymInt> s = detail::sizes_of(x);
        s[static_cast<std::size_t>(dim)] = n;
        if (a.mode == "replicate")
          return detail::emit<ops::expand>(
              {s}, {leading ? rows(SymInt(0), SymInt(1)) : rows(size - 1, size)});
        return detail::emit<ops::full>({s, a.value.value_or(0.0), x.dtype(), device}, {});
      };
      // Borders come from the input as it is; negative pads crop the result afterwards
      // (so a circular pad of -1, 2 wraps rows of the uncropped input, as PyTorch does).
      std::int64_t const b = before.maybe_int().value_or(1), e = after.maybe_int().value_or(1);
      std::vector<Tensor> parts;
      if (b > 0) parts.push_back(border(before, true));
      parts.push_back(x);
      if (e > 0) parts.push_back(border(after, false));
      if (parts.size() > 1) x = detail::emit_all<ops::cat>({dim}, parts)[0];
      if (b < 0) x = rows(SymInt(0) - before, x.sym_size(dim));
      if (e < 0) x = rows(SymInt(0), x.sym_size(dim) + after);
    }
    return {x};
  }
};

//! @brief `dropout(x, p, train)` in eval mode (or `p == 0`) → `clone`; training mode
//! draws random numbers, which the core set has no op for (`unsupported_error`).
struct dropout_rule {
  using op = ops::dropout;          //!< rewrites
  using emits = op_set<ops::clone>; //!< may emit
  //! @brief The rule.
  //! @throws unsupported_error in training mode with `p > 0`.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    if (a.train && a.p > 0) {
      throw unsupported_error("aten::dropout in training mode has no decomposition into core "
                              "ops; export the module in eval mode or keep aten::dropout");
    }
    return {detail::emit<ops::clone>({}, {in[0]})};
  }
};

//! @brief `scaled_dot_product_attention(q, k, v, mask)` → `safe_softmax((q * √scale) @
//! (k^T * √scale) + mask) @ v`, as PyTorch's math backend writes it: q and k each carry
//! the square root of the scale (a negative scale negates q), a causal or bool mask
//! becomes `masked_fill` with -inf, a float mask is added, and the softmax is PyTorch's
//! safe softmax (`where(not(any(not(eq(scores, -inf)))), 0, softmax)`), which gives a
//! query that sees no key zero weights, as the op does, where softmax would give NaN.
//! float16 and bfloat16 are computed in float32 (`_to_copy`) and rounded once at the end.
//! (`passes::fuse_attention` turns exactly this form back into one attention.) Dropout
//! on the weights raises `unsupported_error`.
struct scaled_dot_product_attention_rule {
  using op = ops::scaled_dot_product_attention; //!< rewrites
  using emits =
      op_set<ops::matmul, ops::transpose, ops::mul, ops::add, ops::logical_not, ops::masked_fill,
             ops::softmax, ops::tril, ops::full, ops::unsqueeze, ops::expand, ops::clone, ops::view,
             ops::eq_scalar, ops::any_dims, ops::where, ops::full_like, ops::to_copy>; //!< may emit
  //! @brief The rule.
  //! @throws unsupported_error for `dropout_p > 0`.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    if (a.dropout_p > 0) {
      throw unsupported_error("aten::scaled_dot_product_attention with dropout_p > 0 has no "
                              "decomposition into core ops; use dropout_p = 0 in eval mode");
    }
    // Half types are computed in float32 and rounded once at the end, as PyTorch's math
    // backend and the op's CPU kernel compute them.
    dtype const type = in[0].dtype();
    bool const upcast = type == dtype::float16 || type == dtype::bfloat16;
    auto const wide_float = [&](Tensor const& t) {
      return upcast && t.defined() && t.dtype() == type ? detail::to_dtype(t, dtype::float32) : t;
    };
    Tensor const q = wide_float(in[0]);
    Tensor k = wide_float(in[1]), v = wide_float(in[2]);
    std::int64_t const e = q.sym_size(q.dim() - 1).expect_int();
    double const scale = a.scale.value_or(1.0 / std::sqrt(static_cast<double>(e)));
    if (a.enable_gqa && q.dim() >= 3 && k.dim() >= 3) {
      auto widen = [&](Tensor const& t) {
        SymInt const heads = q.sym_size(q.dim() - 3), kv = t.sym_size(t.dim() - 3);
        std::int64_t const groups = heads.expect_int() / kv.expect_int();
        if (groups == 1) return t;
        std::vector<SymInt> sizes = detail::sizes_of(t);
        std::vector<SymInt> wide = sizes;
        wide.insert(wide.end() - 2, SymInt(groups));
        Tensor const u = detail::emit<ops::unsqueeze>({t.dim() - 2}, {t});
        std::vector<SymInt> folded = sizes;
        folded[folded.size() - 3] = heads;
        return detail::reshape(detail::emit<ops::expand>({wide}, {u}), folded);
      };
      k = widen(k);
      v = widen(v);
    }
    double const root = std::sqrt(std::abs(scale));
    Tensor const qs = detail::mul_scalar(q, Scalar(scale < 0 ? -root : root));
    Tensor const kt = detail::mul_scalar(detail::emit<ops::transpose>({-2, -1}, {k}), Scalar(root));
    Tensor scores = detail::emit<ops::matmul>({}, {qs, kt});
    double const neg_inf = -std::numeric_limits<double>::infinity();
    Tensor const mask = wide_float(in[3]);
    if (a.is_causal) {
      SymInt const l = q.sym_size(q.dim() - 2), s = k.sym_size(k.dim() - 2);
      Tensor const ones =
          detail::emit<ops::full>({{l, s}, Scalar(true), dtype::bool_, q.device().str()}, {});
      Tensor const keep = detail::emit<ops::tril>({0}, {ones});
      scores = detail::emit<ops::masked_fill>({Scalar(neg_inf)},
                                              {scores, detail::emit<ops::logical_not>({}, {keep})});
    } else if (mask.defined() && mask.dtype() == dtype::bool_) {
      scores = detail::emit<ops::masked_fill>({Scalar(neg_inf)},
                                              {scores, detail::emit<ops::logical_not>({}, {mask})});
    } else if (mask.defined()) {
      scores = detail::emit<ops::add>({std::nullopt, Scalar(1)}, {scores, mask});
    }
    // The safe softmax: a query whose every score is -inf attends to nothing (zeros).
    Tensor const softmax = detail::emit<ops::softmax>({-1, std::nullopt}, {scores});
    Tensor const kept = detail::emit<ops::logical_not>(
        {}, {detail::emit<ops::eq_scalar>({Scalar(neg_inf)}, {scores})});
    Tensor const none = detail::emit<ops::logical_not>(
        {}, {detail::emit<ops::any_dims>({std::vector<std::int64_t>{-1}, true}, {kept})});
    Tensor const zero =
        detail::emit<ops::full_like>({Scalar(0), std::nullopt, std::nullopt}, {softmax});
    Tensor const weights = detail::emit<ops::where>({}, {none, zero, softmax});
    Tensor const out = detail::emit<ops::matmul>({}, {weights, v});
    return {upcast ? detail::to_dtype(out, type) : out};
  }
};

//! @brief `max_pool2d(x, ...)` → `max_pool2d_with_indices(x, ...)[0]`, as PyTorch
//! decomposes it: the core op with its own kernel, where writing the pooling out as
//! `index_select`s of every kernel offset ran several times slower.
struct max_pool2d_rule {
  using op = ops::max_pool2d;                         //!< rewrites
  using emits = op_set<ops::max_pool2d_with_indices>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    return {detail::emit_all<ops::max_pool2d_with_indices>(a, in)[0]};
  }
};

//! @brief `adaptive_avg_pool2d(x, [1, 1])` → `mean` over the last two dims; static sizes
//! that divide evenly → `avg_pool2d` with kernel = stride = input / output; otherwise
//! each spatial dim in turn → one `mean` per output position over its window
//! `[floor(i*n/o), ceil((i+1)*n/o))` (a `slice`), joined by `cat` (averaging is separable
//! over the rectangle's rows and columns); those windows need static input sizes.
struct adaptive_avg_pool2d_rule {
  using op = ops::adaptive_avg_pool2d;                                    //!< rewrites
  using emits = op_set<ops::mean, ops::avg_pool2d, ops::slice, ops::cat>; //!< may emit
  //! @brief The rule.
  //! @throws unsupported_error for a symbolic output size, or a symbolic input size that a
  //! static output size does not divide.
  static tensor_list apply(op::attributes const& a, std::span<Tensor const> in) {
    Tensor x = in[0];
    std::int64_t const r = x.dim();
    auto const out_h = a.output_size[0].maybe_int(), out_w = a.output_size[1].maybe_int();
    if (!out_h || !out_w) {
      throw unsupported_error("the decomposition of aten::adaptive_avg_pool2d needs a static "
                              "output size; keep the op");
    }
    if (*out_h == 1 && *out_w == 1)
      return {detail::emit<ops::mean>({std::vector<std::int64_t>{r - 2, r - 1}, true, std::nullopt},
                                      {x})};
    std::int64_t const out[] = {*out_h, *out_w};
    std::vector<std::int64_t> kernel;
    for (std::int64_t s = 0; s < 2; ++s) {
      auto const n = x.sym_size(r - 2 + s).maybe_int();
      if (n && *n % out[s] == 0) kernel.push_back(*n / out[s]);
    }
    if (kernel.size() == 2) {
      return {detail::emit<ops::avg_pool2d>(
          {kernel, kernel, std::vector<std::int64_t>{0, 0}, false, true, std::nullopt}, {x})};
    }
    for (std::int64_t s = 0; s < 2; ++s) {
      std::int64_t const dim = r - 2 + s;
      // Uneven windows over a symbolic size would need guards on their bounds.
      std::optional<std::int64_t> const n = x.sym_size(dim).maybe_int();
      if (!n) {
        throw unsupported_error(
            "the decomposition of aten::adaptive_avg_pool2d needs static input sizes when the "
            "output size does not divide them (input dim "
            + x.sym_size(dim).str() + ", output " + std::to_string(out[s]) + "); keep the op");
      }
      std::vector<Tensor> parts;
      for (std::int64_t i = 0; i < out[s]; ++i) {
        std::int64_t const start = *n * i / out[s];
        std::int64_t const end = (*n * (i + 1) + out[s] - 1) / out[s];
        Tensor const window = detail::emit<ops::slice>({dim, start, end, SymInt(1)}, {x});
        parts.push_back(detail::emit<ops::mean>(
            {std::vector<std::int64_t>{dim}, true, std::nullopt}, {window}));
      }
      x = parts.size() == 1 ? parts[0] : detail::emit_all<ops::cat>({dim}, parts)[0];
    }
    return {x};
  }
};

//! @brief An in-place op (`add_`) → its functional op (`add`) with the same attributes:
//! the value the mutated input takes (tracing records in-place calls this way already).
template <class Op>
struct functional_rule {
  using op = Op;                                 //!< rewrites
  using emits = op_set<typename Op::functional>; //!< may emit
  //! @brief The rule.
  static tensor_list apply(typename Op::attributes const& a, std::span<Tensor const> in) {
    return detail::emit_all<typename Op::functional>(a, in);
  }
};

} // namespace xport::decomp::rules
