//! @file
//! `nn::Sequential<Layers...>`: modules called one after another, typed by their list.
#pragma once

#include <xport/nn/module.hpp>

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

namespace xport::nn {

//! @brief Calls its modules in order, each on the previous one's output (PyTorch's
//! `nn.Sequential`); in a state dict the modules are named `0`, `1`, ...
//!
//! The module types are template arguments and the modules live in a `std::tuple`, so each
//! call is a direct, inlinable call with the element's own argument and result types (no
//! type erasure, no virtual `forward`), and an element whose `forward` cannot take the
//! previous output is a compile error at the call. Class template argument deduction
//! spells it without repeating the types:
//! @code
//! xport::nn::Sequential body{Scale{2.0}, Flatten{}, Scale{0.5}};   // Sequential<Scale, Flatten,
//! Scale> auto y = body(x);          // frames "", "0", "1", "2" when called as the root
//! body.get<1>();             // the Flatten
//! @endcode
//! For a run-time number of modules of one type, use a `std::vector` member (PyTorch's
//! `ModuleList`); it is named the same way.
//! @tparam Layers module types (each derives from `xport::Module<Layer>`).
template <class... Layers>
class Sequential : public Module<Sequential<Layers...>> {
  static_assert((detail::is_module_v<Layers> && ...),
                "xport::nn::Sequential: every element must be a module (derive from "
                "xport::Module<T>)");

public:
  //! @brief Default-constructed modules.
  Sequential() = default;

  //! @brief The given modules, in calling order.
  explicit Sequential(Layers... layers) requires(sizeof...(Layers) > 0)
      : layers_(std::move(layers)...) {}

  //! @brief The number of modules.
  static constexpr std::size_t size() noexcept { return sizeof...(Layers); }

  //! @brief The module at position `I`.
  template <std::size_t I>
  auto& get() noexcept {
    return std::get<I>(layers_);
  }

  //! @brief The module at position `I`.
  template <std::size_t I>
  auto const& get() const noexcept {
    return std::get<I>(layers_);
  }

  //! @brief `layer_n(...layer_1(layer_0(input)))`, each called through its
  //! `operator()` (so each gets its module-stack frame); an empty `Sequential` returns
  //! `input`. The result is returned by value.
  template <class Input>
  auto forward(Input&& input) {
    return chain<0>(*this, std::forward<Input>(input));
  }

  //! @brief `forward` of a `const` Sequential (every element needs a `const` forward).
  template <class Input>
  auto forward(Input&& input) const {
    return chain<0>(*this, std::forward<Input>(input));
  }

private:
  template <std::size_t I, class Self, class Value>
  static auto chain(Self& self, Value&& value) {
    if constexpr (I == sizeof...(Layers))
      return std::remove_cvref_t<Value>(std::forward<Value>(value));
    else
      return chain<I + 1>(self, std::get<I>(self.layers_)(std::forward<Value>(value)));
  }

  std::tuple<Layers...> layers_;

  friend struct detail::custom_members<Sequential>;
};

//! @brief `Sequential{a, b, c}` deduces `Sequential<A, B, C>`.
template <class... Layers>
Sequential(Layers...) -> Sequential<Layers...>;

} // namespace xport::nn

namespace xport::detail {

template <class... Layers>
struct custom_members<nn::Sequential<Layers...>> {
  static constexpr bool enabled = true;

  template <class Self, class F>
  static void for_each(Self& self, F& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (f(name_part::position(I), std::get<I>(self.layers_)), ...);
    }
    (std::index_sequence_for<Layers...>{});
  }
};

} // namespace xport::detail
