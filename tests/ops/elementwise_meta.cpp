#include <xport/kernels/cpu/elementwise.hpp> // schemas instantiate eager execution
#include <xport/ops/elementwise.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace xport;
using xport::sym::dynamic_size;
using xport::sym::ShapeEnv;

namespace {

ops::tensor_meta meta_elementwise_meta(ops::sym_sizes sizes,
                                       xport::dtype type = xport::dtype::float32) {
  return {type, Device{}, std::move(sizes)};
}

std::vector<std::string> guard_strings_elementwise_meta(ShapeEnv const& env) {
  std::vector<std::string> out;
  for (auto const& g : env.guards())
    out.push_back(to_string(g.rel));
  return out;
}

} // namespace

TEST_CASE("broadcasting a symbolic size against 1 keeps it; against a static size guards") {
  ShapeEnv env;
  SymInt const s = dynamic_size(env, 8, "x.size(0)");
  ops::tensor_meta const in[] = {meta_elementwise_meta({s, 4}), meta_elementwise_meta({1, 4})};
  auto const out = ops::add::meta(in, {std::nullopt, 1});
  CHECK(out[0].str() == "f32[s0, 4]");
  // As in PyTorch, a dynamic size's range starts at 2, so "s0 == 1" is decided False
  // by the range alone, without a guard.
  CHECK(guard_strings_elementwise_meta(env).empty());

  ops::tensor_meta const row[] = {meta_elementwise_meta({4}), meta_elementwise_meta({s, 1})};
  CHECK(ops::mul::meta(row, {std::nullopt})[0].str() == "f32[s0, 4]");
  CHECK(guard_strings_elementwise_meta(env).empty());

  // Against a static size other than 1 the dim must equal it: a guard that specializes.
  ops::tensor_meta const fixed[] = {meta_elementwise_meta({s}),
                                    meta_elementwise_meta({8}, dtype::int32)};
  CHECK(ops::eq::meta(fixed, {})[0].str() == "b8[s0]");
  CHECK(guard_strings_elementwise_meta(env) == std::vector<std::string>{"Eq(s0, 8)"});
}

TEST_CASE("broadcasting two symbolic sizes guards them equal") {
  ShapeEnv env;
  SymInt const s0 = dynamic_size(env, 8, "x.size(0)");
  SymInt const s1 = dynamic_size(env, 8, "y.size(0)");
  ops::tensor_meta const in[] = {meta_elementwise_meta({s0, 3}),
                                 meta_elementwise_meta({s1, 3}, dtype::int64)};
  auto const out = ops::sub::meta(in, {std::nullopt, 1});
  CHECK(out[0].dtype == dtype::float32);
  CHECK(guard_strings_elementwise_meta(env) == std::vector<std::string>{"Eq(s0, s1)"});

  // where broadcasts three ways; each pair of symbolic sizes meets in one guard.
  SymInt const s2 = dynamic_size(env, 8, "c.size(0)");
  ops::tensor_meta const three[] = {meta_elementwise_meta({s2, 1}, dtype::bool_),
                                    meta_elementwise_meta({1, 3}), meta_elementwise_meta({s0, 1})};
  CHECK(ops::where::meta(three, {})[0].str() == "f32[s2, 3]");
  CHECK(guard_strings_elementwise_meta(env).back() == "Eq(s2, s0)");
}

TEST_CASE("symbolic sizes through every kind of elementwise meta") {
  ShapeEnv env;
  SymInt const n = dynamic_size(env, 5, "x.size(0)");
  SymInt const twice = 2 * n + 1;
  ops::tensor_meta const x = meta_elementwise_meta({twice, 3});
  ops::tensor_meta const one[] = {x};
  CHECK(ops::exp::meta(one, {})[0].str() == "f32[2*s0 + 1, 3]");
  CHECK(ops::isnan::meta(one, {})[0].str() == "b8[2*s0 + 1, 3]");
  CHECK(ops::gelu::meta(one, {"tanh"})[0].str() == "f32[2*s0 + 1, 3]");
  CHECK(ops::lt_scalar::meta(one, {2})[0].str() == "b8[2*s0 + 1, 3]");
  CHECK(ops::div::meta(std::span(one), {2})[0].str() == "f32[2*s0 + 1, 3]");
  CHECK(ops::clamp::meta(one, {0, std::nullopt})[0].str() == "f32[2*s0 + 1, 3]");

  ops::tensor_meta const ints[] = {meta_elementwise_meta({n}, dtype::int64)};
  CHECK(ops::exp::meta(ints, {})[0].str() == "f32[s0]");
  CHECK(ops::div_mode::meta(ints, {2, "floor"})[0].str() == "i64[s0]");

  ops::tensor_meta const sel[] = {meta_elementwise_meta({n, 1}, dtype::bool_),
                                  meta_elementwise_meta({3}, dtype::int32),
                                  meta_elementwise_meta({}, dtype::float64)};
  CHECK(ops::where::meta(sel, {})[0].str() == "f64[s0, 3]");
  ops::tensor_meta const fill[] = {meta_elementwise_meta({n, 3}),
                                   meta_elementwise_meta({3}, dtype::bool_)};
  CHECK(ops::masked_fill::meta(fill, {0})[0].str() == "f32[s0, 3]");
  CHECK(env.guards().empty()); // size-1 checks on s0 are decided by its range
}

TEST_CASE("symbolic shape errors name both shapes") {
  ShapeEnv env;
  SymInt const s = dynamic_size(env, 8, "x.size(0)");
  ops::tensor_meta const in[] = {meta_elementwise_meta({s}), meta_elementwise_meta({3})};
  CHECK_THROWS_WITH_AS(ops::maximum::meta(in, {}),
                       doctest::Contains("must match the size of tensor b (3) at non-singleton "
                                         "dimension 0 (shapes [s0] and [3])"),
                       shape_error);
  ops::tensor_meta const inplace[] = {meta_elementwise_meta({3}), meta_elementwise_meta({s, 3})};
  CHECK_THROWS_WITH_AS(ops::add_::meta(inplace, {std::nullopt, 1}),
                       doctest::Contains("output with shape [3] doesn't match the broadcast shape "
                                         "[s0, 3]"),
                       shape_error);
}

TEST_CASE("in-place metas check castability") {
  ops::tensor_meta const in[] = {meta_elementwise_meta({2}, dtype::int64),
                                 meta_elementwise_meta({2}, dtype::float32)};
  CHECK_THROWS_WITH_AS(ops::add_::meta(in, {std::nullopt, 1}),
                       doctest::Contains("result type Float can't be cast to the desired output "
                                         "type Long"),
                       dtype_error);
  ops::tensor_meta const ok[] = {meta_elementwise_meta({2}, dtype::float32),
                                 meta_elementwise_meta({2}, dtype::int64)};
  CHECK(ops::mul_::meta(ok, {std::nullopt})[0].str() == "f32[2]");
  static_assert(ops::can_cast(dtype::int64, dtype::float16));
  static_assert(!ops::can_cast(dtype::float16, dtype::int8));
  static_assert(!ops::can_cast(dtype::int32, dtype::bool_));
  static_assert(ops::can_cast(dtype::bool_, dtype::uint8));
}

TEST_CASE("boxed attributes print like exported programs") {
  // Absent optional attributes are left out, as exported programs print them.
  auto str = []<class Op>(typename Op::attributes a) {
    return ops::boxed_attributes::of<Op>(std::move(a)).str();
  };
  CHECK(str.operator()<ops::add>({std::nullopt, 1}) == "alpha=1");
  CHECK(str.operator()<ops::rsub>({2, 1}) == "other=2, alpha=1");
  CHECK(str.operator()<ops::div_mode>({std::nullopt, "trunc"}) == "rounding_mode='trunc'");
  CHECK(str.operator()<ops::pow_tensor_scalar>({0.5}) == "exponent=0.5");
  CHECK(str.operator()<ops::clamp>({-1, std::nullopt}) == "min=-1");
  CHECK(str.operator()<ops::gelu>({"tanh"}) == "approximate='tanh'");
  CHECK(str.operator()<ops::leaky_relu>({0.01}) == "negative_slope=0.01");
  CHECK(str.operator()<ops::hardtanh>({-1, 1}) == "min_val=-1, max_val=1");
  CHECK(str.operator()<ops::softplus>({1, 20}) == "beta=1, threshold=20");
  CHECK(str.operator()<ops::round_decimals>({2}) == "decimals=2");
  CHECK(str.operator()<ops::masked_fill>({true}) == "value=True");
  CHECK(str.operator()<ops::copy_>({false}) == "non_blocking=False");
  CHECK(str.operator()<ops::relu>({}).empty());
}

TEST_CASE("the elementwise op set finds every op by name") {
  using set = ops::elementwise_ops;
  set::for_each([]<class Op>() { CHECK(set::find(Op::name) == &ops::schema_of<Op>); });
  static_assert(set::contains<ops::div_mode>);
  CHECK(set::find("aten::div.Tensor_mode") == &ops::schema_of<ops::div_mode>);
  CHECK(set::find("aten::rsub.Scalar")->kind == ops::op_kind::composite);
  CHECK(set::find("aten::where.self")->kind == ops::op_kind::core);
  CHECK(set::find("aten::add_.Tensor")->kind == ops::op_kind::composite);
  CHECK(set::find("aten::floor_divide") == nullptr);
  // In-place ops name the functional op a traced program records instead.
  CHECK(set::find("aten::add_.Tensor")->functional == &ops::schema_of<ops::add>);
  CHECK(set::find("aten::fill_.Scalar")->functional == &ops::schema_of<ops::fill>);
  CHECK(set::find("aten::zero_")->functional->name == "aten::zero");
  CHECK(set::find("aten::copy_")->functional->name == "aten::copy");
  CHECK(set::find("aten::copy")->functional == nullptr);
  CHECK(ops::short_op_name("aten::div.Tensor_mode") == "div");
}
