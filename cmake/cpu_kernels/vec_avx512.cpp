// The vector kernels of vec_math.hpp and vec_rows.hpp built for AVX-512 (F, DQ, VL, BW):
// this file gets those `-m` flags (cmake/xport-cpu-kernels.cmake) and defines nothing but
// its table; vec_dispatch.cpp publishes it where the CPU has AVX-512.
#define XPORT_DETAIL_WIDE_TU 1
#include <xport/kernels/cpu/vec_rows.hpp>

namespace xport::kernels::cpu::vec {
extern wide_table const avx512_table;
#if XPORT_VEC_MATH && defined(__AVX512F__)
constinit wide_table const avx512_table = table_of("avx512");
#else
constinit wide_table const avx512_table{}; // not built for AVX-512: never published
#endif
} // namespace xport::kernels::cpu::vec
