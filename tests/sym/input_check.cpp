// Tests for include/xport/sym/input_check.hpp: binding symbols from input sizes and checking
// ranges, equalities, derived forms and guards with PyTorch's messages.
#include <xport/sym/input_check.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

using xport::constraint_violation;
using xport::shape_error;
using xport::value_error;
using xport::sym::expr;
using xport::sym::input_contract;
using xport::sym::int_oo;
using xport::sym::shape_view;
using xport::sym::symbol;
using xport::sym::value_range;
using xport::sym::zero_one_policy;

namespace {

using dims = std::vector<std::int64_t>;

void check(const input_contract& c, const dims& a) {
  c.check({shape_view(a)});
}
void check(const input_contract& c, const dims& a, const dims& b) {
  c.check({shape_view(a), shape_view(b)});
}
void check(const input_contract& c, const dims& a, const dims& b, const dims& d) {
  c.check({shape_view(a), shape_view(b), shape_view(d)});
}

// x: [s0, 4], y: [s0 + 1]  with s0 in [4, 16]
input_contract derived_contract() {
  input_contract c;
  const symbol s0 = c.add_symbol("s0", {4, 16});
  c.add_input("args[0]", {s0, 4});
  c.add_input("args[1]", {expr(s0) + 1});
  return c;
}

} // namespace

TEST_CASE("a valid call passes") {
  const input_contract c = derived_contract();
  CHECK_NOTHROW(check(c, {4, 4}, {5}));
  CHECK_NOTHROW(check(c, {16, 4}, {17}));
  CHECK(c.num_inputs() == 2);
  CHECK(c.num_symbols() == 1);
}

TEST_CASE("range violations name the input path, dim, bound and value") {
  const input_contract c = derived_contract();
  CHECK_THROWS_WITH_AS(check(c, {17, 4}, {18}),
                       "Expected input at args[0].shape[0] to be <= 16, but got 17",
                       constraint_violation);
  CHECK_THROWS_WITH_AS(check(c, {3, 4}, {4}),
                       "Expected input at args[0].shape[0] to be >= 4, but got 3",
                       constraint_violation);
}

TEST_CASE("static dims must match exactly") {
  const input_contract c = derived_contract();
  CHECK_THROWS_WITH_AS(
      check(c, {8, 7}, {9}),
      doctest::Contains("Expected input at args[0].shape[1] to be equal to 4, "
                        "but got 7. If you meant for this dimension to be dynamic"),
      constraint_violation);
}

TEST_CASE("derived dims are checked against the bound root") {
  const input_contract c = derived_contract();
  CHECK_THROWS_WITH_AS(check(c, {8, 4}, {10}),
                       doctest::Contains("Expected input at args[1].shape[0] to be equal to 9, but "
                                         "got 10 (args[1].shape[0] = s0 + 1, where s0 = 8 from "
                                         "args[0].shape[0])"),
                       constraint_violation);
}

TEST_CASE("a symbol bound through a derived form is solved, with the 'of the form' message") {
  input_contract c;
  const symbol s0 = c.add_symbol("s0", {2, 10});
  c.add_input("x", {2 * expr(s0) + 1});
  c.add_input("y", {expr(s0) + 3});
  CHECK_NOTHROW(check(c, {11}, {8}));
  CHECK_THROWS_WITH_AS(check(c, {10}, {8}),
                       "Expected input x.shape[0] = 10 to be of the form 2*s0 + 1, where s0 is an "
                       "integer",
                       constraint_violation);
  // The root's range maps through the form: s0 <= 10 means x.shape[0] <= 21.
  CHECK_THROWS_WITH_AS(check(c, {23}, {14}), "Expected input at x.shape[0] to be <= 21, but got 23",
                       constraint_violation);
  CHECK_THROWS_WITH_AS(check(c, {11}, {9}), doctest::Contains("to be equal to 8, but got 9"),
                       constraint_violation);
}

TEST_CASE("0/1 sizes: PyTorch's runtime leniency is a recorded policy") {
  input_contract lenient;
  const symbol a = lenient.add_symbol("s0", {2, int_oo});
  lenient.add_input("x", {a});
  CHECK(lenient.policy() == zero_one_policy::accept_at_runtime);
  CHECK_NOTHROW(check(lenient, {1}));
  CHECK_NOTHROW(check(lenient, {0}));

  input_contract strict(zero_one_policy::enforce);
  const symbol b = strict.add_symbol("s0", {2, int_oo});
  strict.add_input("x", {b});
  CHECK_THROWS_WITH_AS(check(strict, {1}), "Expected input at x.shape[0] to be >= 2, but got 1",
                       constraint_violation);

  // A minimum above 2 is always enforced.
  input_contract three;
  const symbol c = three.add_symbol("s0", {3, int_oo});
  three.add_input("x", {c});
  CHECK_THROWS_WITH_AS(check(three, {2}), "Expected input at x.shape[0] to be >= 3, but got 2",
                       constraint_violation);
}

TEST_CASE("guards between inputs are checked after binding") {
  input_contract c;
  const symbol s0 = c.add_symbol("s0", {2, 64});
  const symbol s1 = c.add_symbol("s1", {2, 64});
  c.add_input("x", {s0});
  c.add_input("y", {s1});
  c.add_guard(xport::sym::le(s0, s1));
  c.add_guard(xport::sym::divisible(s1, 4));
  CHECK_NOTHROW(check(c, {3}, {8}));
  CHECK_THROWS_WITH_AS(check(c, {9}, {8}),
                       "Guard failed: x.shape[0] <= y.shape[0] (x.shape[0] = 9, y.shape[0] = 8)",
                       constraint_violation);
  CHECK_THROWS_WITH_AS(check(c, {3}, {6}),
                       "Guard failed: Eq(Mod(y.shape[0], 4), 0) (y.shape[0] = 6)",
                       constraint_violation);
  CHECK_THROWS_AS(c.add_guard(xport::sym::le(s0, symbol{xport::sym::symbol_kind::unbacked, 0})),
                  value_error);
}

TEST_CASE("a dim related to several symbols is checked as an expression") {
  input_contract c;
  const symbol s0 = c.add_symbol("s0", {2, 64});
  const symbol s1 = c.add_symbol("s1", {2, 64});
  c.add_input("x", {expr(s0) * expr(s1)}); // checked after s0, s1 are bound below
  c.add_input("y", {s0, s1});
  CHECK_NOTHROW(check(c, {12}, {3, 4}));
  CHECK_THROWS_WITH_AS(
      check(c, {13}, {3, 4}),
      doctest::Contains("Expected input at x.shape[0] to be equal to 12, but got 13"),
      constraint_violation);
}

TEST_CASE("wrong input counts and ranks") {
  const input_contract c = derived_contract();
  CHECK_THROWS_WITH_AS(check(c, {4, 4}), "Unexpected number of inputs (expected 2, got 1)",
                       value_error);
  CHECK_THROWS_WITH_AS(
      check(c, {4, 4, 1}, {5}),
      "Unexpected number of dimensions in input at args[0].shape (expected 2, got 3)", shape_error);
}

TEST_CASE("three inputs, six symbols") {
  input_contract c;
  std::array<symbol, 6> s{};
  for (std::uint32_t i = 0; i < 6; ++i)
    s[i] = c.add_symbol("s" + std::to_string(i), {2, 1024});
  c.add_input("a", {s[0], s[1]});
  c.add_input("b", {s[1], 2 * expr(s[2]), s[3]});
  c.add_input("c", {s[4], expr(s[5]) + 1, s[0]});
  CHECK_NOTHROW(check(c, {8, 16}, {16, 6, 5}, {7, 10, 8}));
  CHECK_THROWS_WITH_AS(
      check(c, {8, 16}, {16, 6, 5}, {7, 10, 9}),
      doctest::Contains("Expected input at c.shape[2] to be equal to 8, but got 9"),
      constraint_violation);
}

TEST_CASE("contract building refuses foreign symbols, and unbindable symbols are reported") {
  input_contract c;
  CHECK_THROWS_AS(c.add_input("x", {symbol{xport::sym::symbol_kind::backed, 3}}), value_error);
  CHECK_THROWS_AS(c.add_symbol("s0", value_range::empty()), value_error);
  const symbol s0 = c.add_symbol("s0", {2, 8});
  const symbol s1 = c.add_symbol("s1", {2, 8});
  c.add_input("x", {expr(s0) * expr(s1)});
  CHECK_THROWS_WITH_AS(check(c, {4}), doctest::Contains("Cannot bind s0"), value_error);
}

TEST_CASE("to_string lists range constraints, input forms and guards") {
  input_contract c;
  const symbol s0 = c.add_symbol("s0", {2, 16});
  c.add_input("x", {s0, 4});
  c.add_input("y", {2 * expr(s0) + 1});
  c.add_guard(xport::sym::ne(s0, 7));
  CHECK(c.to_string() == "s0: VR[2, 16]\nx: [s0, 4]\ny: [2*s0 + 1]\nguard: Ne(s0, 7)\n");
}
