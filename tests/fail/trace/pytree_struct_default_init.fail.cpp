// XPORT_EXPECT_ERROR: a reflected struct must be default-constructible to be rebuilt
// unflatten assigns a struct's fields one by one, so the struct needs a default state.
#include <xport/trace/pytree.hpp>

#include <boost/hana/define_struct.hpp>

struct sized {
#ifndef XPORT_TWIN
  explicit sized(int n_) : n(n_) {}
#else
  sized() = default;
#endif
  BOOST_HANA_DEFINE_STRUCT(sized, (int, n));
};

int main() {
  auto const back = xport::unflatten<sized>({3}, xport::dataclass_spec("sized", {"n"}, {{}}));
  return back.n == 3 ? 0 : 1;
}
