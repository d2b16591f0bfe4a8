// Property tests over each program's own input contract, for every example model and the
// models of the other export tests: sizes drawn inside the contract run equal to eager
// (or both refuse the data); sizes drawn just outside it (a symbol past its range, a static
// or repeated dim changed, a derived dim off its form, an extra dim) are refused by the
// contract with its message, never by a kernel and never with an answer.
#include "cond_models.hpp"
#include "loop_models.hpp"
#include "models.hpp"
#include "support/contract_draws.hpp"

#include <xport/api/reduction.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <utility>

using namespace xport;

namespace {

// A random input like `example` with `sizes`: normal floats, 0/1 bools, integers in [0, 4].
Tensor like(Tensor const& example, std::vector<std::int64_t> const& sizes, Generator& gen) {
  Tensor const u = rand(sizes, gen);
  if (is_floating_point(example.dtype())) return randn(sizes, gen).to(example.dtype());
  if (example.dtype() == dtype::bool_) return (u < 0.5).to(dtype::bool_);
  return (u * 5.0).to(example.dtype());
}
SymInt like(SymInt const&, std::vector<std::int64_t> const& sizes, Generator&) {
  return SymInt(sizes.at(0));
}

// Inputs like `example`, one per contract input in order, with the drawn sizes.
template <class... Args>
std::tuple<Args...> inputs_like(std::tuple<Args...> const& example, test::shapes const& sizes,
                                Generator& gen) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return std::tuple<Args...>{like(std::get<I>(example), sizes.at(I), gen)...}; // in order
  }
  (std::index_sequence_for<Args...>{});
}

bool same(Tensor const& a, Tensor const& b, tolerance tol) {
  return std::ranges::equal(a.sizes(), b.sizes()) && a.dtype() == b.dtype()
         && allclose(a, b, {.rtol = tol.rtol, .atol = tol.atol, .equal_nan = true});
}
template <class... T>
bool same(std::tuple<T...> const& a, std::tuple<T...> const& b, tolerance tol) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (same(std::get<I>(a), std::get<I>(b), tol) && ...);
  }
  (std::index_sequence_for<T...>{});
}

// The run of one draw: its result, or that it was refused with an xport::error.
template <class Out, class F>
std::optional<Out> outcome(F&& f, std::string& message) {
  try {
    return f();
  } catch (error const& e) {
    message = e.what();
    return std::nullopt;
  }
}

struct property_options {
  int draws = 8;     // draws inside the contract
  unsigned seed = 1; // of the size and value draws
  tolerance tol = {.rtol = 1e-4, .atol = 1e-5};
};

// Draws `draws` input sizes inside `ep`'s contract and compares the program with `model`;
// then, from the first draw, every violation `test::draw_outside` knows must be refused by
// the contract with its message. `make(sizes, gen)` makes the inputs (a tuple) for sizes.
template <class Out, class Model, class Make>
void check_contract(Model const& model, ExportedProgram const& ep, Make make,
                    property_options const& o = {}) {
  INFO(ep.str());
  INFO(ep.contract.to_string());
  ExportedModule run = ep.module();
  std::mt19937_64 rng(o.seed);
  Generator gen{o.seed};
  std::optional<test::draw> first;
  int compared = 0;
  for (int i = 0; i < o.draws; ++i) {
    std::optional<test::draw> d = test::draw_inside(ep.contract, rng);
    REQUIRE(d.has_value());
    if (!first) first = d;
    auto const args = make(d->sizes, gen);
    std::string eager_error, export_error;
    std::optional<Out> const expected = outcome<Out>(
        [&] { return std::apply([&](auto const&... a) { return model(a...); }, args); },
        eager_error);
    std::optional<Out> const got = outcome<Out>(
        [&] { return std::apply([&](auto const&... a) { return run.call<Out>(a...); }, args); },
        export_error);
    INFO("draw " << i << ": eager: " << eager_error << " exported: " << export_error);
    REQUIRE(expected.has_value() == got.has_value());
    if (expected) {
      CHECK(same(*got, *expected, o.tol));
      ++compared;
    }
  }
  CHECK(compared > 0);
  std::vector<test::violation> const outside = test::draw_outside(ep.contract, *first);
  CHECK(!outside.empty());
  for (test::violation const& v : outside) {
    INFO("outside: " << v.what);
    auto const args = make(v.sizes, gen);
    auto call = [&] { std::apply([&](auto const&... a) { (void)run.call<Out>(a...); }, args); };
    if (v.is_rank)
      CHECK_THROWS_WITH_AS(call(), doctest::Contains(v.phrase.c_str()), shape_error);
    else
      CHECK_THROWS_WITH_AS(call(), doctest::Contains(v.phrase.c_str()), constraint_violation);
  }
}

template <class Out, class Model, class... Args>
void check_contract(Model const& model, ExportedProgram const& ep,
                    std::tuple<Args...> const& example, property_options const& o = {}) {
  check_contract<Out>(
      model, ep,
      [&](test::shapes const& s, Generator& gen) { return inputs_like(example, s, gen); }, o);
}

} // namespace

TEST_CASE("contract draws: sizes inside are accepted, each violation is outside") {
  sym::input_contract c;
  sym::symbol const s0 = c.add_symbol("s0", {3, 9});
  sym::symbol const s1 = c.add_symbol("s1", {2, sym::int_oo});
  c.add_input("x", {s0, 4, s1});
  c.add_input("y", {2 * sym::expr(s0) + 1, s1});
  std::mt19937_64 rng(5);
  for (int i = 0; i < 20; ++i) {
    std::optional<test::draw> d = test::draw_inside(c, rng);
    REQUIRE(d.has_value());
    CHECK(d->sizes[1][0] == 2 * d->sizes[0][0] + 1);
    CHECK(d->sizes[1][1] == d->sizes[0][2]);
    CHECK(d->sizes[0][0] >= 3);
    CHECK(d->sizes[0][0] <= 9);
  }
  std::optional<test::draw> const d = test::draw_inside(c, rng);
  std::vector<test::violation> const out = test::draw_outside(c, *d);
  // two extra dims, s0 above 9 and below 3, the static 4, y's 2*s0 + 1 and y's s1
  CHECK(out.size() == 7);
  for (test::violation const& v : out) {
    std::vector<sym::shape_view> views(v.sizes.begin(), v.sizes.end());
    INFO(v.what);
    CHECK_THROWS_WITH_AS(c.check(views), doctest::Contains(v.phrase.c_str()), error);
  }
}

TEST_CASE("example models: MLP (mlp.cpp), Pairs (quickstart.cpp), CNN and transformer") {
  Generator gen{11};
  SUBCASE("MLP") {
    models::MLP m(gen);
    auto const example = std::tuple{randn({8, 16}, gen)};
    auto batch = Dim("batch", {.min = 1, .max = 64});
    check_contract<Tensor>(m, export_program(m, example, {{batch, 16}}), example);
  }
  SUBCASE("Pairs: the batch must be even") {
    models::Pairs m(gen);
    auto const example = std::tuple{randn({8, 16}, gen)};
    auto pairs = Dim("pairs", {.min = 1, .max = 32});
    check_contract<Tensor>(m, export_program(m, example, {{2 * pairs, 16}}), example);
  }
  SUBCASE("CNN") {
    auto cnn = models::make_cnn(gen);
    cnn.eval();
    auto const example = std::tuple{randn({3, 1, 12, 12}, gen)};
    auto batch = Dim("batch", {.min = 1, .max = 16});
    auto side = Dim("side", {.min = 4, .max = 40});
    check_contract<Tensor>(cnn, export_program(cnn, example, {{batch, 1, side, side}}), example,
                           {.draws = 4});
  }
  SUBCASE("transformer encoder layer") {
    auto layer = models::make_transformer(gen);
    layer.eval();
    auto const example = std::tuple{randn({2, 5, 16}, gen)};
    auto batch = Dim("batch", {.min = 1, .max = 8});
    auto seq = Dim("seq", {.min = 1, .max = 32});
    check_contract<Tensor>(layer, export_program(layer, example, {{batch, seq, 16}}), example,
                           {.draws = 4});
  }
}

TEST_CASE("contract models: data-dependent, SymInt, derived, divisible and equal dims") {
  Generator gen{12};
  SUBCASE("Head: a data-dependent row count bounded by checks, static sizes") {
    models::Head m;
    auto const example = std::tuple{randn({6, 3}, gen), scalar_tensor(2, {.dtype = dtype::int64})};
    check_contract<Tensor>(m, export_program(m, example, {}), example);
  }
  SUBCASE("Tile: a SymInt input") {
    models::Tile m;
    auto const example = std::tuple{randn({2, 3}, gen), SymInt(4)};
    auto n = Dim("n", {.min = 1, .max = 8});
    check_contract<Tensor>(
        m, export_program(m, example, spec_tree::tuple({spec_tree::none(), spec_tree::integer(n)})),
        example);
  }
  SUBCASE("Shifted: y has one more row than x") {
    models::Shifted m;
    auto const example = std::tuple{randn({4, 3}, gen), randn({5, 3}, gen)};
    auto rows = Dim("rows", {.min = 2, .max = 20});
    check_contract<Tensor>(m, export_program(m, example, {{rows, 3}, {rows + 1, 3}}), example);
  }
  SUBCASE("Rows: a multiple of four") {
    models::Rows m;
    auto const example = std::tuple{randn({8, 2}, gen)};
    auto k = Dim("k", {.min = 1, .max = 10});
    check_contract<Tensor>(m, export_program(m, example, {{2 * k, 2}}), example);
  }
  SUBCASE("Twice: two inputs of one shape") {
    models::Twice m;
    auto const example = std::tuple{randn({3, 5}, gen), randn({3, 5}, gen)};
    check_contract<Tensor>(
        m, export_program(m, example, {{Dim::Auto, Dim::Auto}, {Dim::Auto, Dim::Auto}}), example);
  }
}

TEST_CASE("control-flow models: cond, while_loop and map over drawn sizes") {
  Generator gen{13};
  auto batch = Dim("batch", {.min = 2, .max = 12});
  SUBCASE("Signed") {
    models::Signed m;
    auto const example = std::tuple{randn({5}, gen)};
    check_contract<Tensor>(
        m, export_program(m, example, sym::dynamic_shapes({sym::shape_spec{batch}})), example);
  }
  SUBCASE("BySize") {
    models::BySize m;
    auto const example = std::tuple{randn({6, 3}, gen)};
    check_contract<Tensor>(m, export_program(m, example, {{batch, 3}}), example);
  }
  SUBCASE("Gate") {
    models::Gate m(gen);
    auto const example = std::tuple{randn({3, 4}, gen), models::flag(true)};
    check_contract<Tensor>(m, export_program(m, example, {{batch, 4}, {}}), example);
  }
  SUBCASE("Nested") {
    models::Nested m;
    auto const example = std::tuple{randn({4}, gen), randn({4}, gen)};
    check_contract<std::tuple<Tensor, Tensor>>(
        m, export_program(m, example, {sym::shape_spec{batch}, sym::shape_spec{batch}}), example);
  }
  SUBCASE("Doubling: positive values, so that the loop ends") {
    models::Doubling m;
    auto const example = std::tuple{rand({4}, gen) + 0.5, scalar_tensor(20.0)};
    auto positive = [](test::shapes const& s, Generator& g) {
      return std::tuple{rand(s.at(0), g) + 0.5, zeros(s.at(1)) + 20.0};
    };
    check_contract<Tensor>(m, export_program(m, example, {{batch}, {}}), positive);
  }
  SUBCASE("Repeated") {
    models::Repeated m(gen);
    auto const example = std::tuple{randn({3, 4}, gen), scalar_tensor(3, {.dtype = dtype::int64})};
    check_contract<Tensor>(m, export_program(m, example, {{batch, 4}, {}}), example);
  }
  SUBCASE("RowScale") {
    models::RowScale m;
    auto const example = std::tuple{rand({5, 3}, gen) + 0.5, randn({3}, gen)};
    auto positive = [](test::shapes const& s, Generator& g) {
      return std::tuple{rand(s.at(0), g) + 0.5, randn(s.at(1), g)};
    };
    check_contract<Tensor>(m, export_program(m, example, {{batch, 3}, {3}}), positive);
  }
  SUBCASE("PairMap") {
    models::PairMap m(gen);
    auto const example = std::tuple{randn({4, 3}, gen), randn({4, 3}, gen)};
    check_contract<std::tuple<Tensor, Tensor>>(
        m, export_program(m, example, {{batch, 3}, {batch, 3}}), example);
  }
}
