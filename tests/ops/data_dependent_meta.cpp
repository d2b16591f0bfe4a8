// Meta rules of the data-dependent ops on symbolic sizes: their sizes become unbacked
// symbols (u0, u1, ...) from a meta context over a ShapeEnv.
#include <xport/ops/data_dependent.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace xport;
using xport::ops::tensor_meta;

namespace {

struct symbolic_context_data_dependent_meta final : ops::meta_context {
  explicit symbolic_context_data_dependent_meta(sym::ShapeEnv& e) : env(e) {}
  SymInt unbacked_size() override { return sym::unbacked_size(env); }
  sym::ShapeEnv& env;
};

tensor_meta meta_of_data_dependent_meta(std::initializer_list<SymInt> sizes,
                                        dtype type = dtype::float32) {
  return tensor_meta{type, Device{}, ops::sym_sizes(sizes.begin(), sizes.end())};
}

template <class Op>
tensor_meta run_data_dependent_meta(std::vector<tensor_meta> const& in,
                                    typename Op::attributes const& a, ops::meta_context& context) {
  std::span<tensor_meta const> const inputs(in.data(), in.size());
  return ops::run_meta<Op>(inputs, a, context).front();
}

} // namespace

TEST_CASE("nonzero: [u0, rank], a fresh symbol per call") {
  sym::ShapeEnv env;
  symbolic_context_data_dependent_meta ctx(env);
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const first =
      run_data_dependent_meta<ops::nonzero>({meta_of_data_dependent_meta({s0, 4})}, {}, ctx);
  CHECK(first.str() == "i64[u0, 2]");
  CHECK(run_data_dependent_meta<ops::nonzero>({meta_of_data_dependent_meta({s0}, dtype::bool_)}, {},
                                              ctx)
            .str()
        == "i64[u1, 1]");
  CHECK(run_data_dependent_meta<ops::nonzero>({meta_of_data_dependent_meta({})}, {}, ctx).str()
        == "i64[u2, 0]");
  // A known empty input has no nonzero element: no symbol is made.
  CHECK(run_data_dependent_meta<ops::nonzero>({meta_of_data_dependent_meta({s0, 0})}, {}, ctx).str()
        == "i64[0, 2]");
  CHECK(env.guards().empty());
  ops::eager_meta_context eager;
  CHECK(
      run_data_dependent_meta<ops::nonzero>({meta_of_data_dependent_meta({3, 4})}, {}, eager).str()
      == "i64[0, 2]");
}

TEST_CASE("masked_select: [u0] after broadcasting") {
  sym::ShapeEnv env;
  symbolic_context_data_dependent_meta ctx(env);
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  CHECK(run_data_dependent_meta<ops::masked_select>(
            {meta_of_data_dependent_meta({s0, 4}),
             meta_of_data_dependent_meta({s0, 4}, dtype::bool_)},
            {}, ctx)
            .str()
        == "f32[u0]");
  CHECK(run_data_dependent_meta<ops::masked_select>(
            {meta_of_data_dependent_meta({s0, 4}, dtype::int32),
             meta_of_data_dependent_meta({4}, dtype::bool_)},
            {}, ctx)
            .str()
        == "i32[u1]");
  CHECK_THROWS_WITH_AS(
      (run_data_dependent_meta<ops::masked_select>(
          {meta_of_data_dependent_meta({s0, 4}), meta_of_data_dependent_meta({3}, dtype::bool_)},
          {}, ctx)),
      doctest::Contains("(shapes [s0, 4] and [3])"), shape_error);
}

TEST_CASE("bincount: [u0], dtype from the weights") {
  sym::ShapeEnv env;
  symbolic_context_data_dependent_meta ctx(env);
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x = meta_of_data_dependent_meta({s0}, dtype::int64);
  tensor_meta const no_weights{.sizes = {}, .defined = false};
  CHECK(run_data_dependent_meta<ops::bincount>({x, no_weights}, {0}, ctx).str() == "i64[u0]");
  CHECK(
      run_data_dependent_meta<ops::bincount>({x, meta_of_data_dependent_meta({s0})}, {0}, ctx).str()
      == "f32[u1]");
  CHECK(run_data_dependent_meta<ops::bincount>(
            {x, meta_of_data_dependent_meta({s0}, dtype::float16)}, {0}, ctx)
            .str()
        == "f64[u2]");
  CHECK(run_data_dependent_meta<ops::bincount>(
            {meta_of_data_dependent_meta({0}, dtype::int64), meta_of_data_dependent_meta({0})}, {3},
            ctx)
            .str()
        == "i64[3]");
  CHECK(env.guards().empty());
  SymInt const s1 = sym::dynamic_size(env, 5, "w.size(0)");
  CHECK_THROWS_WITH_AS(
      (run_data_dependent_meta<ops::bincount>({x, meta_of_data_dependent_meta({s1})}, {0}, ctx)),
      doctest::Contains("weights should be 1-d and have the same length as input "
                        "(weights [s1], input [s0])"),
      shape_error);
}

TEST_CASE("_local_scalar_dense: a 0-dim meta; numel must be 1") {
  sym::ShapeEnv env;
  symbolic_context_data_dependent_meta ctx(env);
  CHECK(run_data_dependent_meta<ops::local_scalar_dense>(
            {meta_of_data_dependent_meta({1, 1}, dtype::int32)}, {}, ctx)
            .str()
        == "i32[]");
  // A dynamic size is at least 2 (the 0/1 policy), so it never holds one element.
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  CHECK_THROWS_WITH_AS((run_data_dependent_meta<ops::local_scalar_dense>(
                           {meta_of_data_dependent_meta({s0})}, {}, ctx)),
                       doctest::Contains("a Tensor with s0 elements cannot be converted to Scalar"),
                       shape_error);
  CHECK(ops::local_scalar_dense::name == "aten::_local_scalar_dense");
  CHECK(ops::local_scalar_dense::kind == ops::op_kind::core);
}
