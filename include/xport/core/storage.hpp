//! @file
//! `Storage`: a reference-counted block of bytes on a device, and the per-device
//! allocators that create and copy such blocks.
#pragma once

#include <xport/core/detail/block_cache.hpp>
#include <xport/core/device.hpp>
#include <xport/core/error.hpp>

#include <array>
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <string>

namespace xport {

//! @brief Allocates, frees and copies device memory for one device kind.
//!
//! The CPU allocator is built in. The CUDA allocator is registered by including
//! `<xport/cuda.hpp>` (which needs the CUDA runtime), so that the core stays free of
//! CUDA headers.
class device_allocator {
public:
  virtual ~device_allocator() = default;
  //! @brief `nbytes` of memory on `device`, aligned to at least 64 bytes.
  //! @throws device_error when the device has no memory to give.
  virtual void* allocate(std::size_t nbytes, Device device) = 0;
  //! @brief Releases memory obtained from `allocate`.
  virtual void deallocate(void* data, Device device) noexcept = 0;
  //! @brief Gives back memory obtained from `allocate(nbytes, device)`, which the
  //! allocator may keep for a later `allocate` of the same size (the CPU allocator does,
  //! per thread; see `release_cached_memory`). By default, `deallocate`.
  virtual void recycle(void* data, std::size_t nbytes, Device device) noexcept {
    (void)nbytes;
    deallocate(data, device);
  }
  //! @brief Copies `nbytes` between this allocator's device and the host (or within the
  //! device); `dst_device`/`src_device` say which side is which.
  virtual void copy(void* dst, Device dst_device, void const* src, Device src_device,
                    std::size_t nbytes) = 0;
};

namespace detail {

// CPU memory aligned to a cache line (also every SIMD width), from the calling thread's
// block cache when it keeps a block of the size.
class cpu_allocator final : public device_allocator {
public:
  static_assert(block_cache::data_alignment >= 64);

  void* allocate(std::size_t nbytes, Device) override {
    try {
      return block_cache::take_data(nbytes);
    } catch (std::bad_alloc const&) {
      throw device_error("out of memory: cannot allocate " + std::to_string(nbytes)
                         + " bytes on the CPU");
    }
  }
  void deallocate(void* data, Device) noexcept override {
    ::operator delete (data, std::align_val_t{block_cache::data_alignment});
  }
  void recycle(void* data, std::size_t nbytes, Device) noexcept override {
    block_cache::give_data(data, nbytes);
  }
  void copy(void* dst, Device, void const* src, Device, std::size_t nbytes) override {
    if (nbytes != 0) std::memcpy(dst, src, nbytes);
  }
};

inline std::array<device_allocator*, 2>& allocator_table() {
  static cpu_allocator cpu_instance;
  static std::array<device_allocator*, 2> table = {&cpu_instance, nullptr};
  return table;
}

} // namespace detail

//! @brief Installs the allocator for `kind` (used by `<xport/cuda.hpp>`); returns true so
//! that it can initialise a variable at load time.
inline bool register_allocator(device_kind kind, device_allocator& allocator) {
  detail::allocator_table()[static_cast<std::size_t>(kind)] = &allocator;
  return true;
}

//! @brief The allocator for `device`.
//! @throws device_error when no allocator is registered for the device's kind (CUDA
//! without `<xport/cuda.hpp>`), saying how to enable it.
inline device_allocator& allocator_for(Device device) {
  device_allocator* allocator = detail::allocator_table()[static_cast<std::size_t>(device.kind())];
  if (allocator == nullptr) {
    throw device_error("no memory allocator for device '" + device.str()
                       + "': CUDA support is not compiled in; include <xport/cuda.hpp> and link "
                         "CUDA::cudart to use CUDA devices");
  }
  return *allocator;
}

//! @brief A reference-counted block of bytes on one device; tensors view into it.
//!
//! Copies of a `Storage` share the block, which is freed with the last one.
class Storage {
public:
  //! @brief No memory (`nbytes() == 0`, `data() == nullptr`).
  Storage() = default;

  //! @brief Allocates `nbytes` (uninitialised) on `device`.
  //! @throws device_error when the device is unavailable or out of memory.
  Storage(std::size_t nbytes, Device device) {
    device_allocator& allocator = allocator_for(device);
    void* data = allocator.allocate(nbytes, device);
    // (Should the count's block not be allocated, the shared_ptr gives `data` back.)
    block_ = std::shared_ptr<void>(
        data, [&allocator, nbytes, device](void* p) { allocator.recycle(p, nbytes, device); },
        detail::recycling_allocator<char>());
    nbytes_ = nbytes;
    device_ = device;
  }

  //! @brief Wraps memory owned elsewhere (for example a mapped file); `keep_alive` is
  //! held as long as any tensor views the block.
  Storage(void* data, std::size_t nbytes, Device device, std::shared_ptr<void const> keep_alive)
      : block_(std::move(keep_alive), data), nbytes_(nbytes), device_(device) {}

  //! @brief The first byte.
  void* data() const noexcept { return block_.get(); }
  //! @brief Size in bytes.
  std::size_t nbytes() const noexcept { return nbytes_; }
  //! @brief Where the bytes live.
  Device device() const noexcept { return device_; }
  //! @brief Number of owners sharing the block (for tests and diagnostics).
  long use_count() const noexcept { return block_.use_count(); }
  //! @brief True when both refer to the same block.
  bool is_alias_of(Storage const& other) const noexcept { return block_ == other.block_; }

private:
  std::shared_ptr<void> block_;
  std::size_t nbytes_ = 0;
  Device device_;
};

//! @brief Frees the memory the calling thread keeps for reuse: CPU blocks of freed
//! tensors, kept (up to 64 MiB per thread) so that the same sizes allocated again, as in
//! repeated calls of a program, do not reach the heap. Call it from a thread that is
//! done with tensors for a while; memory that tensors hold is not affected.
inline void release_cached_memory() noexcept {
  if (detail::block_cache* cache = detail::block_cache::current()) cache->release();
}

//! @brief Copies `nbytes` between two devices (host to host, host to device, device to
//! host, device to device), through the allocator of the non-CPU side.
inline void copy_bytes(void* dst, Device dst_device, void const* src, Device src_device,
                       std::size_t nbytes) {
  Device const owner = dst_device.is_cpu() ? src_device : dst_device;
  allocator_for(owner).copy(dst, dst_device, src, src_device, nbytes);
}

} // namespace xport
