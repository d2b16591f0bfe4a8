// Meta rules of the reduction ops on symbolic sizes: which dims are kept or dropped,
// keepdim, dtypes, the guards recorded (none where ranges decide), errors, and the boxed
// schema's attribute formatting.
#include <xport/kernels/cpu/reduction.hpp>
#include <xport/ops/reduction.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace xport;
using ops::tensor_meta;

namespace {
template <class Op>
ops::meta_list meta_of_reduction_meta(tensor_meta const& in, typename Op::attributes const& a) {
  tensor_meta const inputs[] = {in};
  return Op::meta(inputs, a);
}
std::string sizes(tensor_meta const& m) {
  return ops::format_sym_sizes(m.sizes);
}
} // namespace

TEST_CASE("reducing a symbolic dim drops it, keepdim gives 1, others stay symbolic") {
  sym::ShapeEnv env;
  SymInt const b = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const t = sym::dynamic_size(env, 5, "x.size(1)");
  tensor_meta const x{dtype::float32, Device{}, {b, t, 4}};

  CHECK(sizes(meta_of_reduction_meta<ops::sum>(
            x, {std::vector<std::int64_t>{0}, false, std::nullopt})[0])
        == "[s1, 4]");
  CHECK(sizes(meta_of_reduction_meta<ops::sum>(
            x, {std::vector<std::int64_t>{1}, true, std::nullopt})[0])
        == "[s0, 1, 4]");
  CHECK(sizes(meta_of_reduction_meta<ops::sum>(x, {std::nullopt, false, std::nullopt})[0]) == "[]");
  CHECK(sizes(meta_of_reduction_meta<ops::sum>(x, {std::nullopt, true, std::nullopt})[0])
        == "[1, 1, 1]");
  CHECK(sizes(meta_of_reduction_meta<ops::mean>(
            x, {std::vector<std::int64_t>{-1, 0}, false, std::nullopt})[0])
        == "[s1]");
  CHECK(sizes(meta_of_reduction_meta<ops::amax>(x, {{2}, false})[0]) == "[s0, s1]");
  CHECK(sizes(meta_of_reduction_meta<ops::prod_dim>(x, {1, false, std::nullopt})[0]) == "[s0, 4]");
  CHECK(sizes(meta_of_reduction_meta<ops::prod>(x, {std::nullopt})[0]) == "[]");
  CHECK(sizes(meta_of_reduction_meta<ops::logsumexp>(x, {{1}, true})[0]) == "[s0, 1, 4]");
  CHECK(sizes(meta_of_reduction_meta<ops::var>(
            x, {std::vector<std::int64_t>{0, 1}, std::nullopt, false})[0])
        == "[4]");
  CHECK(sizes(meta_of_reduction_meta<ops::any_dims>(x, {std::vector<std::int64_t>{0}, false})[0])
        == "[s1, 4]");
  CHECK(env.guards().empty());
}

TEST_CASE("max.dim / var_mean give two outputs with symbolic sizes; argmax without dim") {
  sym::ShapeEnv env;
  SymInt const b = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x{dtype::float16, Device{}, {b, 3}};
  ops::meta_list const m = meta_of_reduction_meta<ops::max_dim>(x, {1, false});
  REQUIRE(m.size() == 2);
  CHECK(m[0].str() == "f16[s0]");
  CHECK(m[1].str() == "i64[s0]");
  ops::meta_list const vm =
      meta_of_reduction_meta<ops::var_mean>(x, {std::nullopt, Scalar(0), true});
  REQUIRE(vm.size() == 2);
  CHECK(vm[0].str() == "f16[1, 1]");
  CHECK(vm[1].str() == "f16[1, 1]");
  CHECK(meta_of_reduction_meta<ops::argmax>(x, {std::nullopt, false})[0].str() == "i64[]");
  CHECK(meta_of_reduction_meta<ops::argmax>(x, {std::nullopt, true})[0].str() == "i64[1, 1]");
  CHECK(meta_of_reduction_meta<ops::argmin>(x, {0, false})[0].str() == "i64[3]");
  // A dynamic size is at least 2 in its range: "is it 0?" is decided without a guard.
  CHECK(env.guards().empty());
}

TEST_CASE("softmax, log_softmax and cumsum preserve symbolic shapes") {
  sym::ShapeEnv env;
  SymInt const b = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const s = sym::dynamic_size(env, 6, "x.size(1)");
  tensor_meta const x{dtype::bfloat16, Device{}, {b, 2 * s + 1}};
  CHECK(meta_of_reduction_meta<ops::softmax>(x, {-1, std::nullopt})[0].str()
        == "bf16[s0, 2*s1 + 1]");
  CHECK(meta_of_reduction_meta<ops::log_softmax>(x, {0, dtype::float32})[0].str()
        == "f32[s0, 2*s1 + 1]");
  tensor_meta const h{dtype::float16, Device{}, {b, s}};
  CHECK(meta_of_reduction_meta<ops::_softmax>(h, {1, true})[0].str() == "f32[s0, s1]");
  CHECK(meta_of_reduction_meta<ops::_log_softmax>(h, {1, false})[0].str() == "f16[s0, s1]");
  tensor_meta const i{dtype::int32, Device{}, {b, s}};
  CHECK(meta_of_reduction_meta<ops::cumsum>(i, {1, std::nullopt})[0].str() == "i64[s0, s1]");
  CHECK(env.guards().empty());
}

TEST_CASE("dtype rules of the metas") {
  tensor_meta const i{dtype::int16, Device{}, {2, 3}};
  tensor_meta const b{dtype::bool_, Device{}, {2}};
  tensor_meta const u{dtype::uint8, Device{}, {2}};
  CHECK(meta_of_reduction_meta<ops::sum>(i, {std::nullopt, false, std::nullopt})[0].dtype
        == dtype::int64);
  CHECK(meta_of_reduction_meta<ops::sum>(b, {std::nullopt, false, std::nullopt})[0].dtype
        == dtype::int64);
  CHECK(meta_of_reduction_meta<ops::sum>(i, {std::nullopt, false, dtype::float16})[0].dtype
        == dtype::float16);
  CHECK(meta_of_reduction_meta<ops::prod>(b, {std::nullopt})[0].dtype == dtype::int64);
  CHECK(meta_of_reduction_meta<ops::amax>(i, {{}, false})[0].dtype == dtype::int16);
  CHECK(meta_of_reduction_meta<ops::any>(u, {})[0].dtype == dtype::uint8);
  CHECK(meta_of_reduction_meta<ops::all_dims>(i, {std::nullopt, false})[0].dtype == dtype::bool_);
  CHECK(meta_of_reduction_meta<ops::logsumexp>(b, {{}, false})[0].dtype == dtype::float32);
  CHECK(meta_of_reduction_meta<ops::mean>(i, {std::nullopt, false, dtype::float64})[0].dtype
        == dtype::float64);
}

TEST_CASE("meta errors: mean of integers, repeated dims, zero-size reductions") {
  tensor_meta const l{dtype::int64, Device{}, {2, 3}};
  CHECK_THROWS_WITH_AS(meta_of_reduction_meta<ops::mean>(l, {std::nullopt, false, std::nullopt}),
                       doctest::Contains("Input dtype must be either a floating point or complex "
                                         "dtype. Got: Long"),
                       dtype_error);
  tensor_meta const x{dtype::float32, Device{}, {2, 0, 3}};
  CHECK_THROWS_WITH_AS(
      meta_of_reduction_meta<ops::sum>(x, {std::vector<std::int64_t>{2, -1}, false, std::nullopt}),
      doctest::Contains("dim 2 appears multiple times in the list of dims"), value_error);
  CHECK_THROWS_WITH_AS(meta_of_reduction_meta<ops::amax>(x, {{}, false}),
                       doctest::Contains("amax(): Expected reduction dim 1 to have non-zero size."),
                       index_error);
  CHECK(sizes(meta_of_reduction_meta<ops::amax>(x, {{2}, false})[0]) == "[2, 0]");
  CHECK_THROWS_WITH_AS(meta_of_reduction_meta<ops::max>(x, {}),
                       doctest::Contains("Expected reduction dim to be specified for "
                                         "input.numel() == 0"),
                       shape_error);
  CHECK_THROWS_AS(meta_of_reduction_meta<ops::cumsum>(x, {3, std::nullopt}), index_error);
  CHECK_THROWS_AS(meta_of_reduction_meta<ops::softmax>(x, {-4, std::nullopt}), index_error);
}

TEST_CASE("full max of a symbolic size: numel == 0 is decided by the size's range") {
  sym::ShapeEnv env;
  SymInt const b = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x{dtype::float32, Device{}, {b, 3}};
  CHECK(meta_of_reduction_meta<ops::max>(x, {})[0].str() == "f32[]");
  CHECK(env.guards().empty());
}

TEST_CASE("boxed schemas format the attributes") {
  CHECK(
      ops::boxed_attributes::of<ops::sum>({std::vector<std::int64_t>{0, -1}, true, dtype::float64})
          .str()
      == "dim=[0, -1], keepdim=True, dtype=torch.float64");
  CHECK(ops::boxed_attributes::of<ops::var>({std::nullopt, Scalar(0), false}).str()
        == "correction=0, keepdim=False");
  CHECK(ops::boxed_attributes::of<ops::argmax>({1, true}).str() == "dim=1, keepdim=True");
  CHECK(ops::boxed_attributes::of<ops::_softmax>({-1, false}).str()
        == "dim=-1, half_to_float=False");
  CHECK(ops::boxed_attributes::of<ops::max>({}).str().empty());
  CHECK(ops::boxed_attributes::of<ops::amax>({{1}, false})
        == ops::boxed_attributes::of<ops::amax>({{1}, false}));
  CHECK_FALSE(ops::boxed_attributes::of<ops::amax>({{1}, false})
              == ops::boxed_attributes::of<ops::amax>({{0}, false}));
}

TEST_CASE("the reduction op set: names, kinds, lookup") {
  using set = ops::reduction_ops;
  set::for_each([]<class Op>() { CHECK(set::find(Op::name) == &ops::schema_of<Op>); });
  CHECK(set::find("aten::sum.dim_IntList") == &ops::schema_of<ops::sum>);
  CHECK(set::find("aten::max.dim") == &ops::schema_of<ops::max_dim>);
  CHECK(set::find("aten::std.correction") == &ops::schema_of<ops::std_dev>);
  CHECK(set::find("aten::_log_softmax") == &ops::schema_of<ops::_log_softmax>);
  CHECK(set::find("aten::sum") == nullptr);
  static_assert(ops::_softmax::kind == ops::op_kind::core);
  static_assert(ops::softmax::kind == ops::op_kind::composite);
  static_assert(ops::amax::kind == ops::op_kind::core);
  static_assert(ops::logsumexp::kind == ops::op_kind::composite);
}
