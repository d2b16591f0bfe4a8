// Compile-time behaviour of include/xport/sym/static_shape.hpp: result types of the shape
// rules, and shapes built and bound in constant evaluation.
#include <xport/sym/static_shape.hpp>

#include <array>
#include <cstdint>
#include <type_traits>

namespace {

using namespace xport::literals;
using xport::sym::derived;
using xport::sym::dim;
using xport::sym::fixed;
using xport::sym::shape;

using batch = dim<"batch", 1, 1024>;
using seq = dim<"seq", 2, 512>;
using any = dim<"any">; // may be 0 or 1

template <class A, class B>
inline constexpr bool same = std::is_same_v<std::remove_cvref_t<A>, B>;

constexpr batch b{8};
constexpr seq s{16};
constexpr std::int64_t runtime = 3;

// --- layout: static extents take no space ------------------------------------------------
static_assert(sizeof(shape<fixed<3>, fixed<4>>) == 1);
static_assert(sizeof(shape<fixed<3>, batch, fixed<4>>) == sizeof(std::int64_t));
static_assert(shape<fixed<3>, fixed<4>>::is_static && !shape<batch>::is_static);
static_assert(same<decltype(shape{b, 784_c, 3}), shape<batch, fixed<784>, std::int64_t>>);
static_assert(shape{b, 784_c, 3}.sizes() == std::array<std::int64_t, 3>{8, 784, 3});
static_assert(shape{b, 2_c * b + 1_c}.get<1>().value() == 17);

// --- broadcast -----------------------------------------------------------------------------
static_assert(
    same<decltype(broadcast(shape{b, 1_c}, shape{1_c, 784_c})), shape<batch, fixed<784>>>);
static_assert(same<decltype(broadcast(shape{b, 784_c}, shape{784_c})), shape<batch, fixed<784>>>);
static_assert(same<decltype(broadcast(shape{b}, shape{8_c})), shape<fixed<8>>>); // b in {1, 8}
static_assert(same<decltype(broadcast(shape{s}, shape{s})), shape<seq>>);
static_assert(same<decltype(broadcast(shape{s}, shape{runtime})), shape<seq>>); // seq >= 2
static_assert(same<decltype(broadcast(shape{b}, shape{runtime})), shape<std::int64_t>>);
static_assert(broadcast(shape{b}, shape{1_c}).get<0>().value() == 8);

// --- matmul --------------------------------------------------------------------------------
static_assert(
    same<decltype(matmul(shape{b, 784_c}, shape{784_c, 128_c})), shape<batch, fixed<128>>>);
static_assert(same<decltype(matmul(shape{784_c}, shape{784_c})), shape<>>);
static_assert(same<decltype(matmul(shape{784_c}, shape{784_c, 10_c})), shape<fixed<10>>>);
static_assert(same<decltype(matmul(shape{b, 784_c}, shape{784_c})), shape<batch>>);
static_assert(same<decltype(matmul(shape{b, s, 64_c}, shape{64_c, s})), shape<batch, seq, seq>>);
static_assert(same<decltype(matmul(shape{b, 1_c, s, 64_c}, shape{12_c, 64_c, s})),
                   shape<batch, fixed<12>, seq, seq>>);
static_assert(same<decltype(matmul(shape{s, b}, shape{b, s})), shape<seq, seq>>);

// --- concat --------------------------------------------------------------------------------
static_assert(
    same<decltype(xport::sym::concat<1>(shape{b, 3_c}, shape{b, 5_c})), shape<batch, fixed<8>>>);
static_assert(same<decltype(xport::sym::concat<0>(shape{b}, shape{b})), shape<derived<batch, 2>>>);
static_assert(same<decltype(xport::sym::concat<-1>(shape{b, s}, shape{b, 1_c})),
                   shape<batch, derived<seq, 1, 1>>>);
static_assert(same<decltype(xport::sym::concat<0>(shape{b, 4_c}, shape{s, runtime})),
                   shape<std::int64_t, fixed<4>>>);

// --- binding observed sizes ------------------------------------------------------------------
constexpr std::array<std::int64_t, 3> observed{8, 784, 17};
constexpr auto bound = shape<batch, fixed<784>, derived<batch, 2, 1>>::from_sizes(observed);
static_assert(bound.get<0>().value() == 8 && bound.get<2>().value() == 17);

} // namespace
