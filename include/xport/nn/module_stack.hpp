//! @file
//! The module stack: which modules are being called on this thread, outermost first, each
//! with its dotted path from the root and its type. Tracing records it on every node
//! (PyTorch's `nn_module_stack`).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xport {

//! @brief One module call in progress: the module's dotted path from the outermost module
//! being called (`""` for that one, then `"encoder"`, `"encoder.layers.0"`, ...) and its
//! C++ type (`xport::type_name`).
struct module_frame {
  std::string path;      //!< dotted path from the root module; empty for the root
  std::string_view type; //!< qualified type name, e.g. `"xport::nn::Sequential<A, B>"`
  //! @brief How many calls of the module at `path` came before this one since the
  //! outermost call began: 0 for the first, 1 for the second (PyTorch's `n@1`).
  std::uint32_t call = 0;
  //! @brief Frames are equal when path, type and call are.
  friend bool operator==(module_frame const&, module_frame const&) = default;
};

namespace detail {

// Searches the sub-modules of `module` (not `module` itself) for the object at `target`
// whose type tag is `target_type`; on success writes its dotted path relative to `module`.
using descendant_finder = bool (*)(void const* module, void const* target, void const* target_type,
                                   std::string& path);

struct module_anchor {
  void const* module;
  void const* type;
  descendant_finder find;
};

// Two parallel vectors so that current_module_stack() can hand out a span of frames, and
// the calls of each path since the outermost call began.
struct module_stack_state {
  std::vector<module_frame> frames;
  std::vector<module_anchor> anchors;
  std::map<std::string, std::uint32_t, std::less<>> calls;
};

inline module_stack_state& thread_module_stack() noexcept {
  thread_local module_stack_state state;
  return state;
}

inline std::string join_path(std::string_view prefix, std::string_view name) {
  if (prefix.empty()) return std::string(name);
  std::string path;
  path.reserve(prefix.size() + 1 + name.size());
  path.append(prefix).append(".").append(name);
  return path;
}

// The frame of one call: pushed on construction, popped on destruction (also when
// forward throws). The path is found by searching, from the innermost caller and then from
// the root, the reflected sub-modules for this object, so parents never store names in
// their children and copies or moves of modules cannot leave stale names behind.
class module_call_scope {
public:
  module_call_scope(module_anchor anchor, std::string_view type) {
    module_stack_state& stack = thread_module_stack();
    if (stack.frames.empty()) stack.calls.clear(); // an outermost call counts afresh
    std::string path = locate(stack, anchor);
    // A module located at its caller's path is part of that call (see `locate`).
    bool const inlined = !stack.frames.empty() && stack.frames.back().path == path;
    std::uint32_t const call = inlined ? stack.frames.back().call : stack.calls[path]++;
    stack.frames.push_back(module_frame{std::move(path), type, call});
    try {
      stack.anchors.push_back(anchor);
    } catch (...) {
      stack.frames.pop_back();
      throw;
    }
  }
  module_call_scope(module_call_scope const&) = delete;
  module_call_scope& operator=(module_call_scope const&) = delete;
  ~module_call_scope() {
    module_stack_state& stack = thread_module_stack();
    stack.frames.pop_back();
    stack.anchors.pop_back();
  }

private:
  static std::string locate(module_stack_state const& stack, module_anchor const& self) {
    if (stack.anchors.empty()) return {};
    std::string relative;
    module_anchor const& caller = stack.anchors.back();
    if (caller.find(caller.module, self.module, self.type, relative))
      return join_path(stack.frames.back().path, relative);
    module_anchor const& root = stack.anchors.front();
    if (stack.anchors.size() > 1 && root.find(root.module, self.module, self.type, relative))
      return join_path(stack.frames.front().path, relative);
    // Not reachable by reflection (a temporary or an unlisted member): it is part of its
    // caller, like an inlined function.
    return stack.frames.back().path;
  }
};

} // namespace detail

//! @brief The module calls in progress on this thread, outermost first; empty outside any
//! module call.
//!
//! Inside `encoder.layers[0]` called from `model(x)`:
//! `[{"", "Model"}, {"encoder", "Encoder"}, {"encoder.layers.0", "Block"}]`.
//! Paths are found through reflection, so a sub-module reached from the root by any route
//! gets its dotted state-dict prefix; a module that reflection cannot reach from its
//! caller or the root (a temporary built inside `forward`, a member not listed in
//! `BOOST_HANA_ADAPT_STRUCT`) is reported with its caller's path.
//! @note The span is valid until the next module call or return on this thread; copy it to
//! keep it.
inline std::span<module_frame const> current_module_stack() noexcept {
  return detail::thread_module_stack().frames;
}

} // namespace xport
