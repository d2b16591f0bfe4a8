//! @file
//! `visit_declared<Op>`: the one way kernels turn a runtime dtype into a C++ element type.
//! It instantiates the kernel body for exactly the dtypes the op declares (`Op::dtypes`),
//! so a kernel cannot silently skip a dtype its op accepts, and a dtype the op does not
//! declare is refused in PyTorch's words rather than leaving an output unwritten.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/ops/op.hpp>

#include <string_view>

namespace xport::kernels {

//! @brief Calls `f.template operator()<T>()` with `T = cpp_type<type>` when `type` is in
//! `Set`: for kernels that compute in a dtype derived from their op's declared ones (a
//! reduction's accumulation dtype, a float result), the set of those.
//! @throws dtype_error `"op" not implemented for 'Long'` when it is not.
template <dtype_set Set, class F>
decltype(auto) visit_computed(dtype type, std::string_view op, F&& f) {
  static_assert(!Set.empty(), "xport: a kernel must compute in at least one dtype");
  using result = decltype(f.template operator()<cpp_type<Set.first()>>());
  return visit_dtype_in<Set>(type, f,
                             [&]() -> result { throw ops::not_implemented_for(op, type); });
}

//! @brief Calls `f.template operator()<T>()` with `T = cpp_type<type>` when `type` is one
//! of `Op`'s declared dtypes.
//!
//! Every branch returns the type `f` returns for the op's first declared dtype. The
//! refusal is a backstop: `ops::run_meta` refuses undeclared dtypes before any kernel
//! runs, so a kernel reaches it only when called directly.
//! @code
//! xport::kernels::visit_declared<ops::gelu>(x.dtype(), [&]<class T>() { ... });
//! @endcode
//! @throws dtype_error `"gelu" not implemented for 'Long'` for an undeclared dtype.
template <ops::op Op, class F>
decltype(auto) visit_declared(dtype type, F&& f) {
  return visit_computed<ops::dtypes_of<Op>>(type, ops::short_op_name(Op::name), f);
}

} // namespace xport::kernels
