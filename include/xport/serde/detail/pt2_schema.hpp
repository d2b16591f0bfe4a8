//! @file
//! PyTorch's op schemas (`aten::addmm(Tensor self, Tensor mat1, Tensor mat2, *, Scalar
//! beta=1, Scalar alpha=1) -> Tensor`), parsed: the order, types and defaults of an op's
//! arguments. A `.pt2` node names its arguments and leaves out those equal to their
//! default; the schema fills them in, as JSON arguments of the archive's own form.
#pragma once

#include <xport/serde/detail/codec.hpp>
#include <xport/serde/detail/pt2_schemas.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace xport::serde::detail {

//! How an argument carries tensors.
enum class pt2_tensor_kind : std::uint8_t {
  none,          //!< not a tensor (`int`, `Scalar`, `SymInt[]`, ...)
  tensor,        //!< `Tensor`
  optional,      //!< `Tensor?`
  list,          //!< `Tensor[]`
  optional_list, //!< `Tensor?[]`
};

//! One argument of a schema.
struct pt2_argument_schema {
  std::string_view type;                    //!< without alias annotations: `SymInt[2]`
  std::string_view name;                    //!< `stride`
  std::optional<std::string_view> default_; //!< the default as written: `[1, 1]`, `None`
  pt2_tensor_kind tensors = pt2_tensor_kind::none;
  bool keyword_only = false; //!< after the schema's `*`
};

//! An op's schema: its arguments in order.
struct pt2_op_schema {
  std::string_view name; //!< `aten::conv2d`
  std::vector<pt2_argument_schema> arguments;
  std::string returns; //!< without alias annotations: `Tensor`, `Tensor[]`, `(Tensor, Tensor)`
};

//! Splits `text` at the commas outside brackets and quotes.
inline std::vector<std::string_view> split_top_level(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 0) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  out.push_back(text.substr(start));
  return out;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  return s;
}

//! Parses one schema string of `pt2_schemas` (trusted text, generated from PyTorch).
inline pt2_op_schema parse_pt2_schema(std::string_view text) {
  pt2_op_schema out;
  std::size_t const open = text.find('(');
  out.name = text.substr(0, open);
  std::size_t const close = text.rfind(") ->");
  // `Tensor(a)` -> `Tensor`, `Tensor(a!)[]` -> `Tensor[]`.
  for (std::string_view rest = trim(text.substr(close + 4)); !rest.empty();) {
    if (rest.starts_with("Tensor(")) {
      out.returns += "Tensor";
      rest.remove_prefix(rest.find(')') + 1);
    } else {
      out.returns += rest.front();
      rest.remove_prefix(1);
    }
  }
  bool keyword_only = false;
  for (std::string_view piece : split_top_level(text.substr(open + 1, close - open - 1))) {
    piece = trim(piece);
    if (piece == "*") keyword_only = true;
    if (piece.empty() || piece == "*") continue;
    pt2_argument_schema arg;
    arg.keyword_only = keyword_only;
    std::size_t const space = piece.find(' ');
    std::string_view type = piece.substr(0, space);
    std::string_view rest = piece.substr(space + 1);
    if (std::size_t const eq = rest.find('='); eq != std::string_view::npos) {
      arg.default_ = rest.substr(eq + 1);
      rest = rest.substr(0, eq);
    }
    arg.name = rest;
    // `Tensor(a!)` -> `Tensor`, `Tensor(a)[]` -> `Tensor[]`.
    std::string_view bare = type;
    if (std::size_t const alias = bare.find('('); alias != std::string_view::npos) {
      std::size_t const end = bare.find(')', alias);
      arg.type = bare.substr(0, alias);
      if (bare.substr(end + 1) == "[]") arg.tensors = pt2_tensor_kind::list;
      bare = arg.type;
    } else {
      arg.type = bare;
    }
    if (bare == "Tensor" && arg.tensors == pt2_tensor_kind::none)
      arg.tensors = pt2_tensor_kind::tensor;
    else if (bare == "Tensor?")
      arg.tensors = pt2_tensor_kind::optional;
    else if (bare == "Tensor[]")
      arg.tensors = pt2_tensor_kind::list;
    else if (bare == "Tensor?[]")
      arg.tensors = pt2_tensor_kind::optional_list;
    out.arguments.push_back(arg);
  }
  return out;
}

//! The schema of the ATen op `name` (`aten::addmm`), or null when xport has none.
inline pt2_op_schema const* find_pt2_schema(std::string_view name) {
  static auto const table = [] {
    std::unordered_map<std::string_view, pt2_op_schema> out;
    for (std::string_view text : pt2_schemas) {
      pt2_op_schema schema = parse_pt2_schema(text);
      out.emplace(schema.name, std::move(schema));
    }
    return out;
  }();
  auto const it = table.find(name);
  return it == table.end() ? nullptr : &it->second;
}

//! A schema default as the archive would have written the argument: `1` for an `int` is
//! `{"as_int": 1}`, `None` is `{"as_none": true}`, `1` for `SymInt[2]` is
//! `{"as_ints": [1, 1]}`.
inline in_json pt2_default_argument(pt2_argument_schema const& arg) {
  std::string_view const text = *arg.default_;
  std::string_view const type = arg.type;
  if (text == "None") return {{"as_none", true}};
  if (text == "True" || text == "False") return {{"as_bool", text == "True"}};
  if (text.front() == '"' || text.front() == '\'')
    return {{"as_string", std::string(text.substr(1, text.size() - 2))}};
  auto number = [](std::string_view s) -> in_json {
    s = trim(s);
    std::string const copy(s);
    bool const floating =
        s.find_first_of(".eE") != std::string_view::npos || s == "inf" || s == "-inf" || s == "nan";
    if (floating) return {{"as_float", std::stod(copy)}};
    return {{"as_int", std::stoll(copy)}};
  };
  bool const list = type.find('[') != std::string_view::npos;
  if (list) {
    in_json items = in_json::array();
    if (text.front() == '[') {
      std::string_view const inner = text.substr(1, text.size() - 2);
      if (!trim(inner).empty())
        for (std::string_view item : split_top_level(inner))
          items.push_back(number(item)["as_int"]);
    } else { // `int[2] stride=1`: the value for every element
      std::size_t const open = type.find('[');
      std::size_t const count = std::stoul(std::string(type.substr(open + 1)));
      for (std::size_t i = 0; i < count; ++i)
        items.push_back(number(text)["as_int"]);
    }
    return {{"as_ints", items}};
  }
  if (text == "contiguous_format" || text == "long" || text == "strided")
    return {{"as_string", std::string(text)}};
  return number(text);
}

} // namespace xport::serde::detail
