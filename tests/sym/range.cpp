#include <xport/sym/range.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <sstream>
#include <vector>

using xport::sym::int_oo;
using xport::sym::neg_int_oo;
using xport::sym::value_range;
using vr = value_range;

namespace {

std::int64_t py_floordiv(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
std::int64_t py_mod(std::int64_t a, std::int64_t b) {
  return a - py_floordiv(a, b) * b;
}

std::vector<vr> small_ranges() {
  std::vector<vr> out;
  for (std::int64_t lo = -4; lo <= 4; ++lo)
    for (std::int64_t hi = lo; hi <= 4; ++hi)
      out.push_back({lo, hi});
  return out;
}

} // namespace

TEST_CASE("value_range prints like PyTorch") {
  CHECK(to_string(vr{2, int_oo}) == "VR[2, int_oo]");
  CHECK(to_string(vr{neg_int_oo, 5}) == "VR[-int_oo, 5]");
  CHECK(to_string(vr::point(3)) == "VR[3, 3]");
  CHECK(to_string(vr::empty()) == "VR[empty]");
  std::ostringstream os;
  os << vr{0, 9};
  CHECK(os.str() == "VR[0, 9]");
}

TEST_CASE("value_range predicates") {
  CHECK(vr::unbounded().contains(0));
  CHECK_FALSE(vr::at_least(2).contains(1));
  CHECK(vr::at_least(2).bounded_below());
  CHECK_FALSE(vr::at_least(2).bounded_above());
  CHECK(vr::empty().is_empty());
  CHECK(vr::empty().is_subset_of(vr::point(0)));
  CHECK(vr{5, 1} == vr::empty());
  CHECK(vr{1, 2} != vr{1, 3});
}

TEST_CASE("saturating arithmetic never wraps") {
  CHECK((vr{int_oo - 1, int_oo - 1} * vr{2, 2}) == vr{int_oo, int_oo});
  CHECK((vr{neg_int_oo + 1, 0} * vr{3, 3}).lo == neg_int_oo);
  CHECK((vr{neg_int_oo, 0} - vr{1, 1}).lo == neg_int_oo);
  CHECK((vr::unbounded() * vr::point(0)) == vr::point(0));
  CHECK((vr::at_least(1) * vr::at_most(-1)) == vr::at_most(-1));
  CHECK(floordiv(vr::at_least(0), vr::at_least(1)) == vr::at_least(0));
  CHECK(floordiv(vr{-5, 5}, vr::at_least(1)) == vr{-5, 5});
  CHECK(floordiv(vr{1, 1}, vr{0, 0}) == vr::unbounded());
  CHECK(mod(vr{1, 1}, vr{0, 0}) == vr::unbounded());
  CHECK(mod(vr::unbounded(), vr::at_least(1)) == vr::at_least(0));
}

TEST_CASE("empty intervals propagate") {
  const vr e = vr::empty();
  CHECK((e + vr{1, 2}).is_empty());
  CHECK((vr{1, 2} * e).is_empty());
  CHECK(floordiv(e, vr{1, 2}).is_empty());
  CHECK(mod(vr{1, 2}, e).is_empty());
  CHECK(min(e, vr{1, 2}).is_empty());
  CHECK(hull(e, vr{1, 2}) == vr{1, 2});
}

// Every operation is sound: for all members x of a and y of b, x op y is in a op b.
TEST_CASE("interval operations are sound on all small ranges") {
  const auto ranges = small_ranges();
  long checked = 0;
  for (const vr& a : ranges)
    for (const vr& b : ranges) {
      const vr sum = a + b, diff = a - b, prod = a * b, lo = min(a, b), hi = max(a, b);
      const vr q = floordiv(a, b), m = mod(a, b), hl = hull(a, b), in = intersect(a, b);
      for (std::int64_t x = a.lo; x <= a.hi; ++x)
        for (std::int64_t y = b.lo; y <= b.hi; ++y) {
          ++checked;
          REQUIRE(sum.contains(x + y));
          REQUIRE(diff.contains(x - y));
          REQUIRE(prod.contains(x * y));
          REQUIRE(lo.contains(x < y ? x : y));
          REQUIRE(hi.contains(x < y ? y : x));
          REQUIRE(hl.contains(x));
          if (y != 0) {
            REQUIRE(q.contains(py_floordiv(x, y)));
            REQUIRE(m.contains(py_mod(x, y)));
          }
          if (x == y) REQUIRE(in.contains(x));
        }
      for (std::int64_t x = a.lo; x <= a.hi; ++x) {
        REQUIRE((-a).contains(-x));
        REQUIRE(pow(a, 2).contains(x * x));
        REQUIRE(pow(a, 3).contains(x * x * x));
      }
    }
  CHECK(checked > 10000);
}

TEST_CASE("floordiv and mod are tight for point divisors") {
  CHECK(floordiv(vr{0, 100}, vr::point(4)) == vr{0, 25});
  CHECK(mod(vr{8, 11}, vr::point(4)) == vr{0, 3});
  CHECK(mod(vr{2, 3}, vr{5, 9}) == vr{2, 3});
  CHECK(mod(vr{-3, -2}, vr::point(5)) == vr{2, 3});
}
