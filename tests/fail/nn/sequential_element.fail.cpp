// XPORT_EXPECT_ERROR: every element must be a module \(derive from xport::Module<T>\)
// Sequential holds modules only: a plain callable is refused with a sentence.
#include <xport/core/factories.hpp>
#include <xport/nn/sequential.hpp>

struct NotAModule {
  xport::Tensor forward(xport::Tensor const& x) const { return x; }
};

struct Identity : xport::Module<Identity> {
  xport::Tensor forward(xport::Tensor const& x) const { return x; }
};

int main() {
#ifndef XPORT_TWIN
  xport::nn::Sequential<Identity, NotAModule> const seq;
#else
  xport::nn::Sequential<Identity, Identity> const seq;
#endif
  seq(xport::zeros({1}));
}
