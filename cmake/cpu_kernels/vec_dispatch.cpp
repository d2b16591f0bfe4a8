// Publishes, before main, the vector kernels of the widest unit this CPU has (see
// vec_math.hpp): AVX-512, else AVX2 with FMA, else none (the callers' own SSE2 loops).
// XPORT_CPU_CAPABILITY=sse2 or =avx2 caps the choice, as ATEN_CPU_CAPABILITY does for
// PyTorch. This file is built for the baseline: it runs on every x86-64 CPU.
#include <xport/kernels/cpu/vec_math.hpp>

#include <cstdlib>
#include <string_view>

namespace xport::kernels::cpu::vec {
extern wide_table const avx2_table;
extern wide_table const avx512_table;

namespace {

wide_table const* widest_supported() {
#if XPORT_VEC_MATH && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  char const* const cap_env = std::getenv("XPORT_CPU_CAPABILITY");
  std::string_view const cap = cap_env != nullptr ? cap_env : "";
  __builtin_cpu_init();
  bool const avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  bool const avx512 = avx2 && __builtin_cpu_supports("avx512f")
                      && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl")
                      && __builtin_cpu_supports("avx512bw");
  if (avx512 && cap != "sse2" && cap != "avx2" && avx512_table.name != nullptr)
    return &avx512_table;
  if (avx2 && cap != "sse2" && avx2_table.name != nullptr) return &avx2_table;
#endif
  return nullptr;
}

[[maybe_unused]] bool const published = (wide.store(widest_supported()), true);

} // namespace
} // namespace xport::kernels::cpu::vec
