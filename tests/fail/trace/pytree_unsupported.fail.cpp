// XPORT_EXPECT_ERROR: xport pytree: this type is not a pytree\. Supported: xport::Tensor
// A type that is neither a leaf, a container of pytrees nor a reflected struct is refused
// with a message that lists what is supported.
#include <xport/trace/pytree.hpp>

#include <vector>

struct not_reflected {
  int x = 0;
};

#ifndef XPORT_TWIN
using value_t = std::vector<not_reflected>;
#else
using value_t = std::vector<int>;
#endif

int main() {
  auto const flat = xport::flatten(value_t{});
  return static_cast<int>(flat.leaves.size());
}
