//! @file
//! Eager execution of an op: run its meta rule on the inputs' concrete sizes (so eager
//! calls and traced calls check shapes with the same code and the same messages), then
//! the kernel registered for the inputs' device.
//!
//! Kernels are found at run time, in the op's `ops::kernel_table` that registration fills
//! (`<xport/kernels/cpu/all.hpp>`, or the `xport::cpu_kernels` CMake target), so that
//! including a front end does not compile every kernel of its family for every dtype in
//! every translation unit — which made each one cost seconds.
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
#include <xport/ops/schema.hpp>

#include <boost/container/small_vector.hpp>

#include <span>
#include <string>

namespace xport::kernels {

//! @brief `kernel<Op, DeviceTag>` writes into preallocated outputs.
template <class Op, class DeviceTag>
concept out_kernel = requires(typename Op::attributes const& a, std::span<Tensor const> in,
                              std::span<Tensor> out) {
  kernel<Op, DeviceTag>::run(a, in, out);
};

//! @brief `kernel<Op, DeviceTag>` makes its own outputs.
template <class Op, class DeviceTag>
concept compute_kernel = requires(typename Op::attributes const& a, std::span<Tensor const> in,
                                  ops::meta_list const& m) {
  { kernel<Op, DeviceTag>::compute(a, in, m) } -> std::same_as<ops::tensor_list>;
};

//! @brief True when `kernel<Op, DeviceTag>` has one of the two kernel forms.
template <class Op, class DeviceTag>
concept has_kernel_form = out_kernel<Op, DeviceTag> || compute_kernel<Op, DeviceTag>;

//! @brief Runs `kernel<Op, DeviceTag>` in either form: outputs are allocated from
//! `metas` for the `run` form, made by the kernel for the `compute` form.
template <ops::op Op, class DeviceTag>
requires has_kernel_form<Op, DeviceTag> ops::tensor_list
invoke_kernel(typename Op::attributes const& attributes, std::span<Tensor const> inputs,
              ops::meta_list const& metas) {
  if constexpr (compute_kernel<Op, DeviceTag>) {
    return kernel<Op, DeviceTag>::compute(attributes, inputs, metas);
  } else {
    ops::tensor_list outputs;
    for (ops::tensor_meta const& m : metas)
      outputs.push_back(empty(m.concrete_sizes(), {.dtype = m.dtype, .device = m.device}));
    kernel<Op, DeviceTag>::run(attributes, inputs,
                               std::span<Tensor>(outputs.data(), outputs.size()));
    return outputs;
  }
}

//! @cond
namespace detail {
template <ops::op Op, class DeviceTag>
ops::tensor_list boxed_kernel(void const* attributes, std::span<Tensor const> inputs,
                              ops::meta_list const& metas) {
  return invoke_kernel<Op, DeviceTag>(*static_cast<typename Op::attributes const*>(attributes),
                                      inputs, metas);
}
template <ops::op Op, class DeviceTag>
void boxed_out_kernel(void const* attributes, std::span<Tensor const> inputs,
                      std::span<Tensor> outputs) {
  kernel<Op, DeviceTag>::run(*static_cast<typename Op::attributes const*>(attributes), inputs,
                             outputs);
}
} // namespace detail
//! @endcond

//! @brief Registers, for every op of `OpSet` that has a kernel on `DeviceTag`, that kernel
//! in the op's `ops::kernel_table`. Include the kernel headers first;
//! `<xport/kernels/cpu/all.hpp>` does this for every op of xport. Custom ops register
//! their set the same way.
//! @code
//! bool const my_ops_registered = xport::kernels::register_kernels<my_op_set, xport::cpu_t>();
//! @endcode
template <class OpSet, class DeviceTag>
bool register_kernels() noexcept {
  OpSet::for_each([]<class Op>() {
    if constexpr (has_kernel_form<Op, DeviceTag>) {
      ops::device_kernel& slot = ops::kernels_of<Op>.slot(DeviceTag::kind);
      slot.call = &detail::boxed_kernel<Op, DeviceTag>;
      if constexpr (out_kernel<Op, DeviceTag> && !compute_kernel<Op, DeviceTag>)
        slot.into = &detail::boxed_out_kernel<Op, DeviceTag>;
    }
  });
  return true;
}

//! @brief The metas of concrete tensors (undefined tensors give `defined == false`).
inline boost::container::small_vector<ops::tensor_meta, 4>
metas_of(std::span<Tensor const> inputs) {
  boost::container::small_vector<ops::tensor_meta, 4> metas;
  metas.reserve(inputs.size());
  for (Tensor const& t : inputs)
    metas.push_back(ops::tensor_meta::of(t));
  return metas;
}

//! @cond
namespace detail {

inline void refuse_fake(std::span<Tensor const> inputs, std::string_view op) {
  for (Tensor const& t : inputs) {
    if (t.is_fake()) {
      throw value_error("op '" + std::string(op)
                        + "' was called on a fake tensor outside of export's tracing; fake "
                          "tensors exist only while a program is being traced");
    }
  }
}

// The device an eager call runs on: the first defined input's, or the first output's for
// ops without tensor inputs (factories).
inline Device call_device(std::span<ops::tensor_meta const> inputs, ops::meta_list const& outputs) {
  for (ops::tensor_meta const& m : inputs)
    if (m.defined) return m.device;
  return outputs.empty() ? Device{} : outputs.front().device;
}

inline ops::device_kernel const& find_kernel(ops::op_schema const& schema, Device device) {
  if (ops::device_kernel const& k = schema.kernels->slot(device.kind()); k.call) return k;
  bool const cpu = device.is_cpu();
  throw unsupported_error(
      "no " + xport::detail::device_kind_name(device.kind()) + " kernel registered for op '"
      + std::string(schema.name) + "' (tensors on " + device.str() + "); "
      + (cpu ? "include <xport/kernels/cpu/all.hpp> in one translation unit of the program, or "
               "link the xport::cpu_kernels CMake target"
             : "move the inputs to a device that has one")
      + ", or register a kernel<Op, " + (cpu ? "cpu_t" : "cuda_t")
      + "> with xport::kernels::register_kernels");
}

} // namespace detail
//! @endcond

//! @brief Calls `Op` on concrete tensors: meta rule (with the op's dtype check), then the
//! registered kernel of the inputs' device.
//! @throws the meta rule's errors for bad shapes, dtypes or devices, and unsupported_error
//! when the device has no kernel for `Op`.
template <ops::op Op>
ops::tensor_list eager_call(typename Op::attributes const& attributes,
                            std::span<Tensor const> inputs) {
  detail::refuse_fake(inputs, Op::name);
  auto const metas = metas_of(inputs);
  ops::eager_meta_context context;
  std::span<ops::tensor_meta const> const in(metas.data(), metas.size());
  ops::meta_list const outputs = ops::run_meta<Op>(in, attributes, context);
  ops::boxed_kernel const k =
      detail::find_kernel(ops::schema_of<Op>, detail::call_device(in, outputs)).call;
  return k(&attributes, inputs, outputs);
}

//! @brief `eager_call` for a boxed call: the op and attributes of a graph node.
//! @throws as `eager_call<Op>`.
inline ops::tensor_list eager_call(ops::boxed_attributes const& attributes,
                                   std::span<Tensor const> inputs) {
  ops::op_schema const& schema = attributes.schema();
  detail::refuse_fake(inputs, schema.name);
  auto const metas = metas_of(inputs);
  ops::eager_meta_context context;
  std::span<ops::tensor_meta const> const in(metas.data(), metas.size());
  ops::meta_list const outputs = attributes.meta(in, context);
  ops::boxed_kernel const k = detail::find_kernel(schema, detail::call_device(in, outputs)).call;
  return k(attributes.get(), inputs, outputs);
}

} // namespace xport::kernels
