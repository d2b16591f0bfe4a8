//! @file
//! Eager execution of an op: run its meta rule on the inputs' concrete sizes (so eager
//! calls and traced calls check shapes with the same code and the same messages), then
//! run its kernel for the inputs' device.
//!
//! Kernels are found at run time, in a slot per op and device that registration fills
//! (`<xport/kernels/cpu/all.hpp>`, included in one translation unit of a program), so
//! that including a front end does not compile every kernel of its family for every
//! dtype in every translation unit — which made each one cost seconds.
//!
//! A kernel is a specialization `kernel<Op, cpu_t>` (or `cuda_t`) with one of two forms:
//! - `static void run(attributes const&, std::span<Tensor const> in, std::span<Tensor> out)`
//!   writes outputs that eager execution allocated from the meta rule's result;
//! - `static tensor_list compute(attributes const&, std::span<Tensor const> in,
//!   meta_list const& metas)` makes its outputs itself: views, in-place ops, and ops
//!   whose output sizes depend on data.
#pragma once

#include <xport/core/factories.hpp>
#include <xport/kernels/kernel.hpp>
#include <xport/ops/op.hpp>

#include <boost/container/small_vector.hpp>

#include <span>
#include <string>

namespace xport::ops {

//! @brief `kernel<Op, DeviceTag>` writes into preallocated outputs.
template <class Op, class DeviceTag>
concept out_kernel = requires(typename Op::attributes const& a, std::span<Tensor const> in,
                              std::span<Tensor> out) {
  kernel<Op, DeviceTag>::run(a, in, out);
};

//! @brief `kernel<Op, DeviceTag>` makes its own outputs.
template <class Op, class DeviceTag>
concept compute_kernel = requires(typename Op::attributes const& a, std::span<Tensor const> in,
                                  meta_list const& m) {
  { kernel<Op, DeviceTag>::compute(a, in, m) } -> std::same_as<tensor_list>;
};

//! @brief A kernel behind a uniform signature: attributes, inputs, and the outputs' metas.
template <op Op>
using kernel_function = tensor_list (*)(typename Op::attributes const&, std::span<Tensor const>,
                                        meta_list const&);

//! @brief The registered kernel of `Op` on the device `DeviceTag` (null: none registered).
template <op Op, class DeviceTag>
struct kernel_slot {
  //! @brief Set by `register_kernels`.
  static inline kernel_function<Op> function = nullptr;
};

//! @brief True when `kernel<Op, DeviceTag>` has one of the two kernel forms.
template <class Op, class DeviceTag>
concept has_kernel_form = out_kernel<Op, DeviceTag> || compute_kernel<Op, DeviceTag>;

//! @brief Runs `kernel<Op, DeviceTag>` in either form: outputs are allocated from
//! `metas` for the `run` form, made by the kernel for the `compute` form.
template <op Op, class DeviceTag>
requires has_kernel_form<Op, DeviceTag>
    tensor_list run_kernel(typename Op::attributes const& attributes,
                           std::span<Tensor const> inputs, meta_list const& metas) {
  if constexpr (compute_kernel<Op, DeviceTag>) {
    return kernel<Op, DeviceTag>::compute(attributes, inputs, metas);
  } else {
    tensor_list outputs;
    for (tensor_meta const& m : metas)
      outputs.push_back(empty(m.concrete_sizes(), {.dtype = m.dtype, .device = m.device}));
    kernel<Op, DeviceTag>::run(attributes, inputs,
                               std::span<Tensor>(outputs.data(), outputs.size()));
    return outputs;
  }
}

//! @brief Fills the `DeviceTag` slots of every op of `OpSet` that has a kernel there.
//! Include the kernel headers first; `<xport/kernels/cpu/all.hpp>` does this for every
//! op of xport. Custom ops register their set the same way.
template <class OpSet, class DeviceTag>
bool register_kernels() noexcept {
  OpSet::for_each([]<class Op>() {
    if constexpr (has_kernel_form<Op, DeviceTag>)
      kernel_slot<Op, DeviceTag>::function = &run_kernel<Op, DeviceTag>;
  });
  return true;
}

namespace detail {

template <op Op, class DeviceTag>
tensor_list run_kernel_on(typename Op::attributes const& attributes, std::span<Tensor const> inputs,
                          meta_list const& metas, Device device) {
  if (kernel_function<Op> const function = kernel_slot<Op, DeviceTag>::function)
    return function(attributes, inputs, metas);
  bool const cpu = device.is_cpu();
  throw unsupported_error(
      "no " + xport::detail::device_kind_name(device.kind()) + " kernel registered for op '"
      + std::string(Op::name) + "' (tensors on " + device.str() + "); "
      + (cpu ? "include <xport/kernels/cpu/all.hpp> in one translation unit of the program"
             : "move the inputs to a device that has one")
      + ", or register a kernel<Op, " + (cpu ? "cpu_t" : "cuda_t")
      + "> with xport::ops::register_kernels");
}

} // namespace detail

//! @brief The metas of concrete tensors (undefined tensors give `defined == false`).
inline boost::container::small_vector<tensor_meta, 4> metas_of(std::span<Tensor const> inputs) {
  boost::container::small_vector<tensor_meta, 4> metas;
  metas.reserve(inputs.size());
  for (Tensor const& t : inputs)
    metas.push_back(tensor_meta::of(t));
  return metas;
}

//! @brief Calls `Op` on concrete tensors: meta rule, then the kernel of the inputs' device
//! (the device of the first defined input, or of the first output for ops without tensor
//! inputs, such as factories).
//! @throws the meta rule's errors for bad shapes, dtypes or devices, and unsupported_error
//! when the device has no kernel for `Op`.
template <op Op>
tensor_list eager_call(typename Op::attributes const& attributes, std::span<Tensor const> inputs) {
  for (Tensor const& t : inputs) {
    if (t.is_fake()) {
      throw value_error("op '" + std::string(Op::name)
                        + "' was called on a fake tensor outside of export's tracing; fake "
                          "tensors exist only while a program is being traced");
    }
  }
  auto const metas = metas_of(inputs);
  eager_meta_context context;
  meta_list const outputs =
      run_meta<Op>(std::span<tensor_meta const>(metas.data(), metas.size()), attributes, context);
  Device device;
  bool found = false;
  for (tensor_meta const& m : metas) {
    if (m.defined) {
      device = m.device;
      found = true;
      break;
    }
  }
  if (!found && !outputs.empty()) device = outputs.front().device;
  if (device.is_cpu()) return detail::run_kernel_on<Op, cpu_t>(attributes, inputs, outputs, device);
  return detail::run_kernel_on<Op, cuda_t>(attributes, inputs, outputs, device);
}

} // namespace xport::ops
