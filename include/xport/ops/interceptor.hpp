//! @file
//! The tracing seam: an `op_interceptor` installed on a thread (export's tracer) receives
//! every op call made there, in boxed form with the user's source location, instead of
//! the call running eagerly (`ops::call`, `<xport/api/call.hpp>`).
#pragma once

#include <xport/core/source_location.hpp>
#include <xport/core/sym_int.hpp>
#include <xport/ops/higher_order.hpp>
#include <xport/ops/schema.hpp>

#include <functional>
#include <optional>
#include <span>
#include <string>

namespace xport::ops {

//! @brief One call of a higher-order op (`cond`, `while_loop`, `map_impl`) as an
//! interceptor receives it: the op and attributes, the node's inputs (the op's
//! `leading_inputs`, then the operands its sub-graphs take) and one function per
//! sub-graph.
struct higher_order_call {
  boxed_attributes attributes;                  //!< the op and its attributes
  std::span<Tensor const> inputs;               //!< leading inputs, then the operands
  std::span<subgraph_function const> functions; //!< one per sub-graph, in order
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
  //! @brief Handles one call of a higher-order op: a tracer traces each function into a
  //! sub-graph of one node. The default refuses.
  //! @throws unsupported_error unless overridden.
  virtual tensor_list intercept_higher_order(higher_order_call const& call,
                                             source_location const& where) {
    throw unsupported_error(
        "this interceptor cannot record " + std::string(call.attributes.schema().name) + " (at "
        + std::string(where.file_name()) + ":" + std::to_string(where.line()) + ")");
  }
  //! @brief The value of `condition` if what this interceptor knows decides it (a tracer:
  //! the ranges of its sizes), without recording a guard; `std::nullopt` otherwise.
  virtual std::optional<bool> decide(SymBool const& condition) { return condition.maybe_bool(); }
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
