//! @file
//! `Parameter`, `Buffer` and `NonPersistentBuffer`: the tensor members of a module, marked
//! by type so that reflection knows which are learned, which are saved, and which are not.
#pragma once

#include <xport/core/tensor.hpp>

#include <cstdint>
#include <type_traits>
#include <utility>

namespace xport {

//! @brief The part a tensor member plays in a module; reflection reads it from the
//! member's type.
//!
//! | member type           | role                    | `named_parameters` | `named_buffers` |
//! `state_dict` | `to()` |
//! |-----------------------|-------------------------|:---:|:---:|:---:|:---:|
//! | `Parameter`           | `parameter`             | yes |     | yes | yes |
//! | `Buffer`              | `buffer`                |     | yes | yes | yes |
//! | `NonPersistentBuffer` | `non_persistent_buffer` |     | yes |     | yes |
//! | plain `Tensor`        | `constant`              |     |     |     |     |
//!
//! A plain `Tensor` member is what PyTorch calls a tensor attribute: export lifts it as a
//! constant, and neither `state_dict()` nor `to()` touch it (as in PyTorch).
enum class tensor_role : std::uint8_t {
  parameter,             //!< learned weights: `Parameter`
  buffer,                //!< saved state that is not learned: `Buffer`
  non_persistent_buffer, //!< state that is neither learned nor saved: `NonPersistentBuffer`
  constant,              //!< a plain `Tensor` member
};

//! @brief A learned tensor of a module (PyTorch's `nn.Parameter`).
//!
//! A `Parameter` *is* a `Tensor` (it derives from it), so in `forward` it reads like one:
//! `x.matmul(weight)`, `weight.sizes()`, passing it to any function taking
//! `Tensor const&`. The wrapper carries no data of its own: it only tells reflection that
//! the member is a parameter. Like `Tensor`, copying shares the data, which is how weights
//! are tied (`head.weight = embedding.weight;`). An undefined `Parameter` (PyTorch's
//! `bias=None`) is skipped by every reflection.
//!
//! Why a type and not a registration call: a C++ struct has no `__setattr__` hook, and a
//! type makes the role visible at the declaration, costs nothing at run time, and lets
//! reflection (Boost.Hana) decide it at compile time.
class Parameter : public Tensor {
public:
  //! @brief An undefined parameter (absent, like `bias=None`).
  Parameter() = default;
  //! @brief Wraps `tensor` (shares its data); implicit so that
  //! `Parameter weight = xport::zeros({4, 3});` reads naturally.
  Parameter(Tensor tensor) noexcept : Tensor(std::move(tensor)) {}
};

//! @brief A tensor of saved module state that is not learned, such as BatchNorm's
//! running statistics (PyTorch's `register_buffer(name, t)`, persistent).
//!
//! Listed by `named_buffers()`, saved by `state_dict()` and moved by `to()`. Reads as a
//! `Tensor` in `forward`; see `Parameter` for the design.
class Buffer : public Tensor {
public:
  //! @brief An undefined buffer (skipped by reflection).
  Buffer() = default;
  //! @brief Wraps `tensor` (shares its data).
  Buffer(Tensor tensor) noexcept : Tensor(std::move(tensor)) {}
};

//! @brief A buffer that is not saved (PyTorch's `register_buffer(name, t,
//! persistent=False)`): listed by `named_buffers()` and moved by `to()`, but absent from
//! `state_dict()`, so checkpoints neither contain nor expect it.
class NonPersistentBuffer : public Tensor {
public:
  //! @brief An undefined buffer (skipped by reflection).
  NonPersistentBuffer() = default;
  //! @brief Wraps `tensor` (shares its data).
  NonPersistentBuffer(Tensor tensor) noexcept : Tensor(std::move(tensor)) {}
};

namespace detail {

template <class T>
struct tensor_member : std::false_type {};
template <>
struct tensor_member<Parameter> : std::true_type {
  static constexpr tensor_role role = tensor_role::parameter;
};
template <>
struct tensor_member<Buffer> : std::true_type {
  static constexpr tensor_role role = tensor_role::buffer;
};
template <>
struct tensor_member<NonPersistentBuffer> : std::true_type {
  static constexpr tensor_role role = tensor_role::non_persistent_buffer;
};
template <>
struct tensor_member<Tensor> : std::true_type {
  static constexpr tensor_role role = tensor_role::constant;
};

} // namespace detail

} // namespace xport
