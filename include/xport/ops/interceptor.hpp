//! @file
//! The tracing seam: an `op_interceptor` installed on a thread (export's tracer) receives
//! every op call made there, in boxed form with the user's source location, instead of
//! the call running eagerly (`ops::call`, `<xport/api/call.hpp>`).
#pragma once

#include <xport/core/source_location.hpp>
#include <xport/ops/schema.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string>

namespace xport::ops {

//! @brief A branch of `xport::cond` as an interceptor receives it: the user's function,
//! called on the operands (fake tensors while tracing), returning its tensors.
using branch_function = std::function<tensor_list(std::span<Tensor const>)>;

//! @brief One `xport::cond` call as an interceptor receives it.
struct cond_call {
  Tensor pred;                          //!< the predicate tensor, or undefined
  std::optional<SymBool> pred_relation; //!< the predicate over sizes, when `pred` is undefined
  branch_function true_fn;              //!< run when the predicate holds
  branch_function false_fn;             //!< run otherwise
  std::span<Tensor const> operands;     //!< what both branches are called on
};

//! @brief Receives every op call made on this thread while installed (see
//! `interceptor_scope`). Export's tracer implements it to record nodes on fake tensors.
class op_interceptor {
public:
  virtual ~op_interceptor() = default;
  //! @brief Handles one call of the op `attributes.schema()` on `inputs`, made by user
  //! code at `where`; returns the op's outputs.
  virtual tensor_list intercept(boxed_attributes const& attributes, std::span<Tensor const> inputs,
                                source_location const& where) = 0;
  //! @brief The integer value of `scalar`, a zero-dimensional output of an op this
  //! interceptor returned (`aten::_local_scalar_dense`), as a SymInt: a data-dependent
  //! symbol for a tracer. The default refuses.
  //! @throws unsupported_error unless overridden.
  virtual SymInt scalar_value(Tensor const& scalar, source_location const& where) {
    (void)scalar;
    throw unsupported_error("this interceptor cannot give the value of a tensor as an integer (at "
                            + std::string(where.file_name()) + ":" + std::to_string(where.line())
                            + ")");
  }
  //! @brief Handles one `xport::cond` call: a tracer records both branches as sub-graphs
  //! of a `higher_order::cond` node. The default refuses.
  //! @throws unsupported_error unless overridden.
  virtual tensor_list intercept_cond(cond_call const& call, source_location const& where) {
    (void)call;
    throw unsupported_error("this interceptor cannot record xport::cond (at "
                            + std::string(where.file_name()) + ":" + std::to_string(where.line())
                            + ")");
  }
};

namespace detail {
inline op_interceptor*& current_interceptor() noexcept {
  thread_local op_interceptor* interceptor = nullptr;
  return interceptor;
}
} // namespace detail

//! @brief The interceptor installed on this thread, or null.
inline op_interceptor* active_interceptor() noexcept {
  return detail::current_interceptor();
}

//! @brief Installs an interceptor for its lifetime (scopes nest; the previous one is
//! restored on destruction).
class interceptor_scope {
public:
  //! @brief Installs `interceptor`.
  explicit interceptor_scope(op_interceptor& interceptor) noexcept
      : saved_(detail::current_interceptor()) {
    detail::current_interceptor() = &interceptor;
  }
  interceptor_scope(interceptor_scope const&) = delete;
  interceptor_scope& operator=(interceptor_scope const&) = delete;
  //! @brief Restores the previous interceptor.
  ~interceptor_scope() { detail::current_interceptor() = saved_; }

private:
  op_interceptor* saved_;
};

} // namespace xport::ops
