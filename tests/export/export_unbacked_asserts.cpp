// Shape logic on values read from data: what PyTorch's meta rules require of a
// data-dependent size (TORCH_SYM_CHECK) becomes a runtime assert of the program instead of
// a data-dependent error, and a count of picked elements is bounded by the elements there
// are. Twins of PyTorch's tests (test/export/test_export.py; the name is in each test's
// comment).
#include <xport/api/control_flow.hpp>
#include <xport/api/creation.hpp>
#include <xport/api/data_dependent.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/item.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/decomp/run_decompositions.hpp>
#include <xport/export/export.hpp>
#include <xport/serde/load_pt2.hpp>
#include <xport/serde/save_pt2.hpp>

#include <support/programs.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <tuple>
#include <vector>

using namespace xport;

// The models and tests live in a namespace of their own: the export tests are compiled in
// unity batches, where file-local names of the other files would clash.
namespace unbacked_asserts {

using xport_test::calls_of;
using xport_test::reloaded;
using xport_test::says;
using xport_test::three_forms;

Tensor ints(std::initializer_list<std::int64_t> values) {
  return from<std::int64_t>(values);
}

std::vector<std::int64_t> sizes_of(Tensor const& t) {
  return {t.sizes().begin(), t.sizes().end()};
}

struct ToList : Module<ToList> {
  BOOST_HANA_DEFINE_STRUCT(ToList);
  std::vector<SymInt> forward(Tensor const& x) const { return tolist(x); }
};

// test_tolist
TEST_CASE("test_tolist: the values of a tensor returned as integers") {
  ToList m;
  ExportedProgram const ep =
      export_program(m, std::tuple{ones({3}, {.dtype = dtype::int32})}, {}, {.input_names = {"x"}});
  INFO(ep.str());
  CHECK(calls_of(ep.graph, "aten::_local_scalar_dense") == 3);
  for (ExportedProgram const& p : {ep, reloaded(ep)}) {
    // (PyTorch calls it with int64 values; xport's programs check the dtype.)
    std::vector<SymInt> const got =
        p.module().call<std::vector<SymInt>>(from<std::int32_t>({1, 2, 3}));
    REQUIRE(got.size() == 3);
    CHECK(got[0].maybe_int() == 1);
    CHECK(got[2].maybe_int() == 3);
  }
  CHECK_THROWS_WITH_AS(tolist(ones({2, 2})), doctest::Contains("the tensor has 2 dims"),
                       shape_error);
}

struct Selected : Module<Selected> {
  BOOST_HANA_DEFINE_STRUCT(Selected);
  Tensor forward(Tensor const& x) const { return masked_select(x, ge(x, 0.5)); }
};

struct Nonzero : Module<Nonzero> {
  BOOST_HANA_DEFINE_STRUCT(Nonzero);
  Tensor forward(Tensor const& x) const { return nonzero(x); }
};

// test_masked_select_dynamic and test_nonzero_dynamic (its as_tuple form aside)
TEST_CASE("test_masked_select_dynamic: a count of picked elements is at most their number") {
  auto const spec = sym::dynamic_shapes(
      {sym::shape_spec{Dim("dim0_x", {.max = 100}), Dim("dim1_x_max", {.max = 7}), 5}});
  Tensor const x = arange(0, 60, 1).to(dtype::float32).reshape({3, 4, 5}) / 60.0;
  Selected selected;
  ExportedProgram const ep = export_program(selected, std::tuple{x}, spec, {.input_names = {"x"}});
  INFO(ep.str());
  CHECK(says(ep.str(), "u0: VR[0, 3500]")); // 100 * 7 * 5
  Nonzero nz;
  ExportedProgram const nonzeros = export_program(nz, std::tuple{x}, spec, {.input_names = {"x"}});
  CHECK(says(nonzeros.str(), "u0: VR[0, 3500]"));
  // A 0-dim input has one element.
  ExportedProgram const scalar =
      export_program(nz, std::tuple{scalar_tensor(10.0)}, {}, {.input_names = {"x"}});
  CHECK(says(scalar.str(), "u0: VR[0, 1]"));
  for (ExportedProgram const& p : three_forms(ep)) {
    Tensor const y = arange(0, 40, 1).to(dtype::float32).reshape({2, 4, 5}) / 40.0;
    CHECK(equal(p.module().call<Tensor>(y), selected(y)));
  }
}

struct SelectByItem : Module<SelectByItem> {
  BOOST_HANA_DEFINE_STRUCT(SelectByItem);
  Tensor forward(Tensor const& x, Tensor const& y) const { return select(x, 0, item_int(y)); }
};

// test_unbacked_select_index
TEST_CASE("test_unbacked_select_index: select at an index read from data") {
  SelectByItem m;
  Tensor const x = arange(0, 9, 1).to(dtype::bfloat16).reshape({3, 3});
  ExportedProgram const ep =
      export_program(m, std::tuple{x, ints({0})}, {}, {.input_names = {"x", "y"}})
          .run_decompositions();
  INFO(ep.str());
  CHECK(says(ep.str(), "aten::select.int(x, dim=0, index=u0)"));
  for (ExportedProgram const& p : three_forms(ep)) {
    CHECK(equal(p.module().call<Tensor>(x, ints({2})), x.select(0, 2)));
    CHECK(equal(p.module().call<Tensor>(x, ints({-1})), x.select(0, 2))); // from the end
    CHECK_THROWS_WITH_AS(p.module().call<Tensor>(x, ints({3})),
                         doctest::Contains("Runtime assertion failed for expression u0 < 3"),
                         constraint_violation);
  }
}

struct ViewByItem : Module<ViewByItem> {
  BOOST_HANA_DEFINE_STRUCT(ViewByItem);
  Tensor forward(Tensor const& x) const {
    SymInt const u0 = item_int(x);
    return view(empty(ops::sym_list{5, u0}), {u0, 5}); // [5, u0] -> [u0, 5]
  }
};

struct ReshapeByList : Module<ReshapeByList> {
  BOOST_HANA_DEFINE_STRUCT(ReshapeByList);
  Tensor forward(Tensor const& xs) const {
    std::vector<SymInt> const ab = tolist(xs);
    return reshape(zeros(ops::sym_list{ab[0]}), {ab[1]});
  }
};

// test_simple_unbacked_view
TEST_CASE("test_simple_unbacked_view: views between data-dependent sizes") {
  ViewByItem m;
  ExportedProgram const ep = export_program(m, std::tuple{ints({9})}, {}, {.input_names = {"x"}});
  INFO(ep.str());
  for (ExportedProgram const& p : three_forms(ep)) {
    CHECK(p.module().call<Tensor>(ints({8})).size(0) == 8);
    CHECK(p.module().call<Tensor>(ints({5})).size(0) == 5);
  }
  // [u0] as [u1] needs u0 == u1: asserted when the program runs.
  ReshapeByList v2;
  ExportedProgram const ep2 =
      export_program(v2, std::tuple{ints({4, 4})}, {}, {.input_names = {"xs"}});
  INFO(ep2.str());
  for (ExportedProgram const& p : three_forms(ep2)) {
    CHECK(p.module().call<Tensor>(ints({4, 4})).size(0) == 4);
    CHECK(p.module().call<Tensor>(ints({5, 5})).size(0) == 5);
    CHECK_THROWS_WITH_AS(p.module().call<Tensor>(ints({4, 5})),
                         doctest::Contains("Runtime assertion failed for expression Eq(u0, u1)"),
                         constraint_violation);
  }
}

struct ExpandByList : Module<ExpandByList> {
  BOOST_HANA_DEFINE_STRUCT(ExpandByList);
  Tensor forward(Tensor const& xs) const {
    std::vector<SymInt> const u = tolist(xs);
    return expand(empty(ops::sym_list{u[0], u[1], 1}), {-1, u[1], u[2]});
  }
};

struct ExpandOne : Module<ExpandOne> {
  BOOST_HANA_DEFINE_STRUCT(ExpandOne);
  Tensor forward(Tensor const& xs) const {
    std::vector<SymInt> const u = tolist(xs);
    return expand(empty(ops::sym_list{u[0]}), {u[1]});
  }
};

// test_unbacked_expand
TEST_CASE("test_unbacked_expand: expanding to data-dependent sizes") {
  ExpandByList m;
  ExportedProgram const ep =
      export_program(m, std::tuple{ints({1, 2, 3})}, {}, {.input_names = {"xs"}});
  INFO(ep.str());
  for (ExportedProgram const& p : three_forms(ep)) {
    CHECK(sizes_of(p.module().call<Tensor>(ints({3, 4, 5}))) == std::vector<std::int64_t>{3, 4, 5});
    CHECK(sizes_of(p.module().call<Tensor>(ints({0, 1, 0}))) == std::vector<std::int64_t>{0, 1, 0});
  }
  // A size that is not known to be 1 must not change: u0 == u1, asserted per call.
  ExpandOne bar;
  ExportedProgram const ep2 =
      export_program(bar, std::tuple{ints({2, 2})}, {}, {.input_names = {"xs"}});
  INFO(ep2.str());
  for (ExportedProgram const& p : three_forms(ep2)) {
    CHECK(p.module().call<Tensor>(ints({5, 5})).size(0) == 5);
    CHECK(p.module().call<Tensor>(ints({1, 1})).size(0) == 1);
    CHECK_THROWS_WITH_AS(p.module().call<Tensor>(ints({1, 5})),
                         doctest::Contains("Runtime assertion failed for expression Eq(u0, u1)"),
                         constraint_violation);
  }
}

struct ItemsView : Module<ItemsView> {
  BOOST_HANA_DEFINE_STRUCT(ItemsView);
  Tensor forward(Tensor const& t) const {
    std::vector<SymInt> items;
    for (std::int64_t i = 0; i < t.numel(); ++i)
      items.push_back(item_int(t.select(0, i)));
    Tensor const r = zeros(ops::sym_list{items[0], items[1]});
    return view(r, {items[0], items[2]});
  }
};

struct ItemsViewPlusOne : Module<ItemsViewPlusOne> {
  BOOST_HANA_DEFINE_STRUCT(ItemsViewPlusOne, (ItemsView, m));
  Tensor forward(Tensor const& t) { return m(t) + 1.0; }
};

// test_suggested_fixes_for_data_dependent_errors_basic (its first version, M_v0, which
// PyTorch now exports)
TEST_CASE("test_suggested_fixes_for_data_dependent_errors_basic: a view of data sizes") {
  ItemsViewPlusOne n;
  Tensor const t = from<std::int32_t>({1, 4, 4});
  ExportedProgram const ep = export_program(n, std::tuple{t}, {}, {.input_names = {"t"}});
  INFO(ep.str());
  for (ExportedProgram const& p : three_forms(ep)) {
    CHECK(equal(p.module().call<Tensor>(from<std::int32_t>({2, 3, 3})), full({2, 3}, 1.0)));
    CHECK_THROWS_AS(p.module().call<Tensor>(from<std::int32_t>({2, 3, 4})), constraint_violation);
  }
}

struct RandnView : Module<RandnView> {
  BOOST_HANA_DEFINE_STRUCT(RandnView);
  Tensor forward(Tensor const& x) const {
    SymInt const a = item_int(x);
    return view(zeros({24}), {a, 4});
  }
};

// test_no_check_is_size_error (zeros where PyTorch draws randn)
TEST_CASE("test_no_check_is_size_error: view of 24 elements as [item, 4]") {
  RandnView m;
  ExportedProgram const ep = export_program(m, std::tuple{ints({6})}, {}, {.input_names = {"x"}});
  INFO(ep.str());
  for (ExportedProgram const& p : three_forms(ep)) {
    CHECK(sizes_of(p.module().call<Tensor>(ints({6}))) == std::vector<std::int64_t>{6, 4});
    CHECK_THROWS_WITH_AS(p.module().call<Tensor>(ints({5})),
                         doctest::Contains("Runtime assertion failed for expression"),
                         constraint_violation);
  }
}

struct MaskedView : Module<MaskedView> {
  BOOST_HANA_DEFINE_STRUCT(MaskedView);
  Tensor forward(Tensor const& x, Tensor const& mask) const {
    return masked_select(x, mask).view({-1, 1548}).contiguous() + 1.0;
  }
};

// test_unbacked_contiguous
TEST_CASE("test_unbacked_contiguous: view(-1, 1548) of a masked_select result") {
  MaskedView m;
  Tensor const x = zeros({768, 1548}, {.dtype = dtype::bfloat16});
  Tensor const mask = zeros({768, 1}, {.dtype = dtype::bool_});
  ExportedProgram const ep =
      export_program(m, std::tuple{x, mask}, {}, {.input_names = {"x", "mask"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(says(text, "u0: VR[0, 1188864]"));
  CHECK(says(text, "Runtime assertion failed for expression Eq(Mod(u0, 1548), 0)"));
  Tensor const rows = lt(arange(0, 768, 1).reshape({768, 1}), 2); // the first two rows
  for (ExportedProgram const& p : three_forms(ep)) {
    Tensor const got = p.module().call<Tensor>(x, rows);
    CHECK(sizes_of(got) == std::vector<std::int64_t>{2, 1548});
    CHECK(equal(got, full({2, 1548}, 1.0, {.dtype = dtype::bfloat16})));
  }
}

struct EmptyLess : Module<EmptyLess> {
  BOOST_HANA_DEFINE_STRUCT(EmptyLess);
  Tensor forward(Tensor const& x) const {
    SymInt const u0 = item_int(x);
    check(u0 >= 0);
    Tensor const t = zeros(ops::sym_list{u0 - 1});
    return t + t;
  }
};

// test_unbacked_infer_size (zeros where PyTorch uses empty, so values can be compared)
TEST_CASE("test_unbacked_infer_size: a size one less than a value read from data") {
  EmptyLess m;
  ExportedProgram const ep = export_program(m, std::tuple{ints({5})}, {}, {.input_names = {"x"}});
  INFO(ep.str());
  for (ExportedProgram const& p : three_forms(ep)) {
    CHECK(p.module().call<Tensor>(ints({5})).size(0) == 4);
    CHECK(p.module().call<Tensor>(ints({1})).size(0) == 0);
    CHECK_THROWS_AS(p.module().call<Tensor>(ints({0})), constraint_violation);
  }
}

struct FullOfTensor : Module<FullOfTensor> {
  BOOST_HANA_DEFINE_STRUCT(FullOfTensor);
  Tensor forward(Tensor const& val) const {
    return full(ops::sym_list{80, 2}, val, {.dtype = dtype::float32});
  }
};

// test_full_on_scalar_tensor
TEST_CASE("test_full_on_scalar_tensor: full with a 0-dim tensor as the fill value") {
  FullOfTensor m;
  Tensor const one = scalar_tensor(1, {.dtype = dtype::int64});
  ExportedProgram const ep = export_program(m, std::tuple{one}, {}, {.input_names = {"val"}});
  INFO(ep.str());
  CHECK(says(ep.str(), "aten::full(size=[80, 2], fill_value=u0"));
  for (ExportedProgram const& p : three_forms(ep)) {
    Tensor const seven = scalar_tensor(7, {.dtype = dtype::int64});
    CHECK(equal(p.module().call<Tensor>(seven), full({80, 2}, 7.0)));
  }
  // Eagerly any dtype works; while exporting, a floating fill read from data would need a
  // symbolic float.
  CHECK(equal(m(scalar_tensor(2.5)), full({80, 2}, 2.5)));
  FullOfTensor again;
  CHECK_THROWS_WITH_AS(export_program(again, std::tuple{scalar_tensor(2.5)}, {}, {}),
                       doctest::Contains("a floating-point fill value read from a tensor"),
                       unsupported_error);
}

} // namespace unbacked_asserts

namespace unbacked_asserts {

// A value read from data in a loop or map body is the body's own on each run.
struct RowTimesMax : Module<RowTimesMax> {
  BOOST_HANA_DEFINE_STRUCT(RowTimesMax);
  Tensor forward(Tensor const& x) const {
    return map([](Tensor const& row) { return row * item_int(amax(row)); }, std::tuple(x),
               std::tuple<>());
  }
};

struct AddOwnSum : Module<AddOwnSum> {
  BOOST_HANA_DEFINE_STRUCT(AddOwnSum);
  Tensor forward(Tensor const& x) const {
    return while_loop([](Tensor const& v) { return lt(sum(v), 100); },
                      [](Tensor const& v) { return v + item_int(sum(v)); }, x);
  }
};

TEST_CASE("item() in a map or loop body reads each iteration's value") {
  Tensor const x = ints({1, 2, 3, 4, 5, 6}).reshape({3, 2});
  RowTimesMax rows;
  ExportedProgram const mapped = export_program(rows, std::tuple{x}, {}, {.input_names = {"x"}});
  INFO(mapped.str());
  CHECK(equal(rows(x), ints({2, 4, 12, 16, 30, 36}).reshape({3, 2})));
  Tensor const v = ints({1, 2});
  AddOwnSum loop;
  ExportedProgram const looped = export_program(loop, std::tuple{v}, {}, {.input_names = {"x"}});
  INFO(looped.str());
  CHECK(equal(loop(v), ints({121, 122})));
  for (ExportedProgram const* p : {&mapped, &looped}) {
    ExportedProgram const again = reloaded(*p);
    ExportedModule run = again.module();
    Tensor const in = p == &mapped ? x : v;
    Tensor const expected = p == &mapped ? rows(x) : loop(v);
    CHECK(equal(p->module().call<Tensor>(in), expected));
    CHECK(equal(run.call<Tensor>(in), expected));
    CHECK(equal(run.call<Tensor>(in), expected)); // a second call, planned
  }
}

} // namespace unbacked_asserts
