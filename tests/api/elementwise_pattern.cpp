#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/ops/op_set.hpp>

#include <doctest/doctest.h>

using namespace xport;

TEST_CASE("add broadcasts and promotes") {
  Tensor a = from<std::int32_t>({{1, 2, 3}, {4, 5, 6}});
  Tensor b = from<float>({0.5f, 1.5f, 2.5f});
  Tensor c = a + b;
  CHECK(c.dtype() == dtype::float32);
  CHECK(equal(c, from<float>({{1.5f, 3.5f, 5.5f}, {4.5f, 6.5f, 8.5f}})));
  Tensor d = add(a, 2.5);
  CHECK(d.dtype() == dtype::float32);
  CHECK(relu(from<float>({-1.f, 2.f})).at<float>({1}) == 2.f);
  CHECK_THROWS_AS(a + from<float>({1.f, 2.f}), shape_error);
}

struct recorder_elementwise_pattern final : ops::op_interceptor {
  std::string name;
  std::string attrs;
  std::uint_least32_t line = 0;
  ops::tensor_list intercept(ops::boxed_attributes const& a, std::span<Tensor const> in,
                             source_location const& where) override {
    name = std::string(a.schema().name);
    attrs = a.str();
    line = where.line();
    return xport::kernels::eager_call(a, in);
  }
};

TEST_CASE("interceptor sees boxed calls with the user's line") {
  recorder_elementwise_pattern r;
  ops::interceptor_scope scope(r);
  Tensor a = ones({2});
  std::uint_least32_t const here = __LINE__ + 1;
  Tensor c = a + 3;
  CHECK(r.name == "aten::add.Tensor");
  CHECK(r.attrs == "other=3, alpha=1");
  CHECK(r.line == here);
  CHECK(c.at<float>({0}) == 4.f);
}

TEST_CASE("op_set name lookup") {
  using set = ops::op_set<ops::add, ops::relu>;
  CHECK(set::find("aten::relu") == &ops::schema_of<ops::relu>);
  CHECK(set::find("aten::nope") == nullptr);
  static_assert(set::contains<ops::add>);
}
