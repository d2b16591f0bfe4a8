//! @file
//! `xport::is_exporting()`: whether the calling thread is tracing a model for
//! `export_program` (PyTorch's `torch.compiler.is_exporting()`), for model code that must
//! take another path when it is exported than when it runs eagerly. A header of its own, so
//! that model code can ask without including the exporter.
//!
//! @code
//! Tensor forward(Tensor const& x) const {
//!   return xport::is_exporting() ? x.sin() : x.cos(); // the program records sin
//! }
//! @endcode
#pragma once

namespace xport {

//! @cond
namespace detail {

inline bool& exporting_flag() noexcept {
  thread_local bool flag = false;
  return flag;
}

// Marks the calling thread as exporting while it lives (scopes nest).
class exporting_scope {
public:
  exporting_scope() noexcept : saved_(exporting_flag()) { exporting_flag() = true; }
  exporting_scope(exporting_scope const&) = delete;
  exporting_scope& operator=(exporting_scope const&) = delete;
  ~exporting_scope() { exporting_flag() = saved_; }

private:
  bool saved_;
};

} // namespace detail
//! @endcond

//! @brief True while `export_program` traces a model's `forward` on the calling thread
//! (the branches of a `cond` it traces included); false in eager calls, in calls of an
//! exported program (`ep.module()`), and in `run_decompositions`.
inline bool is_exporting() noexcept {
  return detail::exporting_flag();
}

} // namespace xport
