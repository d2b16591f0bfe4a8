// Which types are pytrees.
#include <xport/trace/pytree.hpp>

#include <boost/hana/define_struct.hpp>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace {
struct reflected {
  BOOST_HANA_DEFINE_STRUCT(reflected, (xport::Tensor, w), (std::vector<int>, sizes));
};
struct with_bad_field {
  BOOST_HANA_DEFINE_STRUCT(with_bad_field, (xport::Tensor, w), (char const*, name));
};
struct plain {
  int x;
};
} // namespace

using xport::is_pytree_v;
using xport::Tensor;

static_assert(is_pytree_v<Tensor>);
static_assert(is_pytree_v<int> && is_pytree_v<std::uint8_t> && is_pytree_v<std::int64_t>);
static_assert(is_pytree_v<float> && is_pytree_v<double> && is_pytree_v<bool>);
static_assert(is_pytree_v<std::string>);
static_assert(
    is_pytree_v<xport::leaf> && is_pytree_v<xport::none_t> && is_pytree_v<xport::tree_value>);
static_assert(is_pytree_v<std::tuple<Tensor, std::pair<int, std::optional<Tensor>>>>);
static_assert(is_pytree_v<std::array<std::vector<Tensor>, 2>>);
static_assert(is_pytree_v<std::map<std::string, std::vector<reflected>>>);
static_assert(is_pytree_v<std::tuple<>>);
static_assert(is_pytree_v<std::vector<int> const>);

// Characters are not integers here: a char is text, and text is a std::string.
static_assert(!is_pytree_v<char>);
static_assert(!is_pytree_v<char const*>);
static_assert(!is_pytree_v<plain>);
static_assert(!is_pytree_v<std::map<int, Tensor>>);
static_assert(!is_pytree_v<std::vector<plain>>);
static_assert(!is_pytree_v<std::tuple<int, std::optional<plain>>>);
static_assert(!is_pytree_v<with_bad_field>);

// The innermost offending type is what the static_assert's context names.
static_assert(std::is_same_v<
              xport::detail::first_unsupported<std::tuple<int, std::vector<plain>>>::type, plain>);
static_assert(std::is_same_v<xport::detail::first_unsupported<with_bad_field>::type, char const*>);
