#include <xport/api/data_dependent.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/item.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>

#include "models.hpp"

#include <doctest/doctest.h>

using namespace xport;
using models::Head;

namespace {
Tensor count_of(std::int64_t n) {
  return scalar_tensor(n, {.dtype = dtype::int64});
}
} // namespace

namespace {

struct Nonzero : Module<Nonzero> {
  BOOST_HANA_DEFINE_STRUCT(Nonzero);
  Tensor forward(Tensor const& x) const {
    Tensor const idx = nonzero(x);
    check(idx.sym_size(0) <= 8);
    return add(idx, 1);
  }
};

struct Unchecked : Module<Unchecked> {
  BOOST_HANA_DEFINE_STRUCT(Unchecked);
  Tensor forward(Tensor const& x, Tensor const& count) const {
    SymInt const n = item_int(count);
    if (static_cast<bool>(n > 2)) return relu(x);
    return x;
  }
};

} // namespace

TEST_CASE("item_int + check: a data-dependent size with runtime asserts") {
  Head m;
  Tensor const x = arange(0, 12, 1).to(dtype::float32).reshape({6, 2});
  ExportedProgram ep =
      export_program(m, std::tuple{x, count_of(3)}, {}, {.input_names = {"x", "count"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(text.find("aten::_local_scalar_dense(count)") != std::string::npos);
  CHECK(text.find("\"f32[u0, 2]\"") != std::string::npos);
  CHECK(text.find("Range constraints: {u0: VR[0, 4]}") != std::string::npos);
  // The checks are assert nodes right after the value they bound, before its first use.
  std::size_t const item_at = text.find("= aten::_local_scalar_dense(count)");
  std::size_t const assert_at =
      text.find("_assert_scalar_1 = aten::_assert_scalar(lhs=u0, op='<=', rhs=4, msg='Runtime "
                "assertion failed for expression u0 <= 4 (xport::check at "
                "models.hpp:");
  std::size_t const slice_at = text.find("= aten::slice.Tensor(x, dim=0, start=0, end=u0");
  CHECK(item_at < assert_at);
  CHECK(assert_at < slice_at);
  CHECK(slice_at != std::string::npos);
  ExportedModule run = ep.module();
  CHECK(equal(run.call<Tensor>(x, count_of(2)), m(x, count_of(2))));
  CHECK(run.call<Tensor>(x, count_of(4)).size(0) == 4);
  CHECK_THROWS_WITH_AS(run.call<Tensor>(x, count_of(5)),
                       doctest::Contains("Runtime assertion failed for expression u0 <= 4"),
                       constraint_violation);
}

TEST_CASE("nonzero: an unbacked size bound at run time") {
  Nonzero m;
  Tensor const x = from<float>({0.f, 1.f, 0.f, 2.f});
  ExportedProgram ep = export_program(m, std::tuple{x}, {}, {.input_names = {"x"}});
  INFO(ep.str());
  CHECK(ep.str().find("\"i64[u0, 1]\"") != std::string::npos);
  ExportedModule run = ep.module();
  CHECK(equal(run.call<Tensor>(from<float>({5.f, 0.f, 0.f, 7.f})), from<std::int64_t>({{1}, {4}})));
}

TEST_CASE("branching on an unbacked value without a check is a data-dependent error") {
  Unchecked m;
  CHECK_THROWS_AS(export_program(m, std::tuple{zeros({2}), count_of(3)}), data_dependent_error);
}
