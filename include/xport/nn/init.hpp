//! @file
//! `xport::nn::init`: PyTorch's `torch.nn.init` (uniform, normal, constant, Kaiming and
//! Xavier initialisation, fan computation), drawing from an explicit `Generator`.
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/tensor.hpp>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

//! @brief Initialisation of module weights, as in `torch.nn.init`.
//!
//! Every function fills its tensor in place (through `Tensor::copy_`, so views and tensors
//! on any device work) and returns it. The random ones take the `Generator` as their second
//! argument: xport has no global generator, so a seed fixes a model's initial weights. The
//! numbers are drawn in row-major order on the host; the values differ from PyTorch's (its
//! generator is another), but the distributions are the same.
//!
//! These run eagerly and are not ops: initialisation happens when a module is built, never
//! inside an exported `forward`.
namespace xport::nn::init {

//! @brief Which fan Kaiming initialisation scales by: `fan_in` keeps the variance of the
//! forward activations, `fan_out` that of the backward gradients.
enum class fan_mode : std::uint8_t {
  fan_in,  //!< the number of inputs a unit sees (PyTorch's default)
  fan_out, //!< the number of outputs a unit feeds
};

//! @brief The fans of a weight, as `calculate_fan_in_and_fan_out` computes them.
struct fans {
  std::int64_t fan_in;  //!< `size(1) * receptive field`
  std::int64_t fan_out; //!< `size(0) * receptive field`
};

//! @brief PyTorch's `_calculate_fan_in_and_fan_out`: for a weight of sizes
//! `[out, in, k...]`, `fan_in = in * prod(k)` and `fan_out = out * prod(k)`.
//!
//! `[128, 784] -> {784, 128}`; `[16, 3, 5, 5] -> {75, 400}`.
//! @throws value_error for a tensor of fewer than 2 dimensions.
inline fans calculate_fan_in_and_fan_out(Tensor const& tensor) {
  if (tensor.dim() < 2) {
    throw value_error("Fan in and fan out can not be computed for tensor with fewer than 2 "
                      "dimensions (got a tensor of size "
                      + format_sizes(tensor.sizes()) + ")");
  }
  std::int64_t receptive_field = 1;
  for (std::int64_t d = 2; d < tensor.dim(); ++d)
    receptive_field *= tensor.size(d);
  return {tensor.size(1) * receptive_field, tensor.size(0) * receptive_field};
}

//! @brief PyTorch's `calculate_gain`: the recommended gain for a nonlinearity.
//!
//! `linear`, `conv1d`, `conv2d`, `sigmoid` -> 1; `tanh` -> 5/3; `relu` -> sqrt(2);
//! `leaky_relu` with slope `param` (default 0.01) -> sqrt(2 / (1 + param^2));
//! `selu` -> 3/4.
//! @throws value_error for an unknown nonlinearity.
inline double calculate_gain(std::string_view nonlinearity, std::optional<double> param = {}) {
  if (nonlinearity == "linear" || nonlinearity == "conv1d" || nonlinearity == "conv2d"
      || nonlinearity == "conv3d" || nonlinearity == "conv_transpose1d"
      || nonlinearity == "conv_transpose2d" || nonlinearity == "conv_transpose3d"
      || nonlinearity == "sigmoid")
    return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    double const slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4.0;
  throw value_error("Unsupported nonlinearity " + std::string(nonlinearity));
}

namespace detail {

inline void expect_floating(Tensor const& tensor, char const* function) {
  if (!is_floating_point(tensor.dtype())) {
    throw dtype_error(std::string("nn::init::") + function
                      + " needs a floating-point tensor, but got " + torch_name(tensor.dtype()));
  }
}

// Fills `tensor` with draw(gen) element by element in row-major order: computed on the host
// in the tensor's dtype, then copied in (which also reaches non-contiguous views and other
// devices).
template <class Draw>
Tensor const& fill_random(Tensor const& tensor, Draw draw) {
  Tensor const values = xport::detail::make_filled(
      tensor.sizes(), tensor.dtype(), Device(xport::cpu), [&]<class T>(T* out, std::int64_t numel) {
        for (std::int64_t i = 0; i < numel; ++i)
          out[i] = convert<T>(draw());
      });
  return tensor.copy_(values);
}

} // namespace detail

//! @brief Fills `tensor` with numbers drawn uniformly from [a, b).
//! @throws dtype_error for a tensor that is not floating point; value_error when `a > b`.
inline Tensor const& uniform_(Tensor const& tensor, Generator& gen, double a = 0.0,
                              double b = 1.0) {
  detail::expect_floating(tensor, "uniform_");
  if (!(a <= b)) {
    throw value_error("uniform_ expects to return a [from, to) range, but found from="
                      + std::to_string(a) + " > to=" + std::to_string(b));
  }
  return detail::fill_random(tensor, [&] { return a + (b - a) * gen.uniform(); });
}

//! @brief Fills `tensor` with numbers drawn from the normal distribution N(mean, std^2).
//! @throws dtype_error for a tensor that is not floating point; value_error when `std < 0`.
inline Tensor const& normal_(Tensor const& tensor, Generator& gen, double mean = 0.0,
                             double std = 1.0) {
  detail::expect_floating(tensor, "normal_");
  if (!(std >= 0.0))
    throw value_error("normal expects std >= 0.0, but found std " + std::to_string(std));
  return detail::fill_random(tensor, [&] { return mean + std * gen.normal(); });
}

//! @brief Fills `tensor` with `value`.
inline Tensor const& constant_(Tensor const& tensor, Scalar value) {
  return tensor.copy_(full(tensor.sizes(), value, {tensor.dtype()}));
}

//! @brief Fills `tensor` with zeros.
inline Tensor const& zeros_(Tensor const& tensor) {
  return constant_(tensor, 0);
}

//! @brief Fills `tensor` with ones.
inline Tensor const& ones_(Tensor const& tensor) {
  return constant_(tensor, 1);
}

//! @brief Kaiming (He) uniform initialisation: U(-bound, bound) with
//! `bound = gain * sqrt(3 / fan)`, `gain = calculate_gain(nonlinearity, a)`.
//!
//! With PyTorch's module default `a = sqrt(5)` (leaky ReLU), `bound = 1 / sqrt(fan_in)`:
//! a `[128, 784]` weight gets U(-1/28, 1/28).
//! @param tensor the weight to fill, of at least 2 dimensions
//! @param gen the generator drawn from
//! @param a the negative slope of the leaky ReLU that follows (only for `leaky_relu`)
//! @param mode whether to scale by `fan_in` or `fan_out`
//! @param nonlinearity the activation that follows, for `calculate_gain`
//! @throws value_error for fewer than 2 dimensions or an unknown nonlinearity;
//! dtype_error for a tensor that is not floating point.
inline Tensor const& kaiming_uniform_(Tensor const& tensor, Generator& gen, double a = 0.0,
                                      fan_mode mode = fan_mode::fan_in,
                                      std::string_view nonlinearity = "leaky_relu") {
  auto const [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  auto const fan = static_cast<double>(mode == fan_mode::fan_in ? fan_in : fan_out);
  double const gain = calculate_gain(nonlinearity, a);
  // PyTorch warns and leaves a zero-element tensor alone; there is nothing to draw.
  if (tensor.numel() == 0) return tensor;
  double const bound = gain * std::sqrt(3.0 / fan);
  return uniform_(tensor, gen, -bound, bound);
}

//! @brief Kaiming (He) normal initialisation: N(0, std^2) with `std = gain / sqrt(fan)`.
//! @throws as `kaiming_uniform_`.
inline Tensor const& kaiming_normal_(Tensor const& tensor, Generator& gen, double a = 0.0,
                                     fan_mode mode = fan_mode::fan_in,
                                     std::string_view nonlinearity = "leaky_relu") {
  auto const [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  auto const fan = static_cast<double>(mode == fan_mode::fan_in ? fan_in : fan_out);
  double const gain = calculate_gain(nonlinearity, a);
  if (tensor.numel() == 0) return tensor;
  return normal_(tensor, gen, 0.0, gain / std::sqrt(fan));
}

//! @brief Xavier (Glorot) uniform initialisation: U(-bound, bound) with
//! `bound = gain * sqrt(6 / (fan_in + fan_out))`.
//!
//! A `[96, 32]` weight (MultiheadAttention's `in_proj_weight` for 32 features) gets
//! U(-sqrt(6/128), sqrt(6/128)).
//! @throws value_error for fewer than 2 dimensions; dtype_error for a tensor that is not
//! floating point.
inline Tensor const& xavier_uniform_(Tensor const& tensor, Generator& gen, double gain = 1.0) {
  auto const [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  if (tensor.numel() == 0) return tensor;
  double const bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(tensor, gen, -bound, bound);
}

//! @brief Xavier (Glorot) normal initialisation: N(0, std^2) with
//! `std = gain * sqrt(2 / (fan_in + fan_out))`.
//! @throws as `xavier_uniform_`.
inline Tensor const& xavier_normal_(Tensor const& tensor, Generator& gen, double gain = 1.0) {
  auto const [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  if (tensor.numel() == 0) return tensor;
  return normal_(tensor, gen, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

} // namespace xport::nn::init
