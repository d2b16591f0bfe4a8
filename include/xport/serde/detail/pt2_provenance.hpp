//! @file
//! Where a node came from, both ways between xport's graph and a `.pt2` node's metadata:
//! the user's source line (`stack_trace`) and the module path (`nn_module_stack`).
//! PyTorch writes both for people, so reading is lenient: a part that does not parse is
//! left out, never an error.
#pragma once

#include <xport/graph/graph.hpp>
#include <xport/serde/detail/codec.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xport::serde::detail {

//! A node's user line and module stack as PyTorch's node metadata: `stack_trace` (`File
//! "model.cpp", line 12, in forward`) and `nn_module_stack` (`key,path,type;...`, outermost
//! first). A module stack whose names torch could not split (a comma outside brackets, as
//! in `pair<int, int>`, or a semicolon) is left out.
inline out_json pt2_provenance(graph::node const& n) {
  out_json metadata = out_json::object();
  if (n.where)
    metadata["stack_trace"] = "File \"" + std::string(n.where->file) + "\", line "
                              + std::to_string(n.where->line) + ", in forward";
  std::string stack;
  for (graph::stack_entry const& e : n.module_stack) {
    int depth = 0;
    for (char c : e.path + e.type) {
      depth += c == '[' || c == '(' ? 1 : c == ']' || c == ')' ? -1 : 0;
      if ((c == ',' && depth == 0) || c == ';') return metadata;
    }
    std::string key = "L__self__" + (e.path.empty() ? "" : "_" + e.path);
    std::replace(key.begin(), key.end(), '.', '_');
    if (e.call != 0) key += "@" + std::to_string(e.call); // PyTorch's key of a later call
    stack += (stack.empty() ? "" : ";") + key + "," + e.path + "," + e.type;
  }
  if (!stack.empty()) metadata["nn_module_stack"] = stack;
  return metadata;
}

//! A node's user line (the innermost frame of `stack_trace`) and module stack
//! (`nn_module_stack`: `key,path,type;...`) from its metadata, which PyTorch writes for
//! people: a part that does not parse is left out, never an error.
inline std::pair<std::optional<graph::source_line>, std::vector<graph::stack_entry>>
read_pt2_provenance(graph::Graph& g, in_json const* metadata) {
  std::optional<graph::source_line> where;
  std::vector<graph::stack_entry> stack;
  if (metadata == nullptr || !metadata->is_object()) return {where, stack};
  if (auto const it = metadata->find("stack_trace"); it != metadata->end() && it->is_string()) {
    std::string const& text = it->get_ref<std::string const&>();
    std::size_t const file = text.rfind("File \"");
    std::size_t const close = file == std::string::npos ? file : text.find('"', file + 6);
    std::size_t const line = close == std::string::npos ? close : text.find(", line ", close);
    if (line != std::string::npos && line == close + 1) {
      std::uint32_t number = 0;
      std::size_t k = line + 7;
      for (; k < text.size() && k < line + 16 && text[k] >= '0' && text[k] <= '9'; ++k)
        number = number * 10 + static_cast<std::uint32_t>(text[k] - '0');
      if (k > line + 7)
        where = graph::source_line{g.intern(text.substr(file + 6, close - file - 6)), number};
    }
  }
  if (auto const it = metadata->find("nn_module_stack"); it != metadata->end() && it->is_string()) {
    std::string_view rest = it->get_ref<std::string const&>();
    while (!rest.empty()) {
      std::string_view const item = rest.substr(0, rest.find(';'));
      rest.remove_prefix(std::min(rest.size(), item.size() + 1));
      std::size_t const first = item.find(',');
      std::size_t const second =
          first == std::string_view::npos ? first : item.find(',', first + 1);
      if (second == std::string_view::npos) return {where, {}};
      // A later call of a module has `@k` at the end of its key (`L__self___n@1`).
      std::uint32_t call = 0;
      std::string_view const key = item.substr(0, first);
      if (std::size_t const at = key.rfind('@'); at != std::string_view::npos) {
        std::string_view const digits = key.substr(at + 1);
        char const* const last = digits.data() + digits.size();
        auto const [end, error] = std::from_chars(digits.data(), last, call);
        if (error != std::errc() || end != last) call = 0;
      }
      stack.push_back({std::string(item.substr(first + 1, second - first - 1)),
                       std::string(item.substr(second + 1)), call});
    }
  }
  return {where, stack};
}

} // namespace xport::serde::detail
