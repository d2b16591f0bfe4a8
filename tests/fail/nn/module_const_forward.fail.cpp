// XPORT_EXPECT_ERROR: a const module needs a const forward
// A const module can only be called when its forward is const.
#include <xport/core/factories.hpp>
#include <xport/nn/module.hpp>

struct Stateful : xport::Module<Stateful> {
  int calls = 0;
  xport::Tensor forward(xport::Tensor const& x) {
    ++calls;
    return x;
  }
};

int main() {
#ifndef XPORT_TWIN
  Stateful const module;
#else
  Stateful module;
#endif
  module(xport::zeros({1}));
}
