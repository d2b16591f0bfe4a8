// Twins of PyTorch's test/export/test_export.py (the name is in each test's comment):
// exporting a method other than forward, and a slice end computed from sizes.
#include <xport/api/elementwise.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>

#include <support/programs.hpp>

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

using namespace xport;

// The models and tests live in a namespace of their own: the export tests are compiled in
// unity batches, where file-local names of the other files would clash.
namespace parity_methods {

using xport_test::calls_of;

// test_export_method
struct Methods : Module<Methods> {
  BOOST_HANA_DEFINE_STRUCT(Methods, (Buffer, t));
  Methods() : t(scalar_tensor(10.0)) {}
  Tensor forward(Tensor const& x) { return foo(x) * bar(x); }
  Tensor foo(Tensor const& x) {
    mul_(t, 2.0);
    return x + t;
  }
  Tensor bar(Tensor const& x) const { return x - t; }
};

// test_export_method
TEST_CASE("test_export_method: methods other than forward, sharing the module's buffer") {
  Generator gen{7};
  Methods em;
  Tensor const ex = randn({4}, gen);
  auto const spec = sym::dynamic_shapes({sym::shape_spec{Dim::Dynamic}});
  ExportedProgram const foo = export_program(em, &Methods::foo, std::tuple{ex}, spec);
  ExportedProgram const bar = export_program(em, &Methods::bar, std::tuple{ex}, spec);
  INFO(foo.str());
  CHECK(equal(em.t, scalar_tensor(10.0))); // exporting runs nothing
  CHECK(calls_of(foo.graph, "aten::mul.Tensor") + calls_of(foo.graph, "aten::mul.Scalar") == 1);
  CHECK(foo.signature.outputs.at(0).kind == output_kind::buffer_mutation);
  CHECK(bar.signature.outputs.size() == 1);
  // Both programs read and write the module's own buffer, as eager calls do.
  ExportedModule epm_foo = foo.module();
  ExportedModule epm_bar = bar.module();
  Tensor const& foo_t = foo.state_dict.at("t");
  Tensor const& bar_t = bar.state_dict.at("t");
  Methods m;
  Tensor const rx = randn({5}, gen);
  CHECK(equal(m.t, foo_t));
  CHECK(equal(m.t, bar_t));
  CHECK(allclose(epm_foo.call<Tensor>(rx), m.foo(rx)));
  CHECK(equal(m.t, foo_t));
  CHECK(equal(m.t, bar_t));
  CHECK(allclose(epm_bar.call<Tensor>(rx), m.bar(rx)));
  CHECK(equal(m.t, scalar_tensor(20.0)));
  CHECK(equal(bar_t, scalar_tensor(20.0)));
}

// test_export_statically_known_true
struct SquareEnd : Module<SquareEnd> {
  BOOST_HANA_DEFINE_STRUCT(SquareEnd);
  Tensor forward(Tensor const& x, Tensor const& y) const {
    SymInt const n = y.sym_size(0);
    return slice(x, 1, 0, n * n - 3 * n);
  }
};

// test_export_statically_known_true
TEST_CASE("test_export_statically_known_true: x[:, :s^2 - 3s] with Dynamic dims") {
  SquareEnd m;
  Generator gen{8};
  Tensor const x = randn({4, 4}, gen), y = randn({4, 4}, gen);
  auto const dynamic = sym::shape_spec{Dim::Dynamic, Dim::Dynamic};
  ExportedProgram const ep = export_program(
      m, std::tuple{x, y}, sym::dynamic_shapes({dynamic, dynamic}), {.input_names = {"x", "y"}});
  INFO(ep.str());
  CHECK(calls_of(ep.graph, "aten::slice.Tensor") == 1);
  CHECK(equal(ep.module().call<Tensor>(x, y), m(x, y)));
  // Where PyTorch leaves the end unguarded, xport keeps 0 <= s2**2 - 3*s2 <= s1 as guards
  // of the contract (printed): other sizes inside them run, sizes outside are refused.
  CHECK(xport_test::says(ep.str(), "Guards: {s2**2 - 3*s2 >= 0, s2**2 - 3*s2 <= s1}"));
  Tensor const wide = randn({3, 12}, gen), five = randn({5, 2}, gen);
  CHECK(equal(ep.module().call<Tensor>(wide, five), slice(wide, 1, 0, 10)));
  CHECK_THROWS_AS(ep.module().call<Tensor>(x, five), constraint_violation);
}

} // namespace parity_methods
