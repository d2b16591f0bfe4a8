// XPORT_EXPECT_ERROR: the module has no public forward\(\) accepting these arguments
// Calling a module with arguments its forward cannot take names the problem at the call.
#include <xport/core/factories.hpp>
#include <xport/nn/module.hpp>

struct Double : xport::Module<Double> {
  xport::Tensor forward(xport::Tensor const& x) const { return x; }
};

int main() {
  Double const module;
#ifndef XPORT_TWIN
  module(1, 2);
#else
  module(xport::zeros({1}));
#endif
}
