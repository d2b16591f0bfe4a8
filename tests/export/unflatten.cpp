// unflatten(ep): the module tree rebuilt from the module stacks tracing records. Each
// model runs eagerly and through the unflattened program (the root and submodules on
// their own), and the results, the state after the calls, the module names and the
// printed graphs must agree with what PyTorch's twins in test_export.py check.
#include <xport/api/control_flow.hpp>
#include <xport/api/data_dependent.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/item.hpp>
#include <xport/api/linalg.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>
#include <xport/export/unflatten.hpp>
#include <xport/nn/linear.hpp>
#include <xport/serde/load_pt2.hpp>
#include <xport/serde/save_pt2.hpp>

#include <support/programs.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <tuple>
#include <vector>

using namespace xport;
using xport_test::reloaded;
using xport_test::says;

namespace unflatten_tests {

// PyTorch's test_nn_module_stack: Foo -> bar (leaf -> linear, and a buffer); the root
// also reads bar's buffer.
struct Leaf : Module<Leaf> {
  BOOST_HANA_DEFINE_STRUCT(Leaf, (nn::Linear, linear));
  explicit Leaf(Generator& gen) : linear(4, 4, gen) {}
  Tensor forward(Tensor const& x) { return linear(x); }
};

struct Bar : Module<Bar> {
  BOOST_HANA_DEFINE_STRUCT(Bar, (Leaf, leaf), (Buffer, buffer));
  explicit Bar(Generator& gen) : leaf(gen), buffer(randn({4}, gen)) {}
  Tensor forward(Tensor const& x) { return leaf(x) + buffer; }
};

struct Foo : Module<Foo> {
  BOOST_HANA_DEFINE_STRUCT(Foo, (Bar, bar));
  explicit Foo(Generator& gen) : bar(gen) {}
  Tensor forward(Tensor const& x) { return bar(x) * sum(bar.buffer); }
};

// test_nn_module_stack_shared_submodule: one leaf called twice by its parent.
struct Twice : Module<Twice> {
  BOOST_HANA_DEFINE_STRUCT(Twice, (Leaf, leaf));
  explicit Twice(Generator& gen) : leaf(gen) {}
  Tensor forward(Tensor const& x) { return leaf(leaf(x) + 1.0); }
};

struct Shared : Module<Shared> {
  BOOST_HANA_DEFINE_STRUCT(Shared, (Bar, bar), (Twice, bar_different));
  explicit Shared(Generator& gen) : bar(gen), bar_different(gen) {}
  Tensor forward(Tensor const& x) { return bar(x) + bar_different(x); }
};

// PyTorch's random-DAG unflatten tests: a chain of modules n, n.n, n.n.n, ...; module i
// calls, for each j in `dag[i]`, its descendant at depth j on x + 1 (so a module deep
// in the chain is called from several ancestors, and by its parent only sometimes), then
// returns x + 1. With `buffers`, each module has a buffer that the callers add after the
// call; with `mutate`, they also add 1 to it in place.
struct dag_options {
  bool buffers = false;
  bool mutate = false;
};
dag_options dag_mode;
std::vector<std::vector<int>> const dag{{1, 3}, {2, 4}, {3}, {4}, {}};

template <int I>
struct Chain;

template <int I>
Tensor chain_forward(Chain<I>& self, Tensor x) {
  for (int const j : dag[I]) {
    x = self.call_at(j - I, x + 1.0);
    if (dag_mode.buffers) x = x + self.buffer_at(j - I);
  }
  if (dag_mode.mutate)
    for (int const j : dag[I])
      add_(self.buffer_at(j - I), 1.0);
  return x + 1.0;
}

template <int I>
struct Chain : Module<Chain<I>> {
  BOOST_HANA_DEFINE_STRUCT(Chain, (Buffer, buf), (Chain<I + 1>, n));
  Chain() : buf(ones({1})) {}
  Tensor forward(Tensor const& x) { return chain_forward(*this, x); }
  Tensor call_at(int depth, Tensor const& x) {
    return depth == 0 ? (*this)(x) : n.call_at(depth - 1, x);
  }
  Tensor& buffer_at(int depth) { return depth == 0 ? buf : n.buffer_at(depth - 1); }
};

template <>
struct Chain<4> : Module<Chain<4>> {
  BOOST_HANA_DEFINE_STRUCT(Chain, (Buffer, buf));
  Chain() : buf(ones({1})) {}
  Tensor forward(Tensor const& x) { return chain_forward(*this, x); }
  Tensor call_at(int depth, Tensor const& x) {
    REQUIRE(depth == 0);
    return (*this)(x);
  }
  Tensor& buffer_at(int depth) {
    REQUIRE(depth == 0);
    return buf;
  }
};

// test_nested_module and its _with_init_buffer / _with_constant_buffer / _with_parameter
// variants: a module built inside forward is part of its caller (no submodule), whatever
// state it makes.
struct Inner : Module<Inner> {
  BOOST_HANA_DEFINE_STRUCT(Inner, (Parameter, weight), (Buffer, buf), (Tensor, constant));
  Inner() : weight(ones({4}) * 3.0), buf(ones({4})), constant(full({4}, 2.0)) {}
  Tensor forward(Tensor const& x) { return x * weight + buf - constant; }
};

struct MakesInner : Module<MakesInner> {
  BOOST_HANA_DEFINE_STRUCT(MakesInner, (nn::Linear, linear));
  explicit MakesInner(Generator& gen) : linear(4, 4, gen) {}
  Tensor forward(Tensor const& x) {
    Inner inner;
    return linear(inner(x)) * 2.0;
  }
};

// test_unflatten_asserts: two submodules read a count from a tensor, check it against a
// dynamic size, and slice by it. (PyTorch's second module checks b < 2 * y.size(0), which
// leaves y[:b] to a size PyTorch takes as min(b, y.size(0)); xport asks for a check that
// decides b <= y.size(0) instead.)
template <int Scale>
struct Prefix : Module<Prefix<Scale>> {
  BOOST_HANA_DEFINE_STRUCT(Prefix);
  Tensor forward(Tensor const& count, Tensor const& y) const {
    SymInt const b = item_int(count);
    check(b >= 0);
    check(b < y.sym_size(0) + (Scale - 1));
    return slice(y, 0, 0, b) * static_cast<double>(Scale);
  }
};

struct Prefixes : Module<Prefixes> {
  BOOST_HANA_DEFINE_STRUCT(Prefixes, (Prefix<1>, m1), (Prefix<2>, m3));
  Tensor forward(Tensor const& count, Tensor const& y) {
    return sum(m1(count, y), {0}) + sum(m3(count, y), {0}); // the sizes are two symbols
  }
};

// test_malformed_fqn_from_source_name: blocks in a map (PyTorch's ModuleDict with keys
// "0" to "4") and in a vector of which a slice runs; two blocks take another path.
struct Block : Module<Block> {
  BOOST_HANA_DEFINE_STRUCT(Block, (nn::Linear, linear), (bool, doubled));
  Block(Generator& gen, bool twice) : linear(4, 4, gen), doubled(twice) {}
  Tensor forward(Tensor const& x) { return doubled ? linear(x) * 2.0 : relu(linear(x)); }
};

struct Blocks : Module<Blocks> {
  BOOST_HANA_DEFINE_STRUCT(Blocks, (std::map<std::string, Block>, dict),
                           (std::vector<Block>, list));
  explicit Blocks(Generator& gen) {
    for (int i = 0; i < 5; ++i) {
      dict.emplace(std::to_string(i), Block(gen, i % 2 == 1));
      list.emplace_back(gen, i % 2 == 1);
    }
  }
  Tensor forward(Tensor x) {
    for (auto& [key, block] : dict)
      x = block(x);
    for (std::size_t i = 1; i < 4; ++i)
      x = list[i](x);
    return x;
  }
};

// A module that counts its calls in a buffer, and one that calls a layer inside both
// branches of a cond and once outside it.
struct Counter : Module<Counter> {
  BOOST_HANA_DEFINE_STRUCT(Counter, (Buffer, count));
  Counter() : count(zeros({1})) {}
  Tensor forward(Tensor const& x) {
    add_(count, 1.0);
    return x + count;
  }
};

struct Counts : Module<Counts> {
  BOOST_HANA_DEFINE_STRUCT(Counts, (Counter, counter));
  Tensor forward(Tensor const& x) { return counter(x) * 2.0; }
};

struct Branches : Module<Branches> {
  BOOST_HANA_DEFINE_STRUCT(Branches, (Leaf, lin));
  explicit Branches(Generator& gen) : lin(gen) {}
  Tensor forward(Tensor const& x) {
    Tensor const y = cond(
        sum(x) > 0.0, [this](Tensor const& a) { return lin(a); },
        [this](Tensor const& a) { return lin(a) * -1.0; }, std::tuple{x});
    return lin(y);
  }
};

std::vector<Tensor> one(Tensor t) {
  return {std::move(t)};
}

} // namespace unflatten_tests

using namespace unflatten_tests;

// test_nn_module_stack: the hierarchy, the state under each module, a submodule's graph,
// and the results of the root and of a submodule called on its own.
TEST_CASE(
    "unflatten: the module tree, its state and graphs, and calls of the root and a submodule") {
  Generator gen(3);
  Foo foo(gen);
  Tensor const x = randn({2, 4}, gen);
  ExportedProgram const ep = export_program(foo, std::tuple{x}, {}, {.input_names = {"x"}});
  UnflattenedModule const root = unflatten(ep);

  CHECK(root.named_modules() == std::vector<std::string>{"", "bar", "bar.leaf", "bar.leaf.linear"});
  CHECK(root.path().empty());
  CHECK(says(root.type(), "Foo"));
  CHECK(root.has_submodule("bar.leaf"));
  CHECK_FALSE(root.has_submodule("bar.root"));
  UnflattenedModule const bar = root.submodule("bar");
  CHECK(says(bar.type(), "Bar"));
  CHECK(bar.named_modules() == std::vector<std::string>{"", "leaf", "leaf.linear"});
  CHECK(bar.submodule("leaf.linear").path() == "bar.leaf.linear");
  auto const state = bar.state_dict();
  REQUIRE(state.size() == 3);
  CHECK(state.contains("buffer"));
  CHECK(equal(state.at("leaf.linear.weight"), foo.bar.leaf.linear.weight));
  CHECK(root.state_dict().contains("bar.leaf.linear.bias"));

  // Results: the root as ep.module(), and a submodule on its own inputs.
  CHECK(allclose(root.call<Tensor>(x), foo(x)));
  UnflattenedModule const linear = root.submodule("bar.leaf.linear");
  CHECK(linear.input_names() == std::vector<std::string>{"x"});
  Tensor const h = randn({2, 4}, gen);
  std::vector<Tensor> const out = linear({h});
  REQUIRE(out.size() == 1);
  CHECK(allclose(out[0], foo.bar.leaf.linear(h)));

  // The graphs: the linear's own op, and each parent's call of its child.
  std::string const text = linear.str();
  CHECK(says(text, "UnflattenedModule bar.leaf.linear"));
  CHECK(says(text, "def forward(self, x: \"f32[2, 4]\"):"));
  CHECK(says(text, "aten::linear"));
  CHECK(says(root.str(), "call_module[bar](x)"));
  CHECK(says(bar.str(), "call_module[leaf](x)"));
}

// test_nn_module_stack_shared_submodule: a module called twice gets a module per call
// (PyTorch's `leaf@1`), whose graph reads what the first call returned.
TEST_CASE("unflatten: a module called twice gets a module for its second call") {
  Generator gen(4);
  Shared model(gen);
  Tensor const x = randn({2, 4}, gen);
  ExportedProgram const ep = export_program(model, std::tuple{x}, {}, {.input_names = {"x"}});
  CHECK(says(ep.str(), "bar_different.leaf.linear@1 (xport::nn::Linear)"));
  UnflattenedModule const root = unflatten(ep);
  std::vector<std::string> const names = root.named_modules();
  for (char const* name : {"bar.leaf.linear", "bar_different.leaf", "bar_different.leaf.linear",
                           "bar_different.leaf@1", "bar_different.leaf.linear@1"}) {
    INFO(name);
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  }
  CHECK(allclose(root.call<Tensor>(x), model(x)));
  UnflattenedModule const second = root.submodule("bar_different.leaf@1");
  CHECK(second.called());
  CHECK(second.input_names() != std::vector<std::string>{"x"}); // leaf(x) + 1
  CHECK(root.submodule("bar_different.leaf").input_names() == std::vector<std::string>{"x"});
  Tensor const h = randn({2, 4}, gen);
  CHECK(allclose(second({h})[0], model.bar_different.leaf(h)));
  CHECK(says(root.submodule("bar_different").str(), "call_module[leaf@1]("));
}

// test_unflatten_random_dag_5/6 (calls), _buf_8 (buffers read by callers) and
// _mutating_buf_4/6/9 (buffers mutated by callers): the unflattened program equals
// eager execution, called twice so that the mutations carry over, and the buffers agree.
TEST_CASE(
    "unflatten: calls into descendants from several ancestors, with buffers read and mutated") {
  for (dag_options const mode :
       {dag_options{false, false}, dag_options{true, false}, dag_options{true, true}}) {
    dag_mode = mode;
    INFO("buffers " << mode.buffers << ", mutate " << mode.mutate);
    Chain<0> eager;
    Chain<0> traced;
    Tensor const x = ones({1});
    ExportedProgram const ep = export_program(traced, std::tuple{x});
    UnflattenedModule const root = unflatten(ep);
    // n.n.n is called by the root (directly) and by n.n: two modules.
    CHECK(root.has_submodule("n.n.n@1"));
    for (int call = 0; call < 2; ++call) {
      Tensor const want = eager(x);
      CHECK(allclose(root.call<Tensor>(x), want));
    }
    auto const state = root.state_dict();
    CHECK(equal(state.at("n.n.n.buf"), eager.n.n.n.buf));
    CHECK(equal(state.at("n.n.n.n.buf"), eager.n.n.n.n.buf));
    CHECK(equal(ep.state_dict.at("n.n.n.buf"), ones({1}))); // the program's own is untouched
    // The same through a decomposed program and programs saved and loaded in both
    // formats (the call of each module on a node's stack is kept: `n.n.n@1`).
    for (ExportedProgram const& other :
         {ep.run_decompositions(), reloaded(ep), load_pt2_from_bytes(save_pt2_to_bytes(ep))}) {
      UnflattenedModule const copy = unflatten(other);
      CHECK(copy.named_modules() == root.named_modules());
      Chain<0> fresh;
      CHECK(allclose(copy.call<Tensor>(x), fresh(x)));
    }
  }
  dag_mode = {};
}

TEST_CASE("unflatten: a module built inside forward is part of its caller") {
  Generator gen(7);
  MakesInner model(gen);
  Tensor const x = randn({3, 4}, gen);
  ExportedProgram const ep = export_program(model, std::tuple{x});
  UnflattenedModule const root = unflatten(ep);
  CHECK(root.named_modules() == std::vector<std::string>{"", "linear"});
  CHECK(allclose(root.call<Tensor>(x), model(x)));
  CHECK(says(ep.str(), "<root> (unflatten_tests::Inner)"));
  CHECK(says(root.str(), "call_module[linear]("));
}

// test_unflatten_asserts: the data-dependent size and its runtime asserts work across
// module boundaries, in the root and in a submodule called on its own.
TEST_CASE("unflatten: data-dependent sizes and runtime asserts inside submodules") {
  Generator gen(8);
  Prefixes model;
  Tensor const count = full({}, 3, {.dtype = dtype::int64});
  Tensor const y = randn({10}, gen);
  Dim const moo("moo");
  ExportedProgram const ep = export_program(
      model, std::tuple{count, y}, sym::dynamic_shapes({sym::shape_spec{}, sym::shape_spec{moo}}),
      {.input_names = {"x", "y"}});
  UnflattenedModule const root = unflatten(ep);
  CHECK(root.named_modules() == std::vector<std::string>{"", "m1", "m3"});
  CHECK(allclose(root.call<Tensor>(count, y), model(count, y)));
  Tensor const shorter = randn({6}, gen);
  Tensor const five = full({}, 5, {.dtype = dtype::int64});
  CHECK(allclose(root.call<Tensor>(five, shorter), model(five, shorter)));
  // m1 checks b < y.size(0): 6 against 6 rows fails as ep.module() fails.
  Tensor const six = full({}, 6, {.dtype = dtype::int64});
  CHECK_THROWS_WITH_AS(root.call<Tensor>(six, shorter),
                       doctest::Contains("Runtime assertion failed for expression"),
                       constraint_violation);
  // m3 alone, on its inputs, with its own assert: b < y.size(0) + 1.
  UnflattenedModule const m3 = root.submodule("m3");
  CHECK(m3.input_names() == std::vector<std::string>{"x", "y"});
  CHECK(allclose(m3({six, shorter})[0], model.m3(six, shorter)));
  CHECK_THROWS_WITH_AS(m3({full({}, 7, {.dtype = dtype::int64}), shorter}),
                       doctest::Contains("Runtime assertion failed for expression"),
                       constraint_violation);
}

TEST_CASE("unflatten: modules in maps and vectors, a slice of them called") {
  Generator gen(9);
  Blocks model(gen);
  Tensor const x = randn({2, 4}, gen);
  UnflattenedModule root = unflatten(export_program(model, std::tuple{x}));
  std::vector<std::string> const names = root.named_modules();
  for (char const* name : {"dict.0", "dict.4.linear", "list.0", "list.3.linear"}) {
    INFO(name);
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  }
  CHECK(root.submodule("list.1").called());
  CHECK_FALSE(root.submodule("list.4").called()); // outside the slice: no graph
  CHECK_THROWS_WITH_AS(root.submodule("list.4")({x}),
                       "unflatten: module 'list.4' was not called when the program was exported, "
                       "so it has no graph",
                       value_error);
  CHECK(says(root.submodule("list.4").str(), "(not called by the export: no graph)"));
  CHECK_THROWS_WITH_AS(root.set_submodule("list.4",
                                          [](std::span<Tensor const> in) {
                                            return std::vector<Tensor>(in.begin(), in.end());
                                          }),
                       "unflatten: module 'list.4' was not called when the program was exported, "
                       "so no graph calls it and a replacement would never run",
                       value_error);
  CHECK(allclose(root.call<Tensor>(x), model(x)));
  CHECK(allclose(root.submodule("dict.3")({x})[0], model.dict.at("3")(x)));
}

// A submodule replaced by a function of its inputs (PyTorch's set_submodule after an
// unflatten); the other handles see the replacement.
TEST_CASE("unflatten: set_submodule replaces a module's graph by a function") {
  Generator gen(5);
  Foo foo(gen);
  Tensor const x = randn({2, 4}, gen);
  //! [unflatten]
  ExportedProgram const ep = export_program(foo, std::tuple{x});
  UnflattenedModule const root = unflatten(ep);
  Tensor const y = root.call<Tensor>(x); // as ep.module() computes it, module by module
  UnflattenedModule bar = root.submodule("bar");
  std::vector<Tensor> const h = bar({x}); // bar alone, on the inputs of its graph
  bar.set_submodule("leaf", [](std::span<Tensor const> in) {
    return std::vector<Tensor>{in[0] * 2.0}; // bar.leaf's outputs from its inputs
  });
  //! [unflatten]
  CHECK(allclose(y, foo(x)));
  CHECK(allclose(h[0], foo.bar(x)));
  Tensor const buffer = foo.bar.buffer;
  CHECK(allclose(root.call<Tensor>(x), (x * 2.0 + buffer) * sum(buffer)));
  CHECK(allclose(root.submodule("bar")({x})[0], x * 2.0 + buffer));

  // The replacement must return what the module returns.
  bar.set_submodule("leaf", [](std::span<Tensor const> in) { return std::vector{in[0], in[0]}; });
  CHECK_THROWS_WITH_AS(root.call<Tensor>(x),
                       "unflatten: the replacement of module 'bar.leaf' returned 2 tensors, but "
                       "the module returns 1",
                       value_error);
  bar.set_submodule("leaf",
                    [](std::span<Tensor const> in) { return one(in[0].to(dtype::float64)); });
  CHECK_THROWS_WITH_AS(root.call<Tensor>(x),
                       "unflatten: output 0 of the replacement of module 'bar.leaf' has dtype "
                       "torch.float64, but the module returns torch.float32",
                       dtype_error);
  bar.set_submodule("leaf", [](std::span<Tensor const> in) { return one(sum(in[0], {1})); });
  CHECK_THROWS_WITH_AS(root.call<Tensor>(x),
                       doctest::Contains("output 0 of the replacement of module 'bar.leaf' has "
                                         "sizes [2], but the module returns"),
                       shape_error);
  CHECK_THROWS_WITH_AS(bar.set_submodule("leaf", {}),
                       "unflatten: set_submodule needs a function to call", value_error);

  // A wrapper: the module called from inside its replacement runs its own graph.
  UnflattenedModule const leaf = root.submodule("bar.leaf");
  bar.set_submodule("leaf", [&leaf](std::span<Tensor const> in) {
    std::vector<Tensor> out = leaf(std::vector<Tensor>(in.begin(), in.end()));
    out[0] = out[0] * 2.0;
    return out;
  });
  CHECK(allclose(root.submodule("bar")({x})[0], foo.bar.leaf(x) * 2.0 + buffer));
}

// A replaced module's buffer mutations come from what its replacement returns.
TEST_CASE("unflatten: a replaced module's buffers are written from its replacement") {
  Counts eager;
  Counts traced;
  Tensor const x = ones({1});
  UnflattenedModule root = unflatten(export_program(traced, std::tuple{x}));
  CHECK(allclose(root.call<Tensor>(x), eager(x)));
  CHECK(equal(root.state_dict().at("counter.count"), ones({1}))); // written by the module
  REQUIRE(root.submodule("counter").output_names().size() == 2);  // the new count, and x + count
  root.set_submodule("counter", [](std::span<Tensor const> in) {
    return std::vector<Tensor>{full({1}, 10.0), in[0] * 3.0};
  });
  CHECK(allclose(root.call<Tensor>(x), full({1}, 6.0)));
  CHECK(equal(root.state_dict().at("counter.count"), full({1}, 10.0)));
}

// A module called inside cond branches (their sub-graphs, not modules of the tree) and
// once outside: the call the graph runs is the module's first, not `lin@2`.
TEST_CASE("unflatten: calls inside cond branches leave no gap in the calls' names") {
  Generator gen(10);
  Branches model(gen);
  Tensor const x = randn({2, 4}, gen);
  ExportedProgram const ep = export_program(model, std::tuple{x});
  UnflattenedModule const root = unflatten(ep);
  CHECK(root.submodule("lin").called());
  CHECK(root.submodule("lin.linear").called());
  CHECK_FALSE(root.has_submodule("lin@2"));
  CHECK(allclose(root.call<Tensor>(x), model(x)));
  CHECK(allclose(root.call<Tensor>(x * -1.0), model(x * -1.0)));
}

// Bad calls: a path that names no module, inputs that do not fit a submodule's graph, the
// root's inputs checked as ep.module() checks them, and run on a submodule.
TEST_CASE("unflatten: bad paths and bad inputs are refused with what is wrong") {
  Generator gen(6);
  Foo foo(gen);
  Tensor const x = randn({2, 4}, gen);
  ExportedProgram const ep = export_program(foo, std::tuple{x}, {}, {.input_names = {"x"}});
  UnflattenedModule const root = unflatten(ep);
  CHECK_THROWS_WITH_AS(root.submodule("baz"),
                       "unflatten: the root module has no submodule 'baz'; it has: bar, bar.leaf, "
                       "bar.leaf.linear",
                       value_error);
  CHECK_THROWS_WITH_AS(root.submodule("bar.leaf.linear").submodule("x"),
                       "unflatten: module 'bar.leaf.linear' has no submodule 'x'; it has none",
                       value_error);
  UnflattenedModule const leaf = root.submodule("bar.leaf");
  CHECK_THROWS_WITH_AS(leaf({x, x}),
                       "unflatten: module 'bar.leaf' takes 1 inputs (x), but 2 were given",
                       value_error);
  CHECK_THROWS_WITH_AS(leaf({x.to(dtype::float64)}),
                       "unflatten: input x of module 'bar.leaf' must have dtype torch.float32, but "
                       "has torch.float64",
                       dtype_error);
  CHECK_THROWS_WITH_AS(leaf({randn({4}, gen)}),
                       "unflatten: input x of module 'bar.leaf' must have 2 dimensions, but has 1",
                       shape_error);
  CHECK_THROWS_WITH_AS(leaf({randn({2, 5}, gen)}),
                       "unflatten: input x of module 'bar.leaf' has size 5 in dim 1, but the graph "
                       "takes 4 there",
                       shape_error);
  CHECK_THROWS_WITH_AS(leaf({Tensor()}), "unflatten: input x of module 'bar.leaf' is undefined",
                       value_error);
  // The root checks as ep.module() does.
  std::string expected;
  try {
    ep.module().call<Tensor>(randn({3, 4}, gen));
  } catch (error const& e) {
    expected = e.what();
  }
  REQUIRE_FALSE(expected.empty());
  CHECK_THROWS_WITH(root.call<Tensor>(randn({3, 4}, gen)), expected.c_str());
  CHECK_THROWS_WITH_AS(leaf.run({x}),
                       "unflatten: run takes the program's inputs and is for the root module; call "
                       "module 'bar.leaf' on its graph's inputs (x)",
                       value_error);
}
