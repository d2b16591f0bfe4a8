//! @file
//! The normalization front end: `xport::batch_norm`, `xport::layer_norm`,
//! `xport::group_norm` (PyTorch's `torch.nn.functional` forms).
#pragma once

#include <xport/api/call.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/core/source_location.hpp>
#include <xport/ops/norm.hpp>

#include <cstdint>
#include <vector>

namespace xport {

namespace detail {

// Writes an updated running statistic back into its buffer.
// Until the elementwise family has aten::copy_, this is Tensor::copy_, which the tracer
// does not see; it becomes ops::call of that op, recording the buffer mutation.
inline void write_running_stat(Tensor const& buffer, Tensor const& value, source_location const&) {
  buffer.copy_(value);
}

} // namespace detail

//! @brief `F.batch_norm`: normalizes each channel (dimension 1) of `input` (N, C, *),
//! then scales by `weight` and shifts by `bias` (both optional, C elements).
//!
//! Out of training, the running statistics normalize:
//! `(x - running_mean) / sqrt(running_var + eps) * weight + bias`. In training, the
//! batch mean and biased variance normalize, and the running statistics (if given) are
//! updated in place: `running = (1 - momentum) * running + momentum * batch`, with the
//! unbiased batch variance. The op recorded is the functional
//! `_native_batch_norm_legit_functional` (or `.no_stats` without running statistics, or
//! `_no_training` in eval), as torch.export records it.
//! @code
//! auto y = xport::batch_norm(x, bn_mean, bn_var, gamma, beta, /*training=*/true);
//! @endcode
//! @throws value_error "Expected more than 1 value per channel when training, got input
//! size [1, 3]"; value_error for missing running statistics in eval; shape_error for
//! per-channel tensors without C elements ("running_mean should contain 3 elements not
//! 4"); dtype_error for a non-floating input.
inline Tensor batch_norm(Tensor const& input, Tensor const& running_mean, Tensor const& running_var,
                         Tensor const& weight = {}, Tensor const& bias = {}, bool training = false,
                         double momentum = 0.1, double eps = 1e-5,
                         source_location const& where = source_location::current()) {
  bool const has_stats = running_mean.defined() && running_var.defined();
  if (training && has_stats) {
    Tensor const inputs[] = {input, weight, bias, running_mean, running_var};
    ops::tensor_list out =
        ops::call<ops::batch_norm_functional>({training, momentum, eps}, inputs, where);
    // The buffer writes are ops too, so a traced program records the mutation (as
    // torch.export's functionalized graph copies the new statistics back).
    copy_(running_mean, out[3], false, where);
    copy_(running_var, out[4], false, where);
    return std::move(out[0]);
  }
  if (training) {
    Tensor const inputs[] = {input, weight, bias};
    return ops::call<ops::batch_norm_no_stats>({training, momentum, eps}, inputs, where)[0];
  }
  Tensor const inputs[] = {input, weight, bias, running_mean, running_var};
  return ops::call<ops::batch_norm_no_training>({momentum, eps}, inputs, where)[0];
}

//! @brief `F.layer_norm`: normalizes over the trailing dimensions `normalized_shape`
//! (biased variance), then `* weight + bias` elementwise (both optional, of shape
//! `normalized_shape`).
//! @code
//! auto y = xport::layer_norm(x, {x.size(-1)}, gamma, beta); // x: [2, 5, 8] -> [2, 5, 8]
//! @endcode
//! @throws shape_error "Given normalized_shape=[4], expected input with shape [*, 4], but
//! got input of size[2, 3]", or for weight/bias of another shape; dtype_error for a
//! non-floating input.
inline Tensor layer_norm(Tensor const& input, ops::sym_list normalized_shape,
                         Tensor const& weight = {}, Tensor const& bias = {}, double eps = 1e-5,
                         source_location const& where = source_location::current()) {
  std::vector<SymInt> shape(normalized_shape.begin(), normalized_shape.end());
  return ops::call1<ops::layer_norm>({std::move(shape), eps, true}, {input, weight, bias}, where);
}

//! @brief `F.group_norm`: splits the C channels of `input` (N, C, *) into `num_groups`
//! groups, normalizes each (sample, group) (biased variance), then `* weight + bias`
//! per channel (both optional, C elements).
//! @code
//! auto y = xport::group_norm(x, 2, gamma, beta); // x: [4, 6, 5, 5], groups of 3 channels
//! @endcode
//! @throws shape_error when C is not divisible by `num_groups` ("Expected number of
//! channels in input to be divisible by num_groups, ..."), value_error for
//! `num_groups <= 0`.
inline Tensor group_norm(Tensor const& input, std::int64_t num_groups, Tensor const& weight = {},
                         Tensor const& bias = {}, double eps = 1e-5,
                         source_location const& where = source_location::current()) {
  return ops::call1<ops::group_norm>({num_groups, eps, true}, {input, weight, bias}, where);
}

} // namespace xport
