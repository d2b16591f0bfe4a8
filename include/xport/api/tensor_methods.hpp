//! @file
//! Routes the `Tensor` members that are ops (`x.view(...)`, `x.transpose(0, 1)`,
//! `x.copy_(y)`, ...) to their front ends when `x` is a fake tensor, so that model code
//! written with members is traced like code written with free functions. Included by
//! `<xport/export/export.hpp>`; installing happens once, when the program starts.
#pragma once

#include <xport/api/creation.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/tensor.hpp>

#include <optional>

namespace xport::detail {

// The implementation of core's fake_tensor_methods hook: each member calls its front end.
class api_tensor_methods final : public fake_tensor_methods {
public:
  Tensor view(Tensor const& x, int_list shape, source_location const& where) const override {
    return xport::view(x, sym_vector(shape), where);
  }
  Tensor reshape(Tensor const& x, int_list shape, source_location const& where) const override {
    return xport::reshape(x, sym_vector(shape), where);
  }
  Tensor permute(Tensor const& x, int_list dims, source_location const& where) const override {
    return xport::permute(x, dims, where);
  }
  Tensor transpose(Tensor const& x, std::int64_t a, std::int64_t b,
                   source_location const& where) const override {
    return xport::transpose(x, a, b, where);
  }
  Tensor t(Tensor const& x, source_location const& where) const override {
    return xport::t(x, where);
  }
  Tensor slice(Tensor const& x, std::int64_t dim, std::optional<std::int64_t> start,
               std::optional<std::int64_t> end, std::int64_t step,
               source_location const& where) const override {
    return xport::slice(x, dim, start.value_or(0),
                        end.value_or(std::numeric_limits<std::int64_t>::max()), step, where);
  }
  Tensor narrow(Tensor const& x, std::int64_t dim, std::int64_t start, std::int64_t length,
                source_location const& where) const override {
    return xport::narrow(x, dim, start, length, where);
  }
  Tensor select(Tensor const& x, std::int64_t dim, std::int64_t index,
                source_location const& where) const override {
    return xport::select(x, dim, index, where);
  }
  Tensor expand(Tensor const& x, int_list sizes, source_location const& where) const override {
    return xport::expand(x, sym_vector(sizes), where);
  }
  Tensor squeeze(Tensor const& x, std::optional<std::int64_t> dim,
                 source_location const& where) const override {
    return dim ? xport::squeeze(x, *dim, where) : xport::squeeze(x, where);
  }
  Tensor unsqueeze(Tensor const& x, std::int64_t dim, source_location const& where) const override {
    return xport::unsqueeze(x, dim, where);
  }
  Tensor flatten(Tensor const& x, std::int64_t start, std::int64_t end,
                 source_location const& where) const override {
    return xport::flatten(x, start, end, where);
  }
  Tensor contiguous(Tensor const& x, source_location const& where) const override {
    return xport::contiguous(x, where);
  }
  Tensor clone(Tensor const& x, source_location const& where) const override {
    return xport::clone(x, where);
  }
  Tensor to(Tensor const& x, xport::dtype type, source_location const& where) const override {
    return xport::to(x, type, where);
  }
  void copy_(Tensor const& self, Tensor const& src, source_location const& where) const override {
    xport::copy_(self, src, false, where);
  }
  Scalar item(Tensor const& x) const override {
    throw data_dependent_error("item() on a traced tensor of size "
                               + ops::format_sym_sizes(x.sym_sizes())
                               + " cannot return a concrete Scalar; use xport::item_int(x) to get "
                                 "a data-dependent SymInt (and bound it with xport::check)");
  }

private:
  static std::vector<SymInt> sym_vector(int_list values) {
    return std::vector<SymInt>(values.begin(), values.end());
  }
};

inline bool install_api_tensor_methods() noexcept {
  static api_tensor_methods const methods;
  fake_methods_slot() = &methods;
  return true;
}

// Installs the hook during static initialization of any program that includes this header.
inline bool const api_tensor_methods_installed = install_api_tensor_methods();

} // namespace xport::detail
