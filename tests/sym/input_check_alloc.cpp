// The input check runs on every call of an exported program: its success path must not
// allocate. This executable replaces the global operator new to count allocations.
#include "support/allocation_counter.hpp"

#include <xport/sym/input_check.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

using xport::sym::expr;
using xport::sym::input_contract;
using xport::sym::shape_view;
using xport::sym::symbol;

TEST_CASE("a passing input check performs no allocation") {
  input_contract c;
  std::vector<symbol> s;
  for (int i = 0; i < 6; ++i)
    s.push_back(c.add_symbol("s" + std::to_string(i), {2, 1024}));
  c.add_input("a", {s[0], s[1]});
  c.add_input("b", {s[1], 2 * expr(s[2]) + 1, s[3]});
  c.add_input("c", {s[4], s[5], expr(s[5]) * expr(s[0]), 8});
  c.add_guard(xport::sym::le(s[3], s[4]));
  const std::int64_t a[] = {8, 16};
  const std::int64_t b[] = {16, 7, 5};
  const std::int64_t d[] = {9, 10, 80, 8};
  const shape_view inputs[] = {a, b, d};

  const long before = xport_test::allocations();
  for (int i = 0; i < 100; ++i)
    c.check(inputs);
  CHECK(xport_test::allocations() - before == 0);

  // The failure path may allocate (it builds a message), and it does fail here.
  const std::int64_t bad[] = {9, 10, 81, 8};
  const shape_view wrong[] = {a, b, bad};
  CHECK_THROWS_AS(c.check(wrong), xport::constraint_violation);
}
