// The vector kernels of vec_math.hpp and vec_rows.hpp built for AVX2 with FMA: this file
// gets `-mavx2 -mfma` (cmake/xport-cpu-kernels.cmake) and defines nothing but its table;
// vec_dispatch.cpp publishes it where the CPU has AVX2 and no AVX-512.
#define XPORT_DETAIL_WIDE_TU 1
#include <xport/kernels/cpu/vec_rows.hpp>

namespace xport::kernels::cpu::vec {
extern wide_table const avx2_table;
#if XPORT_VEC_MATH && defined(__AVX2__) && defined(__FMA__)
constinit wide_table const avx2_table = table_of("avx2");
#else
constinit wide_table const avx2_table{}; // not built for AVX2: never published
#endif
} // namespace xport::kernels::cpu::vec
