//! @file
//! The hook through which `Tensor` members that are ops reach the tracer on fake tensors.
#pragma once

#include <xport/core/detail/strided.hpp>
#include <xport/core/dtype.hpp>
#include <xport/core/error.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/source_location.hpp>

#include <cstdint>
#include <optional>

namespace xport {

class Tensor;

namespace detail {

// The Tensor members that are ops, for fake (traced) tensors: core cannot call the ops
// layer, so the ops layer installs an implementation (<xport/api/tensor_methods.hpp>) that
// routes each member to its front end, where the tracer records it.
class fake_tensor_methods {
public:
  virtual ~fake_tensor_methods() = default;
  virtual Tensor view(Tensor const&, int_list, source_location const&) const = 0;
  virtual Tensor reshape(Tensor const&, int_list, source_location const&) const = 0;
  virtual Tensor permute(Tensor const&, int_list, source_location const&) const = 0;
  virtual Tensor transpose(Tensor const&, std::int64_t, std::int64_t,
                           source_location const&) const = 0;
  virtual Tensor t(Tensor const&, source_location const&) const = 0;
  virtual Tensor slice(Tensor const&, std::int64_t, std::optional<std::int64_t>,
                       std::optional<std::int64_t>, std::int64_t, source_location const&) const = 0;
  virtual Tensor narrow(Tensor const&, std::int64_t, std::int64_t, std::int64_t,
                        source_location const&) const = 0;
  virtual Tensor select(Tensor const&, std::int64_t, std::int64_t,
                        source_location const&) const = 0;
  virtual Tensor expand(Tensor const&, int_list, source_location const&) const = 0;
  virtual Tensor squeeze(Tensor const&, std::optional<std::int64_t>,
                         source_location const&) const = 0;
  virtual Tensor unsqueeze(Tensor const&, std::int64_t, source_location const&) const = 0;
  virtual Tensor flatten(Tensor const&, std::int64_t, std::int64_t,
                         source_location const&) const = 0;
  virtual Tensor contiguous(Tensor const&, source_location const&) const = 0;
  virtual Tensor clone(Tensor const&, source_location const&) const = 0;
  virtual Tensor to(Tensor const&, xport::dtype, source_location const&) const = 0;
  virtual void copy_(Tensor const&, Tensor const&, source_location const&) const = 0;
  virtual Scalar item(Tensor const&) const = 0;
};

inline fake_tensor_methods const*& fake_methods_slot() noexcept {
  static fake_tensor_methods const* installed = nullptr;
  return installed;
}

inline fake_tensor_methods const& fake_methods() {
  if (fake_methods_slot() == nullptr) {
    throw unsupported_error("a Tensor member was called on a fake (traced) tensor, but the ops "
                            "layer is not linked in; include <xport/export/export.hpp>");
  }
  return *fake_methods_slot();
}

} // namespace detail

} // namespace xport
