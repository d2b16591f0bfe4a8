#include <xport/api/creation.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace xport;
using xport::ops::tensor_meta;

namespace {
template <class Op>
tensor_meta meta1(std::vector<tensor_meta> const& in, typename Op::attributes const& a) {
  return Op::meta(std::span<tensor_meta const>(in.data(), in.size()), a).front();
}
} // namespace

TEST_CASE("factories of symbolic sizes") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  CHECK(meta1<ops::zeros>({}, {{s0, 4}, {}, "cpu"}).str() == "f32[s0, 4]");
  CHECK(meta1<ops::empty>({}, {{2 * 0 + s0 * 2}, dtype::int8, "cpu"}).str() == "i8[2*s0]");
  CHECK(meta1<ops::full>({}, {{s0}, 3, {}, "cpu"}).str() == "i64[s0]");
  CHECK(meta1<ops::full>({}, {{s0}, 0.5, {}, "cpu"}).str() == "f32[s0]");
  CHECK(meta1<ops::ones>({}, {{s0 + 1}, dtype::float16, "cpu"}).str() == "f16[s0 + 1]");
  CHECK(env.guards().empty());
  CHECK_THROWS_AS(meta1<ops::zeros>({}, {{-2}, {}, "cpu"}), shape_error);
  CHECK_THROWS_AS(meta1<ops::zeros>({}, {{2}, {}, "tpu"}), error);
}

TEST_CASE("arange lengths over symbolic bounds") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  CHECK(meta1<ops::arange>({}, {0, s0, 1, {}, "cpu"}).str() == "i64[s0]");
  CHECK(meta1<ops::arange>({}, {0, s0, 2, {}, "cpu"}).str() == "i64[(s0 + 1)//2]");
  CHECK(meta1<ops::arange>({}, {1, s0, 1, dtype::float32, "cpu"}).str() == "f32[s0 - 1]");
  CHECK(env.guards().empty());
  CHECK(meta1<ops::arange>({}, {s0, 0, -3, {}, "cpu"}).str() == "i64[(s0 + 2)//3]");
  CHECK(meta1<ops::arange>({}, {10, 0, -3, {}, "cpu"}).str() == "i64[4]");
  CHECK(meta1<ops::arange>({}, {0, 10, 3, {}, "cpu"}).str() == "i64[4]");
}

TEST_CASE("_like, _to_copy and clone keep symbolic sizes") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  tensor_meta const x{dtype::float32, Device{}, {s0, 3}};
  CHECK(meta1<ops::zeros_like>({x}, {dtype::int32, {}}).str() == "i32[s0, 3]");
  CHECK(meta1<ops::full_like>({x}, {2, {}, {}}).str() == "f32[s0, 3]");
  CHECK_THROWS_AS(meta1<ops::full_like>({x}, {1e300, dtype::float16, {}}), value_error);
  CHECK(meta1<ops::to_copy>({x}, {dtype::bfloat16}).str() == "bf16[s0, 3]");
  CHECK(meta1<ops::clone>({x}, {}).str() == "f32[s0, 3]");
  CHECK(meta1<ops::scalar_tensor>({}, {1, {}, "cpu"}).str() == "f32[]");
}

TEST_CASE("boxed schemas format creation attributes") {
  sym::ShapeEnv env;
  SymInt const s0 = sym::dynamic_size(env, 8, "x.size(0)");
  CHECK(ops::boxed_attributes::of<ops::arange>({0, s0, 1, dtype::float32, "cpu"}).str()
        == "start=0, end=s0, step=1, dtype=torch.float32, device='cpu'");
  CHECK(ops::boxed_attributes::of<ops::full>({{s0, 2}, 0.5, {}, "cpu"}).str()
        == "size=[s0, 2], fill_value=0.5, device='cpu'");
  CHECK(ops::boxed_attributes::of<ops::to_copy>({dtype::int8}).str() == "dtype=torch.int8");
  using set = ops::creation_ops;
  CHECK(set::find("aten::_to_copy") == &ops::schema_of<ops::to_copy>);
  CHECK(set::find("aten::empty.memory_format") == &ops::schema_of<ops::empty>);
  CHECK(ops::schema_of<ops::zeros>.kind == ops::op_kind::composite);
}
