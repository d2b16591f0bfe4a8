// ExportedModule::run_into: the results written into tensors the caller gave, by the
// steps that compute them or from the plan's arena, so that a call in steady state
// allocates nothing (this executable replaces the global operator new, every form, to
// count). Most models are PyTorch's (tests/fixtures/pt2/); each run_into is compared with
// the same program's call().
#include "support/allocation_counter.hpp"

#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>
#include <xport/export/exported_module.hpp>
#include <xport/kernels/parallel.hpp>
#include <xport/serde/load_pt2.hpp>

#include <support/pt2_fixtures.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

using namespace xport;
using xport_test::pt2::fixture;

namespace {

struct model_case {
  char const* name;
  std::vector<std::int64_t> sizes; // one input, batch first
};

model_case const models[] = {
    {"mlp", {3, 8}},
    {"mlp_decomposed", {3, 8}},
    {"cnn", {2, 3, 8, 8}},
    {"cnn_decomposed", {2, 3, 8, 8}},
    {"transformer", {2, 32, 16}},
    {"transformer_decomposed", {2, 32, 16}},
};

// Heap allocations of one run_into, once three calls have warmed the plan and the caches.
long allocations_per_run_into(ExportedModule& run, std::vector<leaf> const& in, Tensor const& out) {
  for (int i = 0; i < 3; ++i)
    run.run_into(in, {&out, 1});
  long const before = xport_test::allocations();
  for (int i = 0; i < 10; ++i)
    run.run_into(in, {&out, 1});
  return (xport_test::allocations() - before) / 10;
}

struct thread_count {
  int saved = get_num_threads();
  explicit thread_count(int n) { set_num_threads(n); }
  thread_count(thread_count const&) = delete;
  thread_count& operator=(thread_count const&) = delete;
  ~thread_count() { set_num_threads(saved); }
};

// Returns x * 2, then reads x again after computing it: a result written into the
// memory of x before that read would change the second result.
struct TwiceThenThrice : Module<TwiceThenThrice> {
  std::tuple<Tensor, Tensor> forward(Tensor const& x) const {
    Tensor const a = x * 2.0;
    return {a, a + x};
  }
};

// Returns a value and a view of it.
struct ValueAndView : Module<ValueAndView> {
  std::tuple<Tensor, Tensor> forward(Tensor const& x) const {
    Tensor const a = x * 2.0;
    return {a, a.view({-1})};
  }
};

// `p` run with results kept planned, `into` the tensors given (each may be null).
std::span<Tensor const> run_planned(runtime::plan& p, Tensor const& x,
                                    std::span<Tensor const* const> into) {
  runtime::bindings bound;
  return p.run_planned({&x, 1}, bound, into);
}

} // namespace

TEST_CASE("run_planned: a result goes into the caller's tensor when nothing else reads it") {
  Generator gen{44};
  Tensor const x = randn({4, 6}, gen);
  TwiceThenThrice m;
  runtime::plan p(export_program(m, std::tuple{x}).graph);
  Tensor const a = empty({4, 6}), b = empty({4, 6});
  Tensor const* both[] = {&a, &b};
  std::span<Tensor const> results = run_planned(p, x, both);
  CHECK(results[0].is_same(a));
  CHECK(results[1].is_same(b));
  CHECK(allclose(a, x * 2.0));
  CHECK(allclose(b, x * 3.0));

  // Not where a tensor does not fit or shares memory: the result stays in the arena.
  Tensor const wide = zeros({6, 4});
  Tensor const strided = wide.t();
  Tensor const doubles = zeros({4, 6}, {.dtype = dtype::float64});
  Tensor const small = zeros({4, 5});
  Tensor const x_copy = x.clone();
  for (Tensor const* bad : {&strided, &doubles, &small, &x}) {
    Tensor const* into[] = {bad, &b};
    results = run_planned(p, x, into);
    CHECK_FALSE(results[0].is_same(*bad));
    CHECK(results[1].is_same(b));
    CHECK(allclose(results[0], x * 2.0));
    CHECK(allclose(b, x * 3.0));
  }
  CHECK(allclose(wide, zeros({6, 4})));
  CHECK(allclose(x, x_copy));
  Tensor const* twice[] = {&a, &a}; // only the first result goes there
  results = run_planned(p, x, twice);
  CHECK(results[0].is_same(a));
  CHECK_FALSE(results[1].is_same(a));
  CHECK(allclose(results[1], x * 3.0));
  Tensor const* three[] = {&a, &b, &a};
  CHECK_THROWS_WITH_AS(run_planned(p, x, three),
                       "run_planned: 3 tensors were given for results, but the graph returns 2",
                       value_error);

  // A value the signature keeps a view of is left in the arena the view reads.
  ValueAndView mv;
  runtime::plan q(export_program(mv, std::tuple{x}).graph);
  Tensor const flat = empty({24});
  Tensor const* value_and_view[] = {&a, &flat};
  for (int call = 0; call < 2; ++call) {
    results = run_planned(q, x, value_and_view);
    CHECK_FALSE(results[0].is_same(a));
    CHECK(allclose(results[1], (x * 2.0).view({-1})));
  }
}

TEST_CASE("run_into: an output that is an input's memory is written after the input's last read") {
  Generator gen{45};
  Tensor const x = randn({4, 6}, gen);
  TwiceThenThrice m;
  ExportedModule run = export_program(m, std::tuple{x}).module();
  Tensor const in = x.clone();
  Tensor const b = empty({4, 6});
  Tensor const outs[] = {in, b};
  run.run_into(std::vector<leaf>{in}, outs);
  CHECK(allclose(in, x * 2.0));
  CHECK(allclose(b, x * 3.0));
  // One tensor for both outputs: the later output is what it holds, as with copies.
  Tensor const same[] = {b, b};
  run.run_into(std::vector<leaf>{x}, same);
  CHECK(allclose(b, x * 3.0));
}

TEST_CASE("run_into: torch's models write what call() returns, and allocate nothing") {
  Generator gen{41};
  for (auto const& c : {std::pair{1, false}, {2, false}, {1, true}}) {
    int const threads = c.first; // (clang 14 cannot capture structured bindings)
    bool const freeze = c.second;
    thread_count const pool(threads);
    for (model_case const& m : models) {
      CAPTURE(m.name);
      CAPTURE(threads);
      CAPTURE(freeze);
      ExportedModule run =
          load_pt2(fixture(std::string(m.name) + ".pt2")).module({.freeze = freeze});
      for (std::int64_t const batch : {m.sizes[0], m.sizes[0] + 3}) {
        std::vector<std::int64_t> sizes = m.sizes;
        sizes[0] = batch;
        Tensor const x = randn(sizes, gen);
        Tensor const want = run.call<Tensor>(x);
        Tensor const out = full(want.sizes(), 7.0);
        std::vector<leaf> const in{x};
        run.run_into(in, {&out, 1});
        CHECK(allclose(out, want, {.rtol = 1e-6, .atol = 1e-7}));
        CHECK(allocations_per_run_into(run, in, out) == 0);
        CHECK(allclose(out, want, {.rtol = 1e-6, .atol = 1e-7}));
      }
    }
  }
}

TEST_CASE("run_into: strided output tensors are written through their strides") {
  Generator gen{42};
  ExportedModule run = load_pt2(fixture("mlp.pt2")).module();
  Tensor const x = randn({5, 8}, gen);
  Tensor const want = run.call<Tensor>(x);
  Tensor const wide = zeros({want.size(1), want.size(0)});
  Tensor const out = wide.t(); // the output's sizes, columns of `wide`
  run.run_into(std::vector<leaf>{x}, {&out, 1});
  CHECK(allclose(out, want, {.rtol = 1e-6, .atol = 1e-7}));
  CHECK(allclose(wide, want.t(), {.rtol = 1e-6, .atol = 1e-7}));
}

TEST_CASE("run_into: buffer mutations are written back as a call writes them") {
  ExportedProgram const ep = load_pt2(fixture("buffer_mutation.pt2"));
  ExportedModule by_call = ep.module();
  ExportedProgram copy = ep;
  copy.state_dict.at("count") = copy.state_dict.at("count").clone();
  ExportedModule by_run_into = copy.module();
  Tensor const x = arange(6, {.dtype = dtype::float32}).reshape({2, 3});
  Tensor const out = empty({2, 3});
  std::vector<leaf> const in{x};
  for (double const count : {1.0, 2.0, 3.0}) {
    Tensor const want = by_call.call<Tensor>(x);
    by_run_into.run_into(in, {&out, 1});
    CHECK(allclose(want, x * count));
    CHECK(allclose(out, want));
    CHECK(by_run_into.program().state_dict.at("count").item<float>() == count);
  }
}

TEST_CASE("run_into: data-dependent sizes are checked once the call knows them") {
  ExportedModule run = load_pt2(fixture("data_dependent.pt2")).module();
  Tensor const x = arange(8, {.dtype = dtype::float32}) - 3.5; // four positive entries
  std::vector<leaf> const in{x};
  auto const want = run.call<std::tuple<Tensor, Tensor>>(x);
  Tensor const ones = empty({4});
  Tensor const head = empty({4});
  Tensor const outs[] = {ones, head};
  run.run_into(in, outs);
  CHECK(allclose(ones, std::get<0>(want)));
  CHECK(allclose(head, std::get<1>(want)));
  Tensor const short_head = empty({3});
  Tensor const wrong[] = {ones, short_head};
  CHECK_THROWS_WITH_AS(run.run_into(in, wrong),
                       "run_into: the tensor given for output 1 has sizes [3], but the output has "
                       "sizes [4] in this call; pass a tensor of those sizes",
                       shape_error);
}

TEST_CASE("run_into: output tensors that do not fit are refused before anything is written") {
  ExportedProgram const ep = load_pt2(fixture("buffer_mutation.pt2"));
  ExportedModule run = ep.module();
  Tensor const x = ones({2, 3});
  std::vector<leaf> const in{x};
  Tensor const out = full({2, 3}, 5.0);
  Tensor const wrong_dtype = zeros({2, 3}, {.dtype = dtype::float64});
  Tensor const wrong_sizes = zeros({3, 2});
  Tensor const undefined;
  Tensor const two[] = {out, out};
  CHECK_THROWS_WITH_AS(run.run_into(in, {}),
                       "run_into: the program has 1 tensor outputs, but 0 tensors were given for "
                       "them",
                       value_error);
  CHECK_THROWS_WITH_AS(run.run_into(in, two),
                       "run_into: the program has 1 tensor outputs, but 2 tensors were given for "
                       "them",
                       value_error);
  CHECK_THROWS_WITH_AS(run.run_into(in, {&wrong_dtype, 1}),
                       "run_into: the tensor given for output 0 has dtype torch.float64, but the "
                       "output is torch.float32",
                       dtype_error);
  CHECK_THROWS_WITH_AS(run.run_into(in, {&wrong_sizes, 1}),
                       "run_into: the tensor given for output 0 has sizes [3, 2], but the output "
                       "has sizes [2, 3] in this call; pass a tensor of those sizes",
                       shape_error);
  CHECK_THROWS_WITH_AS(run.run_into(in, {&undefined, 1}),
                       "run_into: the tensor given for output 0 is undefined; pass a tensor of "
                       "dtype torch.float32 and sizes [2, 3]",
                       value_error);
  // No call wrote the buffer or the output.
  CHECK(run.program().state_dict.at("count").item<float>() == 0.0F);
  CHECK(allclose(out, full({2, 3}, 5.0)));
  // Inputs are checked as call() checks them.
  std::vector<leaf> const big{ones({3, 3})};
  CHECK_THROWS_AS(run.run_into(big, {&out, 1}), constraint_violation);
}

TEST_CASE("block cache: a freed CPU block of the same size is reused until released") {
  void const* first = nullptr;
  {
    Tensor const a = empty({1000});
    first = a.storage().data();
  }
  Tensor const b = empty({1000});
  CHECK(b.storage().data() == first); // no heap call for it
  long const before = xport_test::allocations();
  for (int i = 0; i < 10; ++i)
    (void)empty({64, 64});
  CHECK(xport_test::allocations() - before <= 3); // the first: block, count, header
  release_cached_memory();
  long const released = xport_test::allocations();
  (void)empty({64, 64});
  CHECK(xport_test::allocations() - released == 3); // all from the heap again
}
