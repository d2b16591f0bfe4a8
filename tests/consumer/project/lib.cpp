#include "lib.hpp"

#include <xport/xport.hpp>

namespace consumer {
xport::Tensor matmul(xport::Tensor const& a, xport::Tensor const& b) {
  return xport::matmul(a, b);
}
std::string_view gemm_backend() {
  return xport::kernels::cpu::gemm_backend;
}
} // namespace consumer
