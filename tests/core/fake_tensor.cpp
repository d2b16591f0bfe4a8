#include <xport/core/tensor.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

using namespace xport;

TEST_CASE("a fake tensor has symbolic sizes, example values and no data") {
  sym::ShapeEnv env;
  SymInt const b = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const sizes[] = {b, 4};
  auto handle = std::make_shared<int const>(7);
  Tensor const x = Tensor::make_fake(dtype::float32, Device(cpu), sizes, handle);
  CHECK(x.is_fake());
  CHECK(x.dim() == 2);
  CHECK(x.sym_size(0).str() == "s0");
  CHECK(x.sym_sizes()[1].expect_int() == 4);
  CHECK(x.fake_value() == handle);
  CHECK(env.guards().empty());
  CHECK_THROWS_WITH_AS(x.data_ptr<float>(), doctest::Contains("fake tensor"), value_error);
  CHECK_THROWS_WITH_AS(x.at<float>({0, 0}), doctest::Contains("has no data"), value_error);
  // Members that are ops need the ops layer, which core does not link in.
  CHECK_THROWS_WITH_AS(x.clone(), doctest::Contains("include <xport/export/export.hpp>"),
                       unsupported_error);
}

TEST_CASE("size() on a fake tensor specializes, like int(x.shape[0])") {
  sym::ShapeEnv env;
  SymInt const b = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const sizes[] = {b, 4};
  Tensor const x = Tensor::make_fake(dtype::float32, Device(cpu), sizes, nullptr);
  CHECK(x.size(1) == 4);
  CHECK(env.guards().empty());
  std::uint_least32_t const line = __LINE__ + 1;
  CHECK(x.size(0) == 8);
  REQUIRE(env.guards().size() == 1);
  CHECK(env.guards()[0].where.line() == line);
  CHECK(x.sizes()[0] == 8);
  CHECK(Tensor().defined() == false);
  CHECK_FALSE(Tensor().is_fake());
}
