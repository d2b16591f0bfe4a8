// The interval arithmetic of value_range runs in constant evaluation.
#include <xport/sym/range.hpp>

namespace {
using xport::sym::int_oo;
using xport::sym::neg_int_oo;
using xport::sym::value_range;
using vr = value_range;

static_assert(vr{2, int_oo} * vr{3, 3} == vr{6, int_oo});
static_assert(vr{-2, 3} * vr{4, 5} == vr{-10, 15});
static_assert(vr{0, 0} * vr::unbounded() == vr{0, 0}, "0 * inf = 0");
static_assert(vr{1, 3} + vr{10, int_oo} == vr{11, int_oo});
static_assert(vr{1, 3} - vr{1, 2} == vr{-1, 2});
static_assert(-vr{2, int_oo} == vr{neg_int_oo, -2});
static_assert(vr{int_oo - 5, int_oo - 5} + vr{10, 10} == vr{int_oo, int_oo}, "saturates");
static_assert(floordiv(vr{7, 20}, vr{2, 3}) == vr{2, 10});
static_assert(floordiv(vr{-7, -7}, vr{2, 2}) == vr{-4, -4});
static_assert(floordiv(vr{0, 10}, vr{-1, 1}).contains(-10));
static_assert(floordiv(vr{0, 10}, vr{-1, 1}).contains(10));
static_assert(mod(vr{0, int_oo}, vr{4, 4}) == vr{0, 3});
static_assert(mod(vr{9, 10}, vr{4, 4}) == vr{1, 2});
static_assert(mod(vr{7, 7}, vr{-3, -3}) == vr{-2, -2});
static_assert(min(vr{1, 9}, vr{3, 4}) == vr{1, 4});
static_assert(max(vr{1, 9}, vr{3, 4}) == vr{3, 9});
static_assert(pow(vr{-2, 3}, 2) == vr{0, 9});
static_assert(intersect(vr{2, 10}, vr{5, int_oo}) == vr{5, 10});
static_assert(intersect(vr{2, 3}, vr{5, 6}).is_empty());
static_assert(hull(vr{1, 2}, vr{5, 6}) == vr{1, 6});
static_assert(vr{3, 5}.is_subset_of(vr{2, int_oo}));
static_assert(!vr{1, 5}.is_subset_of(vr{2, int_oo}));
static_assert(vr::point(4).is_singleton() && !vr::at_least(4).is_singleton());

// A structural type: usable as a template argument.
template <value_range R>
struct bounded {
  static constexpr bool admits(std::int64_t v) { return R.contains(v); }
};
static_assert(bounded<vr{1, 1024}>::admits(8) && !bounded<vr{1, 1024}>::admits(2048));
} // namespace
