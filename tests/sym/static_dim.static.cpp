// Compile-time behaviour of include/xport/sym/static_dim.hpp: types, canonical forms,
// ranges, verdicts, and the runtime paths evaluated in constant expressions.
#include <xport/sym/static_dim.hpp>

#include <cstdint>
#include <type_traits>

namespace {

using namespace xport::literals;
using xport::sym::affine;
using xport::sym::derived;
using xport::sym::dim;
using xport::sym::fixed;
using xport::sym::range_of;
using xport::sym::static_equal;
using xport::sym::static_less_equal;
using xport::sym::value_range;
using xport::sym::verdict;

using batch = dim<"batch", 1, 1024>;
using seq = dim<"seq", 8, 512>;
using open_ended = dim<"n">; // PyTorch's defaults: min 0, max int_oo

template <class A, class B>
inline constexpr bool same = std::is_same_v<std::remove_cvref_t<A>, B>;

constexpr batch b{8};
constexpr seq s{16};
constexpr std::int64_t runtime = 5;

// --- the types themselves ------------------------------------------------------------------
static_assert(std::is_empty_v<fixed<784>>);
static_assert(fixed<784>::value == 784 && std::int64_t{fixed<784>{}} == 784);
static_assert(same<decltype(784_c), fixed<784>>);
static_assert(batch::name == "batch" && batch::min == 1 && batch::max == 1024);
static_assert(open_ended::min == 0 && open_ended::max == xport::sym::int_oo);
static_assert(b.value() == 8 && sizeof(batch) == sizeof(std::int64_t));
static_assert(batch{4_c}.value() == 4);
static_assert(same<xport::dim<"batch", 1, 1024>, batch>); // exported into namespace xport
static_assert(!std::is_same_v<dim<"batch", 1, 1024>, dim<"batch", 1, 512>>);

// --- canonical derived forms: equal forms are one type ---------------------------------
static_assert(same<derived<batch, 2, 1>, affine<batch, 2, 1>>);
static_assert(same<derived<batch, 1, 0>, batch>);
static_assert(same<derived<batch, 1>, batch>);
static_assert(same<derived<derived<batch, 2, 1>, 3, 1>, affine<batch, 6, 4>>);
static_assert(same<decltype(2_c * b + 1_c), derived<batch, 2, 1>>);
static_assert(same<decltype(b + b + 1_c), derived<batch, 2, 1>>);
static_assert(same<decltype(1_c + b * 2_c), derived<batch, 2, 1>>);
static_assert(same<decltype(3_c * (2_c * b + 1_c) + 1_c), derived<batch, 6, 4>>);
static_assert((2_c * b + 1_c).value() == 17);
static_assert((2_c * b + 1_c).root().value() == 8);

// --- ranges, with value_range ---------------------------------------------------------------
static_assert(range_of<fixed<7>> == value_range{7, 7});
static_assert(range_of<batch> == value_range{1, 1024});
static_assert(range_of<derived<batch, 2, 1>> == value_range{3, 2049});
static_assert(range_of<derived<batch, 1, -1>> == value_range{0, 1023});
static_assert(range_of<derived<open_ended, 4, 2>> == value_range{2, xport::sym::int_oo});
static_assert(range_of<std::int64_t> == value_range::unbounded());

// --- CuTe's rule: static op static stays static, mixed decays ---------------------------
static_assert(same<decltype(3_c + 4_c), fixed<7>>);
static_assert(same<decltype(3_c - 4_c), fixed<-1>>);
static_assert(same<decltype(6_c * 7_c), fixed<42>>);
static_assert(same<decltype(784_c / 4_c), fixed<196>>);
static_assert(same<decltype(785_c % 4_c), fixed<1>>);
static_assert(same<decltype(fixed<-7>{} / 2_c), fixed<-4>>); // floor division, as Python
static_assert(same<decltype(fixed<-7>{} % 2_c), fixed<1>>);
static_assert(same<decltype(b - 1_c), derived<batch, 1, -1>>);
static_assert(same<decltype((b + 3_c) - b), fixed<3>>);
static_assert(same<decltype(b - b), fixed<0>>);
static_assert(same<decltype((3_c * b) - b), derived<batch, 2>>);
static_assert(same<decltype(b * 0_c), fixed<0>>);
static_assert(same<decltype(0_c * runtime), fixed<0>>); // absorbing, as CuTe
static_assert(same<decltype(runtime % 1_c), fixed<0>>);
static_assert(same<decltype((4_c * b + 6_c) / 2_c), derived<batch, 2, 3>>);
static_assert(same<decltype((2_c * b + 1_c) / 2_c), batch>);
static_assert(same<decltype((3_c * b) % 3_c), fixed<0>>);
static_assert(same<decltype((2_c * b + 1_c) % 2_c), fixed<1>>);
// decays: decreasing forms, two roots, symbolic products, runtime operands
static_assert(same<decltype(8_c - b), std::int64_t>);
static_assert(same<decltype(b + s), std::int64_t>);
static_assert(same<decltype(b * b), std::int64_t>);
static_assert(same<decltype(b * fixed<-1>{}), std::int64_t>);
static_assert(same<decltype(b + runtime), std::int64_t>);
static_assert(same<decltype(3_c * runtime), std::int64_t>);
static_assert(same<decltype(b / 3_c), std::int64_t>);
static_assert(same<decltype((2_c * b + 1_c) % 4_c), std::int64_t>);
static_assert(8_c - b == 0 && b + s == 24 && b * b == 64 && b + runtime == 13);
static_assert(b / 3_c == 2 && (2_c * b + 1_c) % 4_c == 1 && 3_c * runtime == 15);

// --- static decisions ------------------------------------------------------------------------
static_assert(static_equal<batch, batch>() == verdict::always);
static_assert(static_equal<fixed<4>, fixed<4>>() == verdict::always);
static_assert(static_equal<fixed<4>, fixed<5>>() == verdict::never);
static_assert(static_equal<derived<batch, 2>, derived<batch, 2, 1>>() == verdict::never);
static_assert(static_equal<derived<batch, 2>, derived<batch, 3, -4>>() == verdict::unknown); // b=4
static_assert(static_equal<derived<batch, 2>, derived<batch, 3, 4>>() == verdict::never);    // b=-4
static_assert(static_equal<batch, fixed<8>>() == verdict::unknown);
static_assert(static_equal<batch, fixed<2000>>() == verdict::never);
static_assert(static_equal<derived<batch, 2, 1>, fixed<10>>() == verdict::never);
static_assert(static_equal<derived<batch, 2, 1>, fixed<11>>() == verdict::unknown);
static_assert(static_equal<dim<"m", 1, 4>, dim<"k", 8, 16>>() == verdict::never);
static_assert(static_equal<batch, seq>() == verdict::unknown);
static_assert(static_equal<batch, std::int64_t>() == verdict::unknown);
static_assert(static_equal<std::int64_t, std::int64_t>() == verdict::unknown);

static_assert(static_less_equal<batch, derived<batch, 2>>() == verdict::always);
static_assert(static_less_equal<derived<batch, 2>, batch>() == verdict::never); // b >= 1
static_assert(static_less_equal<derived<open_ended, 2>, open_ended>() == verdict::unknown);
static_assert(static_less_equal<fixed<16>, dim<"k", 1, 8>>() == verdict::never);
static_assert(static_less_equal<fixed<8>, dim<"k", 1, 8>>() == verdict::unknown);
static_assert(static_less_equal<fixed<1>, batch>() == verdict::always);
static_assert(static_less_equal<batch, fixed<1024>>() == verdict::always);
static_assert(static_less_equal<derived<batch, 1, 1>, batch>() == verdict::never);
static_assert(static_less_equal<batch, seq>() == verdict::unknown);
static_assert(static_less_equal<dim<"k", 1, 8>, seq>() == verdict::always);

// --- checks: always-true costs nothing, inconclusive runs on the values -----------------
static_assert(same<decltype(xport::sym::expect_equal(b, 8_c)), fixed<8>>);
static_assert(same<decltype(xport::sym::expect_equal(runtime, b)), batch>);
static_assert(same<decltype(xport::sym::expect_equal(b, b)), batch>);
static_assert(xport::sym::expect_equal(2_c * b, std::int64_t{16}).value() == 16);

static_assert(same<decltype(xport::sym::slice(b, 1_c, b)), derived<batch, 1, -1>>);
static_assert(same<decltype(xport::sym::slice(b, 0_c, 1_c)), fixed<1>>);
static_assert(same<decltype(xport::sym::slice(b, 2_c, b)), std::int64_t>); // b - 2 may be < 0
static_assert(xport::sym::slice(b, 2_c, b) == 6);
static_assert(xport::sym::slice(dim<"k", 1, 8>{8}, 0_c, 8_c).value == 8);

static_assert(same<decltype(xport::sym::exact_div(12_c, 4_c)), fixed<3>>);
static_assert(same<decltype(xport::sym::exact_div(4_c * b + 6_c, 2_c)), derived<batch, 2, 3>>);
static_assert(xport::sym::exact_div(3_c * b, 2_c) == 12);

// --- binding observed sizes, also in constant evaluation ---------------------------------
static_assert(xport::sym::bind_extent<derived<batch, 2, 1>>(17, "x").root().value() == 8);
static_assert(xport::sym::bind_extent<fixed<3>>(3, "x").value == 3);
static_assert(xport::sym::bind_extent<batch>(1024, "x").value() == 1024);

} // namespace
