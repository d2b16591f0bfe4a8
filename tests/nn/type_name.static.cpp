#include <xport/core/tensor.hpp>
#include <xport/nn/sequential.hpp>
#include <xport/nn/type_name.hpp>

#include <array>

namespace probe {
struct Leaf : xport::Module<Leaf> {
  int forward(int x) const { return x; }
};
template <class T>
struct Box {};
} // namespace probe

static_assert(xport::type_name<int>() == "int");
static_assert(xport::type_name<double const>() == "const double");
static_assert(xport::type_name<xport::Tensor>() == "xport::Tensor");
static_assert(xport::type_name<probe::Leaf>() == "probe::Leaf");
static_assert(xport::type_name<probe::Box<probe::Leaf>>() == "probe::Box<probe::Leaf>");
static_assert(xport::type_name<xport::nn::Sequential<probe::Leaf>>()
              == "xport::nn::Sequential<probe::Leaf>");

// A name is a constant: usable as a template argument's value or an array bound.
constexpr std::array<char, xport::type_name<probe::Leaf>().size()> leaf_buffer{};
static_assert(leaf_buffer.size() == 11);
