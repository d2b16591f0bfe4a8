// The compile-time tier of the dim algebra: shapes whose dims are types, checked by the
// compiler where that is decidable and at run time where it is not. Built and run as a
// test; docs/dynamic_shapes.md pulls the snippets.
#include <xport/sym/static_dim.hpp>
#include <xport/sym/static_shape.hpp>

#include <iostream>
#include <type_traits>

int main() {
  //! [static_dims]
  using namespace xport::literals;            // 784_c is xport::fixed<784>
  using batch = xport::dim<"batch", 1, 1024>; // a dynamic size with a range, as a type

  batch const b{8};                               // checked: 1 <= 8 <= 1024
  auto const x = xport::sym::shape{b, 784_c};     // [batch, 784]
  auto const w = xport::sym::shape{784_c, 128_c}; // [784, 128]
  auto const y = xport::sym::matmul(x, w);        // inner dims agree at compile time
  static_assert(std::is_same_v<decltype(y), xport::sym::shape<batch, xport::fixed<128>> const>);

  auto const padded = 2_c * b + 1_c; // a derived dim: the type is derived<batch, 2, 1>
  static_assert(xport::sym::range_of<
                    std::remove_const_t<decltype(padded)>> == xport::sym::value_range{3, 2049});
  std::cout << "y = " << y << ", padded = " << padded.value() << "\n";
  //! [static_dims]

  //! [static_errors]
  // Multiplying [batch, 784] by [783, 128], or writing batch{2000_c}, does not compile:
  // the static_assert says why (tests/fail/sym/static_* pin every message). What the
  // types cannot decide is checked when the program runs:
  try {
    xport::sym::expect_equal(b, 7_c);
  } catch (xport::shape_error const& e) {
    std::cout << "shape_error: " << e.what() << "\n";
  }
  //! [static_errors]
}
