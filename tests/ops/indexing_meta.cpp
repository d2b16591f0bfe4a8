// Meta rules of the indexing ops on symbolic sizes: output sizes as strings, the guards
// recorded, and data-dependent mask counts as unbacked symbols with runtime assertions.
#include <xport/ops/indexing.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace xport;
using xport::ops::tensor_meta;

namespace {

// What tracing will give meta rules: unbacked symbols from the shape environment.
struct symbolic_context_indexing_meta final : ops::meta_context {
  explicit symbolic_context_indexing_meta(sym::ShapeEnv& e) : env(e) {}
  SymInt unbacked_size() override { return sym::unbacked_size(env); }
  sym::ShapeEnv& env;
};

tensor_meta meta_of_indexing_meta(std::initializer_list<SymInt> sizes,
                                  dtype type = dtype::float32) {
  return tensor_meta{type, Device{}, ops::sym_sizes(sizes.begin(), sizes.end())};
}

tensor_meta none() {
  return tensor_meta{.sizes = {}, .defined = false};
}

template <class Op>
std::string sizes_of_indexing_meta(std::vector<tensor_meta> const& in,
                                   typename Op::attributes const& a, ops::meta_context& context) {
  std::span<tensor_meta const> const inputs(in.data(), in.size());
  return ops::format_sym_sizes(ops::run_meta<Op>(inputs, a, context).front().sizes);
}

std::vector<std::string> guard_strings_indexing_meta(sym::ShapeEnv const& env) {
  std::vector<std::string> out;
  for (auto const& g : env.guards())
    out.push_back(sym::to_string(g.rel));
  return out;
}

std::vector<std::string> assert_strings(sym::ShapeEnv const& env) {
  std::vector<std::string> out;
  for (auto const& a : env.runtime_asserts())
    out.push_back(sym::to_string(a.rel));
  return out;
}

} // namespace

TEST_CASE("index_select and gather on symbolic sizes") {
  sym::ShapeEnv env;
  symbolic_context_indexing_meta ctx(env);
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const s1 = sym::dynamic_size(env, 5, "i.size(0)");
  tensor_meta const x = meta_of_indexing_meta({s0, 4});
  tensor_meta const i = meta_of_indexing_meta({s1}, dtype::int64);
  CHECK(sizes_of_indexing_meta<ops::index_select>({x, i}, {0}, ctx) == "[s1, 4]");
  CHECK(sizes_of_indexing_meta<ops::index_select>({x, i}, {-1}, ctx) == "[s0, s1]");
  CHECK(guard_strings_indexing_meta(env).empty());

  // Gather takes the index's sizes; 4 <= 8 needs no guard.
  CHECK(
      sizes_of_indexing_meta<ops::gather>(
          {meta_of_indexing_meta({s0, 8}), meta_of_indexing_meta({s1, 4}, dtype::int64)}, {0}, ctx)
      == "[s1, 4]");
  CHECK(guard_strings_indexing_meta(env).empty());
  // index.size(0) <= self.size(0) off the gathered dim is decided by the example values.
  CHECK(
      sizes_of_indexing_meta<ops::gather>(
          {meta_of_indexing_meta({s0, 8}), meta_of_indexing_meta({s1, 2}, dtype::int64)}, {1}, ctx)
      == "[s1, 2]");
  CHECK(guard_strings_indexing_meta(env) == std::vector<std::string>{"s1 <= s0"});
  CHECK_THROWS_WITH_AS(
      (sizes_of_indexing_meta<ops::gather>(
          {meta_of_indexing_meta({s0, 8}), meta_of_indexing_meta({s1}, dtype::int64)}, {0}, ctx)),
      doctest::Contains("Index tensor must have the same number of dimensions as input tensor "
                        "(index [s1], input [s0, 8])"),
      shape_error);
}

TEST_CASE("scatter family on symbolic sizes") {
  sym::ShapeEnv env;
  symbolic_context_indexing_meta ctx(env);
  SymInt const s0 = sym::dynamic_size(env, 6, "x.size(0)");
  tensor_meta const x = meta_of_indexing_meta({s0, 4});
  tensor_meta const i = meta_of_indexing_meta({s0, 4}, dtype::int64);
  CHECK(sizes_of_indexing_meta<ops::scatter>({x, i, x}, {0}, ctx) == "[s0, 4]");
  CHECK(sizes_of_indexing_meta<ops::scatter_add>({x, i, x}, {1}, ctx) == "[s0, 4]");
  CHECK(sizes_of_indexing_meta<ops::scatter_value>({x, i}, {0, Scalar(1)}, ctx) == "[s0, 4]");
  CHECK(guard_strings_indexing_meta(env).empty()); // s0 <= s0 is decided without a guard
  CHECK_THROWS_WITH_AS(
      (sizes_of_indexing_meta<ops::scatter>({x, meta_of_indexing_meta({s0, 5}, dtype::int64), x},
                                            {0}, ctx)),
      doctest::Contains("Expected index [s0, 5] to be smaller than self [s0, 4] apart from "
                        "dimension 0 and to be smaller size than src [s0, 4]"),
      shape_error);
}

TEST_CASE("index: placement of broadcast dims on symbolic sizes") {
  sym::ShapeEnv env;
  symbolic_context_indexing_meta ctx(env);
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const s1 = sym::dynamic_size(env, 3, "i.size(0)");
  tensor_meta const x = meta_of_indexing_meta({s0, 5, 6});
  tensor_meta const i = meta_of_indexing_meta({s1}, dtype::int64);
  CHECK(sizes_of_indexing_meta<ops::index>({x, none(), i}, {}, ctx) == "[s0, s1, 6]");
  CHECK(sizes_of_indexing_meta<ops::index>({x, i, none(), i}, {}, ctx) == "[s1, 5]");
  CHECK(sizes_of_indexing_meta<ops::index>({x, meta_of_indexing_meta({s1, 1}, dtype::int32), i}, {},
                                           ctx)
        == "[s1, s1, 6]");
  CHECK(sizes_of_indexing_meta<ops::index>({x, none()}, {}, ctx) == "[s0, 5, 6]");
  CHECK(guard_strings_indexing_meta(env).empty());
  CHECK_THROWS_WITH_AS((sizes_of_indexing_meta<ops::index>(
                           {x, i, meta_of_indexing_meta({4}, dtype::int64)}, {}, ctx)),
                       doctest::Contains("shape mismatch: indexing tensors could not be broadcast "
                                         "together with shapes [s1], [4]"),
                       index_error);
}

TEST_CASE("index with a bool mask gives an unbacked dim") {
  sym::ShapeEnv env;
  symbolic_context_indexing_meta ctx(env);
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x = meta_of_indexing_meta({s0, 5, 6});
  CHECK(
      sizes_of_indexing_meta<ops::index>({x, meta_of_indexing_meta({s0, 5}, dtype::bool_)}, {}, ctx)
      == "[u0, 6]");
  CHECK(sizes_of_indexing_meta<ops::index>({x, none(), meta_of_indexing_meta({5}, dtype::bool_)},
                                           {}, ctx)
        == "[s0, u1, 6]");
  CHECK(guard_strings_indexing_meta(env).empty());
  // A mask with an integer index: the count must equal the index size at run time.
  CHECK(sizes_of_indexing_meta<ops::index>({x, meta_of_indexing_meta({s0}, dtype::bool_),
                                            meta_of_indexing_meta({3}, dtype::int64)},
                                           {}, ctx)
        == "[3, 6]");
  CHECK(assert_strings(env) == std::vector<std::string>{"Eq(u2, 3)"});
  CHECK_THROWS_WITH_AS((sizes_of_indexing_meta<ops::index>(
                           {x, meta_of_indexing_meta({s0, 4}, dtype::bool_)}, {}, ctx)),
                       doctest::Contains("The shape of the mask [s0, 4] at index 1 does not match "
                                         "the shape of the indexed tensor [s0, 5, 6] at index 1"),
                       index_error);
}

TEST_CASE("index_put: values broadcast to the symbolic indexing result") {
  sym::ShapeEnv env;
  symbolic_context_indexing_meta ctx(env);
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const s1 = sym::dynamic_size(env, 3, "i.size(0)");
  tensor_meta const x = meta_of_indexing_meta({s0, 4});
  tensor_meta const i = meta_of_indexing_meta({s1}, dtype::int64);
  CHECK(sizes_of_indexing_meta<ops::index_put>({x, i, meta_of_indexing_meta({s1, 4})}, {false}, ctx)
        == "[s0, 4]");
  CHECK(sizes_of_indexing_meta<ops::index_put>({x, i, meta_of_indexing_meta({1})}, {true}, ctx)
        == "[s0, 4]");
  CHECK(guard_strings_indexing_meta(env).empty());
  CHECK_THROWS_WITH_AS(
      (sizes_of_indexing_meta<ops::index_put>({x, i, meta_of_indexing_meta({7, 4})}, {false}, ctx)),
      doctest::Contains("shape mismatch: value tensor of shape [7, 4] cannot be broadcast to "
                        "indexing result of shape [s1, 4]"),
      shape_error);
  // Values against a mask's count: asserted for the run of the program.
  CHECK(sizes_of_indexing_meta<ops::index_put>(
            {x, meta_of_indexing_meta({s0}, dtype::bool_), meta_of_indexing_meta({2, 4})}, {false},
            ctx)
        == "[s0, 4]");
  CHECK(assert_strings(env) == std::vector<std::string>{"Eq(u0, 2)"});
}

TEST_CASE("eager placeholders: meta rules leave mask counts to the kernels") {
  ops::eager_meta_context eager;
  tensor_meta const x = meta_of_indexing_meta({4, 3});
  CHECK(sizes_of_indexing_meta<ops::index>(
            {x, meta_of_indexing_meta({4}, dtype::bool_), meta_of_indexing_meta({2}, dtype::int64)},
            {}, eager)
        == "[2]");
  CHECK(sizes_of_indexing_meta<ops::index>({x, meta_of_indexing_meta({4}, dtype::bool_)}, {}, eager)
        == "[0, 3]");
}
