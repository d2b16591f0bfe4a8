// Counts heap allocations: replaces the global operator new and delete. Include it in
// exactly one test file of an executable (it defines the replacements); read the count
// with xport_test::allocations().
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace xport_test {
inline std::atomic<long> allocation_count{0};
// The number of calls of operator new so far (every form).
inline long allocations() {
  return allocation_count.load(std::memory_order_relaxed);
}
} // namespace xport_test

// Every form of the operators (plain and aligned) is replaced, so that each allocation is
// counted and every pointer is freed by the function that matches its allocation (a
// sanitizer that keeps its own nothrow or array forms would report malloc'd memory handed
// to its delete). Kept out of line: GCC 12 at -O2 inlines them into std::vector and then
// reports the free() as mismatched with the operator new it can see
// (-Wmismatched-new-delete), although the replacements pair malloc with free.
[[gnu::noinline]] void* operator new(std::size_t n) {
  xport_test::allocation_count.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new(std::size_t n, std::nothrow_t const&) noexcept {
  xport_test::allocation_count.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n == 0 ? 1 : n);
}
[[gnu::noinline]] void* operator new[](std::size_t n) {
  return ::operator new(n);
}
[[gnu::noinline]] void* operator new[](std::size_t n, std::nothrow_t const& tag) noexcept {
  return ::operator new(n, tag);
}
// The aligned forms (storage asks for 64-byte alignment).
[[gnu::noinline]] void* operator new(std::size_t n, std::align_val_t a) {
  xport_test::allocation_count.fetch_add(1, std::memory_order_relaxed);
  auto const alignment = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(alignment, (n + alignment - 1) / alignment * alignment))
    return p;
  throw std::bad_alloc();
}
[[gnu::noinline]] void* operator new[](std::size_t n, std::align_val_t a) {
  return ::operator new(n, a);
}
[[gnu::noinline]] void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::nothrow_t const&) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::nothrow_t const&) noexcept {
  std::free(p);
}
