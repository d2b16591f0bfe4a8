// xport quick start: the first README command builds and runs this file.
#include <xport/xport.hpp>

#include <iostream>

int main() {
  //! [tensors]
  xport::Generator gen{0};
  xport::Tensor x = xport::randn({2, 3}, gen);
  std::cout << "x = " << x << "\n";

  xport::Tensor y = xport::arange(12).view({3, 4});
  std::cout << "y = " << y << "\n";
  std::cout << "y.t() = " << y.t() << "  (a view: contiguous = " << y.t().is_contiguous() << ")\n";
  std::cout << "y[:, 1::2] = " << y.slice(1, 1, {}, 2) << "\n";

  xport::Tensor h = xport::ones({2}, {.dtype = xport::dtype::float16});
  std::cout << "h = " << h << "\n";
  std::cout << "result_type(int32 tensor, 2.5) = "
            << xport::result_type(xport::zeros({2}, {.dtype = xport::dtype::int32}), 2.5) << "\n";
  //! [tensors]

  //! [errors]
  try {
    y.view({5, -1});
  } catch (xport::shape_error const& e) {
    std::cout << "shape_error: " << e.what() << "\n";
  }
  //! [errors]
}
