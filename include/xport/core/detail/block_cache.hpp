//! @file
//! Per-thread caches of freed memory, so that a program called again and again stops
//! asking the heap for memory once it has run: tensor headers and reference counts
//! (small blocks, by size class) and the CPU storage that kernels use as scratch
//! (data blocks, by exact size). The memory a plan lays out for its intermediate values
//! does not come from here; it is one arena per size signature (runtime/plan.hpp).
//!
//! Hand-written because what it must do is narrow and must not allocate itself: a pool
//! library (Boost.Pool) keeps its blocks until the pool dies and locks or assumes one
//! thread, and a general allocator (jemalloc, mimalloc) would have to replace `malloc`
//! for the whole process. Each thread owns its cache, so no lock is taken; a block freed
//! on another thread than the one that made it joins the freeing thread's cache. What a
//! cache keeps is bounded (`block_cache::limits`), and `xport::release_cached_memory()`
//! hands the calling thread's cache back to the heap.
//!
//! Under AddressSanitizer a cached block is poisoned until it is handed out again, so a
//! use after free is still reported.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <vector>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XPORT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(XPORT_ASAN)
#define XPORT_ASAN 1
#endif
#ifdef XPORT_ASAN
#include <sanitizer/asan_interface.h>
#define XPORT_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define XPORT_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define XPORT_POISON(p, n) ((void)(p), (void)(n))
#define XPORT_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace xport::detail {

//! @cond INTERNAL
class block_cache {
public:
  // Small blocks: sizes up to `small_limit` bytes in classes of `small_step`, at most
  // `small_kept` per class. Data blocks: up to `data_kept` blocks of at most
  // `data_largest` bytes each and `data_total` together.
  static constexpr std::size_t small_step = 16;
  static constexpr std::size_t small_limit = 512;
  static constexpr std::size_t small_kept = 256;
  static constexpr std::size_t data_alignment = 64;
  static constexpr std::size_t data_kept = 32;
  static constexpr std::size_t data_largest = std::size_t{16} << 20;
  static constexpr std::size_t data_total = std::size_t{64} << 20;

  block_cache() = default;
  block_cache(block_cache const&) = delete;
  block_cache& operator=(block_cache const&) = delete;
  ~block_cache() {
    release();
    gone() = true;
  }

  // The calling thread's cache, or null once the thread has destroyed it (while its
  // other thread-local objects are destroyed): memory is then taken and freed directly.
  static block_cache* current() noexcept {
    if (gone()) return nullptr;
    thread_local block_cache cache;
    return &cache;
  }

  // A small block of `n` bytes (n <= small_limit), from the cache when one is there.
  static void* take_small(std::size_t n) {
    std::size_t const k = small_class(n);
    if (block_cache* c = current(); c != nullptr && c->small_[k].head != nullptr) {
      free_block* b = c->small_[k].head;
      XPORT_UNPOISON(b, (k + 1) * small_step);
      c->small_[k].head = b->next;
      --c->small_[k].count;
      return b;
    }
    return ::operator new((k + 1) * small_step);
  }

  // Gives back a block of `take_small(n)`.
  static void give_small(void* p, std::size_t n) noexcept {
    std::size_t const k = small_class(n);
    block_cache* c = current();
    if (c == nullptr || c->small_[k].count == small_kept) {
      ::operator delete(p);
      return;
    }
    auto* b = static_cast<free_block*>(p);
    b->next = c->small_[k].head;
    c->small_[k].head = b;
    ++c->small_[k].count;
    XPORT_POISON(b, (k + 1) * small_step);
  }

  // A data block of `n` bytes aligned to `data_alignment`, from the cache when a block
  // of that size is there.
  static void* take_data(std::size_t n) {
    std::size_t const bytes = round_up(n);
    if (block_cache* c = current(); c != nullptr) {
      for (std::size_t i = c->data_count_; i-- > 0;) {
        if (c->data_[i].bytes != bytes) continue;
        void* const p = c->data_[i].block;
        c->data_bytes_ -= bytes;
        for (std::size_t j = i + 1; j < c->data_count_; ++j)
          c->data_[j - 1] = c->data_[j];
        --c->data_count_;
        XPORT_UNPOISON(p, bytes);
        return p;
      }
    }
    return ::operator new (bytes, std::align_val_t{data_alignment});
  }

  // Gives back a block of `take_data(n)`; the oldest kept blocks make room for it.
  static void give_data(void* p, std::size_t n) noexcept {
    std::size_t const bytes = round_up(n);
    block_cache* c = current();
    if (c == nullptr || bytes > data_largest) {
      free_data(p);
      return;
    }
    while (c->data_count_ == data_kept || c->data_bytes_ + bytes > data_total)
      c->drop_oldest_data();
    c->data_[c->data_count_++] = {p, bytes};
    c->data_bytes_ += bytes;
    XPORT_POISON(p, bytes);
  }

  // Frees every block this cache keeps.
  void release() noexcept {
    for (std::size_t k = 0; k < small_.size(); ++k) {
      while (free_block* b = small_[k].head) {
        XPORT_UNPOISON(b, (k + 1) * small_step);
        small_[k].head = b->next;
        ::operator delete(b);
      }
      small_[k].count = 0;
    }
    while (data_count_ != 0)
      drop_oldest_data();
  }

  // Bytes of data blocks kept.
  std::size_t data_bytes() const noexcept { return data_bytes_; }

private:
  struct free_block {
    free_block* next;
  };
  struct small_list {
    free_block* head = nullptr;
    std::size_t count = 0;
  };
  struct data_block {
    void* block;
    std::size_t bytes;
  };

  // Trivially destructible, so it can be read after the cache is destroyed.
  static bool& gone() noexcept {
    thread_local bool value = false;
    return value;
  }

  static std::size_t small_class(std::size_t n) noexcept {
    return n == 0 ? 0 : (n - 1) / small_step;
  }
  static std::size_t round_up(std::size_t n) noexcept {
    return n == 0 ? data_alignment : (n + data_alignment - 1) / data_alignment * data_alignment;
  }
  static void free_data(void* p) noexcept {
    ::operator delete (p, std::align_val_t{data_alignment});
  }

  void drop_oldest_data() noexcept {
    data_block const oldest = data_[0];
    for (std::size_t j = 1; j < data_count_; ++j)
      data_[j - 1] = data_[j];
    --data_count_;
    data_bytes_ -= oldest.bytes;
    XPORT_UNPOISON(oldest.block, oldest.bytes);
    free_data(oldest.block);
  }

  std::array<small_list, small_limit / small_step> small_{};
  std::array<data_block, data_kept> data_{};
  std::size_t data_count_ = 0;
  std::size_t data_bytes_ = 0;
};

// A standard allocator over the cache: small blocks for `std::allocate_shared` and the
// control blocks of `std::shared_ptr`, data blocks for larger requests (`scratch_vector`).
template <class T>
struct recycling_allocator {
  using value_type = T;
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

  recycling_allocator() noexcept = default;
  template <class U>
  recycling_allocator(recycling_allocator<U> const&) noexcept {} // NOLINT: rebinding

  T* allocate(std::size_t n) {
    std::size_t const bytes = n * sizeof(T);
    if (bytes > block_cache::small_limit) return static_cast<T*>(block_cache::take_data(bytes));
    return static_cast<T*>(block_cache::take_small(bytes));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    std::size_t const bytes = n * sizeof(T);
    if (bytes > block_cache::small_limit) {
      block_cache::give_data(p, bytes);
      return;
    }
    block_cache::give_small(p, bytes);
  }
  template <class U>
  bool operator==(recycling_allocator<U> const&) const noexcept {
    return true;
  }
};

// A vector for kernels' scratch values, its memory from the calling thread's cache.
template <class T>
using scratch_vector = std::vector<T, recycling_allocator<T>>;
//! @endcond

} // namespace xport::detail
