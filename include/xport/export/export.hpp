//! @file
//! `export_program`: traces a module's `forward` on fake tensors into an
//! `ExportedProgram`, checking the dynamic-shapes spec against what the code required.
//!
//! @code
//! auto batch = xport::Dim("batch", {.min = 1, .max = 1024});
//! xport::ExportedProgram ep = xport::export_program(model, std::tuple{x}, {{batch, 784}});
//! std::cout << ep;                      // the graph, signature and range constraints
//! auto y = ep.module().call<xport::Tensor>(x2);
//! @endcode
#pragma once

#include <xport/api/tensor_methods.hpp>
#include <xport/export/detail/session.hpp>
#include <xport/export/is_exporting.hpp>
#include <xport/export/program.hpp>
#include <xport/export/spec_tree.hpp>
#include <xport/nn/module.hpp>
#include <xport/trace/pytree.hpp>

#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace xport {

//! @cond
namespace detail {

// export_program's work, with `call(args...)` running the traced code on `module`.
template <class M, class Call, class... Args>
ExportedProgram export_call(M& module, Call&& call, std::tuple<Args...> const& args,
                            sym::dynamic_shapes const& spec, export_options const& options) {
  detail::export_session session(flatten(args, "args"), spec, options);
  // State placeholders: parameters, then buffers, then tensor members (PyTorch's order).
  auto lift = [&](input_kind kind, char prefix) {
    return [&session, kind, prefix](std::string const& fqn, Tensor& member, tensor_role role) {
      session.add_state(kind, prefix, fqn, member, role);
    };
  };
  {
    auto parameters = lift(input_kind::parameter, 'p');
    auto buffers = lift(input_kind::buffer, 'b');
    auto members = lift(input_kind::constant_tensor, 'c');
    detail::walk_tensors(module, std::string(), {detail::roles({tensor_role::parameter})},
                         parameters);
    detail::walk_tensors(module, std::string(),
                         {detail::roles({tensor_role::buffer, tensor_role::non_persistent_buffer})},
                         buffers);
    detail::walk_tensors(module, std::string(), {detail::roles({tensor_role::constant})}, members);
  }
  std::vector<leaf> const fake_leaves = session.add_user_inputs();

  // Trace.
  auto fake_args = unflatten<std::tuple<Args...>>(fake_leaves, session.args_spec(), "args");
  flat_tree const out = [&] {
    ops::interceptor_scope const scope(session.tracer());
    detail::exporting_scope const exporting;
    return flatten(std::apply([&](auto&... a) -> decltype(auto) { return call(a...); }, fake_args),
                   "output");
  }();

  std::vector<module_call_entry> modules;
  auto record_module = [&](std::string const& fqn, auto const& m) {
    modules.push_back({fqn, std::string(type_name<std::remove_cvref_t<decltype(m)>>())});
  };
  detail::walk_modules(module, std::string(), record_module);
  return session.finish(out, std::move(modules));
}

} // namespace detail
//! @endcond

//! @brief Traces `module(args...)` on fake tensors into an `ExportedProgram`.
//!
//! Each tensor leaf of `args` becomes a user input whose sizes follow `spec` (one
//! `shape_spec` per tensor leaf and per `SymInt` leaf, in leaf order; an empty spec makes
//! every size static). A `SymInt` leaf (forward takes a `SymInt`) is an integer input
//! whose one entry may make it a symbol (`n: "Sym(s0)"`); it is treated as a size
//! (non-negative, PyTorch's 0/1 rule). Other leaves are specialized to their values. Parameters,
//! buffers and tensor members become placeholders (`p_`, `b_`, `c_`), tensors created in forward
//! are lifted constants, in-place updates of buffers and inputs become mutation outputs, and dead
//! code is removed. The module is left as it was.
//! @throws spec_violation (a constraint_violation) listing every violated dim with
//! suggested fixes when the code needs more than the spec allows; the binding's errors
//! for specs that do not fit the inputs; any op's error for bad shapes.
template <class M, class... Args>
ExportedProgram export_program(M& module, std::tuple<Args...> const& args,
                               sym::dynamic_shapes const& spec = {},
                               export_options const& options = {}) {
  return detail::export_call(
      module, [&](auto&... a) -> decltype(auto) { return module(a...); }, args, spec, options);
}

//! @brief Traces a method of `module` other than `forward` (`&Model::encode`) into an
//! `ExportedProgram`, as PyTorch exports `wrap_method(model.encode)`: the module's state
//! is lifted as for `forward`, the call runs in a module-stack frame of the module, and the
//! program reads and mutates the same state tensors, so programs exported from several
//! methods of one module share its buffers.
//! @throws as the `forward` form.
template <class M, class Method, class... Args>
requires std::is_member_function_pointer_v<Method>
    ExportedProgram export_program(M& module, Method method, std::tuple<Args...> const& args,
                                   sym::dynamic_shapes const& spec = {},
                                   export_options const& options = {}) {
  auto call = [&](auto&... a) -> decltype(auto) {
    detail::module_call_scope const frame(detail::module_anchor{std::addressof(module),
                                                                detail::type_id<M>(),
                                                                &detail::find_descendant<M>},
                                          type_name<M>());
    return std::invoke(method, module, a...);
  };
  return detail::export_call(module, call, args, spec, options);
}

//! @brief `export_program` with a spec that mirrors the structure of `args` (see
//! `spec_tree`).
//! @throws value_error naming the path where the spec's structure differs from the
//! inputs'; otherwise as the flat form.
template <class M, class... Args>
ExportedProgram export_program(M& module, std::tuple<Args...> const& args, spec_tree const& spec,
                               export_options const& options = {}) {
  flat_tree const flat = flatten(args, "args");
  return export_program(module, args, spec.flatten(flat.spec, flat.leaves), options);
}

} // namespace xport
