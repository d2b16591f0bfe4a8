//! @file
//! How the ATen ops that PyTorch's export writes but xport does not declare are read: each
//! rule names the op xport reads it as, and rewrites the node's named arguments to that
//! op's schema (`aten::sum(self)` is `aten::sum.dim_IntList(self, dim=None)`). Also the
//! attributes whose name differs from PyTorch's argument name (`reshape`'s `size` is
//! PyTorch's `shape`).
#pragma once

#include <xport/serde/detail/codec.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace xport::serde::detail {

//! A node's arguments by name, as the archive gives them (Argument unions).
using pt2_named_args = std::map<std::string, in_json, std::less<>>;

//! What a rewrite may ask about the node: a tensor's meta (`tensor_values` entry).
struct pt2_rule_context {
  std::function<in_json const&(std::string const& tensor)> meta_of;
};

//! One rule: PyTorch's op, xport's op, the rewrite of the arguments (empty on success,
//! else why the node cannot be read), and how many of xport's outputs the node has.
struct pt2_rule {
  std::string_view from;
  std::string_view to;
  std::string (*rewrite)(pt2_named_args& args, pt2_rule_context const& context);
  std::size_t outputs = 0; //!< 0: all of xport's op
};

namespace pt2_rewrites {
inline std::string none(pt2_named_args&, pt2_rule_context const&) {
  return {};
}
inline std::string all_dims(pt2_named_args& args, pt2_rule_context const&) {
  args["dim"] = in_json::object({{"as_none", true}});
  return {};
}
// xport's mask seed (an attribute PyTorch's schema lacks): 0, no mask drawn.
inline std::string no_seed(pt2_named_args& args, pt2_rule_context const&) {
  args["seed"] = in_json::object({{"as_int", 0}});
  return {};
}
inline std::string inference_batch_norm(pt2_named_args& args, pt2_rule_context const&) {
  auto const training = args.find("training");
  auto const is_false = [](in_json const& arg) {
    auto const it = arg.find("as_bool");
    return it != arg.end() && it->is_boolean() && !it->get<bool>();
  };
  if (training != args.end() && !is_false(training->second))
    return "batch norm in training mode (export the model in eval mode)";
  for (char const* key : {"running_mean", "running_var"}) {
    auto const it = args.find(key);
    if (it == args.end() || it->second.contains("as_none"))
      return "batch norm without running statistics";
  }
  args.erase("training");
  args.erase("cudnn_enabled");
  return {};
}
// `slice`'s and `slice_scatter`'s `start=None` and `end=None` are the whole dimension: 0
// and INT64_MAX, as xport's slice attributes hold them.
inline std::string slice_bounds(pt2_named_args& args, pt2_rule_context const&) {
  for (auto const& [key, bound] : {std::pair{"start", std::int64_t{0}},
                                   std::pair{"end", std::numeric_limits<std::int64_t>::max()}}) {
    auto const it = args.find(key);
    if (it != args.end() && it->second.contains("as_none"))
      it->second = in_json::object({{"as_int", bound}});
  }
  return {};
}

// `view(x, size)` read as `reshape(x, shape)`: PyTorch's kernels may leave an input laid out
// so that a view of it exists where xport's layout needs a copy (the output of
// scaled_dot_product_attention, permuted, as torch 2.9–2.11 write the transformer layer).
// Reshape is the view whenever one exists, so results are the same.
inline std::string view_as_reshape(pt2_named_args& args, pt2_rule_context const&) {
  auto const size = args.find("size");
  if (size == args.end()) return "view without its size";
  args["shape"] = size->second;
  args.erase("size");
  return {};
}

// `self.new_ones(size)` and friends: a factory with `self`'s dtype unless one is given.
inline std::string like_self(pt2_named_args& args, pt2_rule_context const& context) {
  auto const self = args.find("self");
  in_json const* tensor = self == args.end()                   ? nullptr
                          : self->second.contains("as_tensor") ? &self->second.at("as_tensor")
                                                               : nullptr;
  if (tensor == nullptr || !tensor->is_object() || !tensor->contains("name")
      || !tensor->at("name").is_string())
    return "a new_* op without its tensor";
  auto const dtype = args.find("dtype");
  if (dtype == args.end() || dtype->second.contains("as_none")) {
    in_json const& meta = context.meta_of(tensor->at("name").get<std::string>());
    if (!meta.is_object() || !meta.contains("dtype")) return "a tensor without a dtype";
    args["dtype"] = in_json::object({{"as_scalar_type", meta.at("dtype")}});
  }
  args.erase("self");
  return {};
}
} // namespace pt2_rewrites

//! The rules, by PyTorch's op name.
inline pt2_rule const* find_pt2_rule(std::string_view op) {
  static constexpr pt2_rule rules[] = {
      {"aten::sum", "aten::sum.dim_IntList", &pt2_rewrites::all_dims},
      {"aten::squeeze.dim", "aten::squeeze.dims", &pt2_rewrites::none},
      {"aten::any.dim", "aten::any.dims", &pt2_rewrites::none},
      {"aten::add.Scalar", "aten::add.Tensor", &pt2_rewrites::none},
      {"aten::sub.Scalar", "aten::sub.Tensor", &pt2_rewrites::none},
      {"aten::mul.Scalar", "aten::mul.Tensor", &pt2_rewrites::none},
      {"aten::div.Scalar", "aten::div.Tensor", &pt2_rewrites::none},
      {"aten::dropout", "aten::dropout", &pt2_rewrites::no_seed},
      {"aten::scaled_dot_product_attention", "aten::scaled_dot_product_attention",
       &pt2_rewrites::no_seed},
      {"aten::batch_norm", "aten::_native_batch_norm_legit_no_training",
       &pt2_rewrites::inference_batch_norm, 1},
      {"aten::native_layer_norm", "aten::layer_norm", &pt2_rewrites::none, 1},
      {"aten::slice.Tensor", "aten::slice.Tensor", &pt2_rewrites::slice_bounds},
      {"aten::slice_scatter", "aten::slice_scatter", &pt2_rewrites::slice_bounds},
      {"aten::view", "aten::reshape", &pt2_rewrites::view_as_reshape},
      {"aten::item", "aten::_local_scalar_dense", &pt2_rewrites::none},
      {"aten::new_ones", "aten::ones", &pt2_rewrites::like_self},
      {"aten::new_zeros", "aten::zeros", &pt2_rewrites::like_self},
      {"aten::new_empty", "aten::empty", &pt2_rewrites::like_self},
      {"aten::new_full", "aten::full", &pt2_rewrites::like_self},
  };
  for (pt2_rule const& rule : rules)
    if (rule.from == op) return &rule;
  return nullptr;
}

//! The PyTorch argument that xport's attribute `member` of `op` is read from.
inline std::string_view pt2_argument_name(std::string_view op, std::string_view member) {
  static constexpr std::string_view renamed[][3] = {
      {"aten::reshape", "size", "shape"},
  };
  for (auto const& r : renamed)
    if (r[0] == op && r[1] == member) return r[2];
  return member;
}

} // namespace xport::serde::detail
