// Tests for include/xport/sym/bind.hpp and solver.hpp: binding specs to symbols, checking
// traced guards against the spec, PyTorch's messages, typed fixes and their round trip.
#include <xport/sym/solver.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

using namespace xport::sym;
using xport::constraint_violation;
using xport::value_error;

namespace {

// Plays the shape environment the way tracing will: creates symbols with hints, decides
// comparisons from ranges when it can (no guard) and otherwise from the hints (a guard),
// turns decided equalities into replacements and univariate bounds into ranges.
class mini_env {
public:
  symbol_factory factory() {
    return [this](const std::string&, std::int64_t hint, value_range r, bool) -> expr {
      const symbol s{symbol_kind::backed, static_cast<std::uint32_t>(hints_.size())};
      hints_.push_back(hint);
      facts.ranges.emplace_back(s, intersect(r, facts.default_range));
      known_.refine_range(s, intersect(r, facts.default_range));
      return s;
    };
  }
  expr resolve(const expr& e) const {
    expr cur = e;
    for (std::size_t i = 0; i <= facts.replacements.size(); ++i)
      cur = substitute(cur, [&](symbol s) -> std::optional<expr> {
        for (const auto& [k, v] : facts.replacements)
          if (k == s) return v;
        return std::nullopt;
      });
    return cur;
  }
  bool decide(relation r, const std::string& op) {
    r = {r.op, resolve(r.lhs), resolve(r.rhs)};
    if (auto known = xport::sym::decide(r, known_)) return *known;
    const bool value = evaluate(r, [&](symbol s) { return hints_[s.index]; });
    const relation held = value ? r : negate(r);
    facts.guards.push_back({held, op, xport::source_location::current()});
    known_.add(held);
    const relation c = held.canonical();
    if (c.op == rel_op::eq) eliminate(c.lhs);
    for (auto& [s, range] : facts.ranges)
      range = known_.range_of(s);
    return value;
  }
  // Relates two symbols the way an equality guard between sizes would: `s = e`.
  void replace(symbol s, expr e) { facts.replacements.emplace_back(s, std::move(e)); }

  trace_facts facts;

private:
  // Eq(e, 0) with e = c*s + rest, c = +-1: replace the newest such symbol s by -rest/c.
  void eliminate(const expr& e) {
    std::vector<symbol> syms = free_symbols(e);
    for (auto it = syms.rbegin(); it != syms.rend(); ++it)
      for (const std::int64_t c : {1, -1}) {
        const expr rest = e - expr(c) * expr(*it);
        if (has_symbol(rest, *it)) continue;
        facts.replacements.emplace_back(*it, c == 1 ? -rest : rest);
        return;
      }
  }

  std::vector<std::int64_t> hints_;
  fact_set known_;
};

struct example {
  std::vector<std::vector<std::int64_t>> shapes;
  std::vector<example_input> inputs() const {
    std::vector<example_input> out;
    for (std::size_t i = 0; i < shapes.size(); ++i)
      out.push_back({"args[" + std::to_string(i) + "]", shapes[i]});
    return out;
  }
};

using program = std::function<void(mini_env&, const std::vector<expr>& sizes)>;

// Binds, traces `prog` (which sees the flat list of input dim sizes), and solves.
solve_result export_like(const dynamic_shapes& spec, const example& ex, const program& prog) {
  mini_env env;
  const std::vector<example_input> inputs = ex.inputs();
  const spec_binding b = bind_spec(spec, inputs, env.factory());
  std::vector<expr> sizes;
  for (const dim_binding& d : b.dims)
    sizes.push_back(d.value);
  prog(env, sizes);
  return solve(b, env.facts);
}

} // namespace

TEST_CASE("a program that respects the spec passes") {
  const Dim dx("dx", {.max = 16});
  const solve_result r = export_like({dx, 4}, {{{8, 4}}}, [](mini_env& env, const auto& s) {
    CHECK(env.decide(le(s[0], 32), "slice")); // decided by the range: no guard
  });
  CHECK(r.ok());
  CHECK(r.message().empty());
}

TEST_CASE("a guard the range does not imply: 'Not all values', fix narrows the Dim") {
  const Dim dx("dx");
  const dynamic_shapes spec({dx, 4});
  const program prog = [](mini_env& env, const auto& s) { env.decide(le(s[0], 16), "slice"); };
  const solve_result r = export_like(spec, {{{8, 4}}}, prog);
  REQUIRE_FALSE(r.ok());
  CHECK(r.message().starts_with("Constraints violated (dx)!"));
  CHECK(r.message().find("Not all values of dx = args[0].size(0) in the specified range 2 <= dx "
                         "<= int_oo satisfy the generated guard args[0].size(0) <= 16 (at 'slice'")
        != std::string::npos);
  CHECK(r.message().ends_with("Suggested fixes:\n  dx = Dim('dx', max=16)"));
  REQUIRE(r.fixes.size() == 1);
  CHECK(r.fixes[0] == suggested_fix::narrow("dx", {.max = 16}));
  // Round trip: the refined spec passes.
  CHECK(export_like(refine(spec, r.fixes), {{{8, 4}}}, prog).ok());
}

TEST_CASE("a specialized dim: 'You marked dx as dynamic', fix dx = 4") {
  const Dim dx("dx");
  const dim_spec dy = Dim::Auto;
  const dynamic_shapes spec({dx, dy});
  const program prog = [](mini_env& env, const auto& s) {
    env.decide(eq(s[0], 4), "view");
    env.decide(eq(s[1], 3), "view"); // an Auto dim may specialize: no violation
  };
  const solve_result r = export_like(spec, {{{4, 3}}}, prog);
  CHECK(r.message()
        == "Constraints violated (dx)!\n  - You marked dx as dynamic but your code specialized it "
           "to be a constant (4).\nSuggested fixes:\n  dx = 4");
  CHECK(export_like(refine(spec, r.fixes), {{{4, 3}}}, prog).ok());
}

TEST_CASE("dims the program equates or relates: dy = dx, dz = dx + 1") {
  const auto [dx, dy, dz] = dims({"dx", "dy", "dz"});
  const dynamic_shapes spec({shape_spec{dx}, shape_spec{dy}, shape_spec{dz}});
  const program prog = [](mini_env& env, const auto& s) {
    env.decide(eq(s[1], s[0]), "add");
    env.decide(eq(s[2], expr(s[0]) + 1), "cat");
  };
  const solve_result r = export_like(spec, {{{5}, {5}, {6}}}, prog);
  const std::string m = r.message();
  CHECK(m.starts_with("Constraints violated (dy, dz)!"));
  CHECK(m.find("The values of dy = args[1].size(0) and dx = args[0].size(0) must always be "
               "equal.")
        != std::string::npos);
  CHECK(m.find("The values of dz = args[2].size(0) must always be related to the values of dx = "
               "args[0].size(0) by dz = dx + 1.")
        != std::string::npos);
  CHECK(m.ends_with("Suggested fixes:\n  dy = dx\n  dz = dx + 1"));
  const dynamic_shapes refined = refine(spec, r.fixes);
  CHECK(refined.to_string() == "((dx,), (dx,), (dx + 1,))");
  CHECK(export_like(refined, {{{5}, {5}, {6}}}, prog).ok());
}

TEST_CASE("a relation found the other way round is suggested on the later root") {
  const auto [dx, dy] = dims({"dx", "dy"});
  const dynamic_shapes spec({shape_spec{dx}, shape_spec{dy}});
  const solve_result r = export_like(spec, {{{5}, {6}}}, [](mini_env& env, const auto& s) {
    env.replace(*s[0].as_symbol(), expr(s[1]) - 1); // the environment chose to eliminate dx
  });
  CHECK(r.fixes == std::vector{suggested_fix::relate("dy", "dx", 1, 1)});
}

TEST_CASE("divisibility: a new root _dx with dx = 2*_dx") {
  const Dim dx("dx", {.max = 24});
  const dynamic_shapes spec({dx});
  const program prog = [](mini_env& env, const auto& s) {
    env.decide(eq(mod(s[0], 2), 0), "view");
  };
  const solve_result r = export_like(spec, {{{8}}}, prog);
  CHECK(r.message().find("satisfy the generated guard Eq(Mod(args[0].size(0), 2), 0)")
        != std::string::npos);
  CHECK(r.message().ends_with("Suggested fixes:\n  _dx = Dim('_dx', min=1, max=12)\n  dx = 2*_dx"));
  const dynamic_shapes refined = refine(spec, r.fixes);
  CHECK(refined.to_string() == "((2*_dx,),)");
  CHECK(export_like(refined, {{{8}}}, prog).ok());
}

TEST_CASE("congruences combine: dx % 2 == 0 and (dx + 1) % 3 == 0 give dx = 6*_dx + 2") {
  const Dim dx("dx", {.max = 100});
  const dynamic_shapes spec({dx});
  const program prog = [](mini_env& env, const auto& s) {
    env.decide(eq(mod(s[0], 2), 0), "view");
    env.decide(eq(mod(expr(s[0]) + 1, 3), 0), "unfold");
  };
  const solve_result r = export_like(spec, {{{8}}}, prog);
  CHECK(r.fixes
        == std::vector{suggested_fix::narrow("_dx", {.min = 0, .max = 16}),
                       suggested_fix::relate("dx", "_dx", 6, 2)});
  CHECK(export_like(refine(spec, r.fixes), {{{8}}}, prog).ok());
}

TEST_CASE("every problem is reported at once") {
  const auto [dx, dy, dw] = dims({"dx", "dy", "dw"});
  const dynamic_shapes spec({{dx, dw}, {dy, 3}});
  const program prog = [](mini_env& env, const auto& s) {
    env.decide(ge(s[0], 6), "slice");
    env.decide(eq(s[1], 4), "view");
    env.decide(eq(s[2], s[0]), "add");
  };
  const solve_result r = export_like(spec, {{{8, 4}, {8, 3}}}, prog);
  CHECK(r.violations.size() == 3);
  // Named sorted, as PyTorch names them.
  CHECK(r.message().starts_with("Constraints violated (dw, dx, dy)!"));
  CHECK(r.message().ends_with("Suggested fixes:\n  dx = Dim('dx', min=6)\n  dw = 4\n  dy = dx"));
  CHECK(export_like(refine(spec, r.fixes), {{{8, 4}, {8, 3}}}, prog).ok());
}

TEST_CASE("a Ne guard keeps the side of the example, as PyTorch suggests min=17") {
  const Dim d("d");
  const dynamic_shapes spec({d});
  const program prog = [](mini_env& env, const auto& s) { env.decide(ne(s[0], 16), "where"); };
  const solve_result r = export_like(spec, {{{20}}}, prog);
  CHECK(r.fixes == std::vector{suggested_fix::narrow("d", {.min = 17})});
}

TEST_CASE("guards that pin a root: 'Specializations unexpectedly required'") {
  const Dim dx("dx");
  const dynamic_shapes spec({dx});
  const program prog = [](mini_env& env, const auto& s) {
    env.decide(ge(s[0], 6), "slice");
    env.decide(le(s[0], 6), "slice");
  };
  const solve_result r = export_like(spec, {{{6}}}, prog);
  CHECK(r.message().find("Specializations unexpectedly required (dx)!\n  - solving the guards "
                         "generated for dx resulted in a specialized value of 6.")
        != std::string::npos);
  CHECK(r.fixes == std::vector{suggested_fix::specialize("dx", 6)});
  CHECK(export_like(refine(spec, r.fixes), {{{6}}}, prog).ok());
}

TEST_CASE("a specialized phantom root is reported through its derived dims") {
  const Dim d("d", {.max = 64});
  const dynamic_shapes spec({shape_spec{2 * d}, shape_spec{d + 1}});
  const solve_result r = export_like(
      spec, {{{10}, {6}}}, [](mini_env& env, const auto& s) { env.decide(eq(s[0], 10), "view"); });
  CHECK(r.message().starts_with("Specializations unexpectedly required (d)!\n  - solving the "
                                "guards generated for 2*d resulted in a specialized value of 10."));
  CHECK(refine(spec, r.fixes).to_string() == "((10,), (6,))");
}

TEST_CASE("Dim::Dynamic must stay dynamic; Dim::Auto may specialize") {
  const dynamic_shapes spec({Dim::Dynamic, Dim::Auto});
  const solve_result r = export_like(spec, {{{4, 4}}}, [](mini_env& env, const auto& s) {
    env.decide(eq(s[0], 4), "view");
    env.decide(eq(s[1], 4), "view");
  });
  REQUIRE(r.violations.size() == 1);
  CHECK(r.message().starts_with(
      "Constraints violated (args[0].size(0))!\n  - You marked args[0].size(0) as dynamic but "
      "your code specialized it to be a constant (4). If you're using Dim::Dynamic, replace it "
      "with either Dim::Static or Dim::Auto."));
}

TEST_CASE("guards over several roots are runtime guards, not violations") {
  const auto [dx, dy] = dims({"dx", "dy"});
  const dynamic_shapes spec({shape_spec{dx}, shape_spec{dy}});
  mini_env env;
  const example ex{{{3}, {8}}};
  const std::vector<example_input> inputs = ex.inputs();
  const spec_binding b = bind_spec(spec, inputs, env.factory());
  env.decide(le(b.dims[0].value, b.dims[1].value), "matmul");
  CHECK(solve(b, env.facts).ok());
  const std::vector<std::string> paths{"x", "y"};
  const input_contract c = make_input_contract(b, env.facts, paths);
  const std::int64_t x[] = {3}, y[] = {8}, big[] = {9};
  CHECK_NOTHROW(c.check({shape_view(x), shape_view(y)}));
  CHECK_THROWS_WITH_AS(c.check({shape_view(big), shape_view(y)}),
                       "Guard failed: x.shape[0] <= y.shape[0] (x.shape[0] = 9, y.shape[0] = 8)",
                       constraint_violation);
}

TEST_CASE("check_spec throws spec_violation carrying the typed fixes") {
  const Dim dx("dx");
  mini_env env;
  const std::int64_t sizes[] = {8};
  const example_input in[] = {{"x", sizes}};
  const spec_binding b = bind_spec({dx}, in, env.factory());
  env.decide(le(b.dims[0].value, 16), "slice");
  try {
    check_spec(b, env.facts);
    FAIL("expected a spec_violation");
  } catch (const xport::spec_violation& e) {
    CHECK(e.fixes() == std::vector{suggested_fix::narrow("dx", {.max = 16})});
    CHECK(std::string(e.what()).find("x.size(0) <= 16") != std::string::npos);
  }
}

TEST_CASE("the input contract of a derived spec binds the root and checks ranges") {
  const Dim dx("dx", {.min = 4, .max = 16});
  mini_env env;
  const example ex{{{8, 4}, {9}}};
  const std::vector<example_input> inputs = ex.inputs();
  const spec_binding b = bind_spec({{dx, 4}, {dx + 1}}, inputs, env.factory());
  const std::vector<std::string> paths{"args[0]", "args[1]"};
  const input_contract c = make_input_contract(b, env.facts, paths);
  CHECK(c.to_string() == "s0: VR[4, 16]\nargs[0]: [s0, 4]\nargs[1]: [s0 + 1]\n");
  const std::int64_t a[] = {17, 4}, d[] = {18};
  CHECK_THROWS_WITH_AS(c.check({shape_view(a), shape_view(d)}),
                       "Expected input at args[0].shape[0] to be <= 16, but got 17",
                       constraint_violation);
}

TEST_CASE("bind: one symbol per root, derived dims affine, out-of-order derivation") {
  const Dim dimy("dimy", {.min = 5, .max = 7});
  const Dim dimx = dimy - 1;
  mini_env env;
  const example ex{{{5}, {6}, {7}}};
  const std::vector<example_input> inputs = ex.inputs();
  const spec_binding b =
      bind_spec({shape_spec{dimx}, shape_spec{dimy}, shape_spec{dimy + 1}}, inputs, env.factory());
  REQUIRE(b.roots.size() == 1);
  CHECK_FALSE(b.roots[0].phantom);
  CHECK(b.roots[0].source == "args[1].size(0)");
  const symbol s = *b.roots[0].value.as_symbol();
  CHECK(b.dims[0].value == expr(s) - 1);
  CHECK(b.dims[2].value == expr(s) + 1);
}

TEST_CASE("bind: a phantom root is solved from the example, or the 'of the form' error") {
  const Dim d("d", {.max = 64});
  mini_env env;
  const example ok{{{10}, {6}}};
  const std::vector<example_input> ok_inputs = ok.inputs();
  const spec_binding b =
      bind_spec({shape_spec{2 * d}, shape_spec{d + 1}}, ok_inputs, env.factory());
  REQUIRE(b.roots.size() == 1);
  CHECK(b.roots[0].phantom);
  CHECK(b.roots[0].hint == 5);

  const example bad{{{10}, {6}}};
  const std::vector<example_input> bad_inputs = bad.inputs();
  CHECK_THROWS_WITH_AS(static_cast<void>(bind_spec({shape_spec{2 * d + 1}, shape_spec{d + 1}},
                                                   bad_inputs, env.factory())),
                       "Expected shape[0] = 10 of input Tensor to be of the form 2*d + 1, where d "
                       "is an integer",
                       constraint_violation);
  CHECK_THROWS_WITH_AS(
      static_cast<void>(
          bind_spec({shape_spec{2 * d}, shape_spec{d + 2}}, bad_inputs, env.factory())),
      "Expected input args[1].size(0) to be equal to d + 2, where d = 5, but got 6",
      constraint_violation);
}

TEST_CASE("bind: structural and example mismatches") {
  const Dim dx("dx", {.min = 3, .max = 16});
  mini_env env;
  const example two{{{4, 8}}};
  const std::vector<example_input> in = two.inputs();
  CHECK_THROWS_WITH_AS(static_cast<void>(bind_spec({dx}, in, env.factory())),
                       doctest::Contains("Expected dynamic shape spec (dx,) specified at "
                                         "`dynamic_shapes[0]` to have the same length as the "
                                         "actual tensor shape (4, 8) (expected 2, but got 1 "
                                         "instead)"),
                       value_error);
  CHECK_THROWS_WITH_AS(static_cast<void>(bind_spec({dx, 5}, in, env.factory())),
                       "Static shape constraint of 5 does not match input size of 8, for "
                       "args[0].size(1)",
                       constraint_violation);
  const example small{{{2, 8}}};
  const std::vector<example_input> small_in = small.inputs();
  CHECK_THROWS_WITH_AS(static_cast<void>(bind_spec({dx, 8}, small_in, env.factory())),
                       doctest::Contains("args[0].size(0) = 2 is not in range 3 <= dx <= 16"),
                       constraint_violation);
  CHECK_THROWS_WITH_AS(static_cast<void>(bind_spec({dx, dx}, in, env.factory())),
                       "args[0].size(1) = 8 is not equal to args[0].size(0) = 4 (both are dx)",
                       constraint_violation);
  CHECK_THROWS_WITH_AS(
      static_cast<void>(bind_spec({Dim::Dynamic({.max = 3}), 8}, in, env.factory())),
      doctest::Contains("Received user-specified dim hint Dim.DYNAMIC(min=None, "
                        "max=3), but the example size of args[0].size(0) is 4"),
      constraint_violation);
}
