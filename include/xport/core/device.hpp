//! @file
//! Devices: tag types (`cpu_t`, `cuda_t`) for compile-time dispatch and the runtime
//! `Device{kind, index}` with PyTorch's spelling (`"cpu"`, `"cuda:0"`).
#pragma once

#include <xport/core/error.hpp>

#include <charconv>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace xport {

//! @brief The kinds of device xport runs on.
enum class device_kind : std::uint8_t {
  cpu, //!< host memory
  cuda //!< an NVIDIA GPU through the CUDA runtime
};

//! @brief Tag type of the CPU, used to select `kernel<Op, cpu_t>` at compile time.
struct cpu_t {
  static constexpr device_kind kind = device_kind::cpu; //!< the kind it selects
};
//! @brief Tag type of CUDA GPUs, used to select `kernel<Op, cuda_t>` at compile time.
struct cuda_t {
  static constexpr device_kind kind = device_kind::cuda; //!< the kind it selects
};
//! @brief The CPU tag value: `Tensor::to(xport::cpu)`.
inline constexpr cpu_t cpu{};
//! @brief The CUDA tag value: `Tensor::to(xport::cuda)` means the current CUDA device.
inline constexpr cuda_t cuda{};

//! @brief A device at run time: a kind and, for CUDA, an optional index.
//!
//! Spelled as in PyTorch: `Device("cpu")`, `Device("cuda")` (the current device),
//! `Device("cuda:1")`. Compares equal when kind and index are equal.
class Device {
public:
  //! @brief The CPU.
  constexpr Device(cpu_t = {}) noexcept {}
  //! @brief CUDA device `index`; -1 (the default) means the current device.
  constexpr explicit Device(cuda_t, int index = -1) : kind_(device_kind::cuda), index_(index) {
    if (index < -1)
      throw device_error("CUDA device index must be >= 0, but got " + std::to_string(index));
  }
  //! @brief Parses `"cpu"`, `"cuda"` or `"cuda:N"`.
  //! @throws device_error naming the text and the accepted forms.
  explicit Device(std::string_view text) {
    auto const bad = [&] {
      return device_error("expected a device such as 'cpu', 'cuda' or 'cuda:1', but got '"
                          + std::string(text) + "'");
    };
    if (text == "cpu") return;
    if (!text.starts_with("cuda")) throw bad();
    kind_ = device_kind::cuda;
    std::string_view rest = text.substr(4);
    if (rest.empty()) return;
    if (rest.front() != ':' || rest.size() == 1) throw bad();
    rest.remove_prefix(1);
    auto const [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), index_);
    if (ec != std::errc{} || end != rest.data() + rest.size() || index_ < 0) throw bad();
  }

  //! @brief The device kind.
  constexpr device_kind kind() const noexcept { return kind_; }
  //! @brief The CUDA index, or -1 for the CPU and for "the current CUDA device".
  constexpr int index() const noexcept { return index_; }
  //! @brief True for the CPU.
  constexpr bool is_cpu() const noexcept { return kind_ == device_kind::cpu; }
  //! @brief True for a CUDA device.
  constexpr bool is_cuda() const noexcept { return kind_ == device_kind::cuda; }

  //! @brief `"cpu"`, `"cuda"` or `"cuda:N"`.
  std::string str() const {
    if (kind_ == device_kind::cpu) return "cpu";
    return index_ < 0 ? "cuda" : "cuda:" + std::to_string(index_);
  }

  //! @brief Devices are equal when kind and index are.
  friend constexpr bool operator==(Device const&, Device const&) = default;

  //! @brief Prints `str()`.
  friend std::ostream& operator<<(std::ostream& out, Device const& device) {
    return out << device.str();
  }

private:
  device_kind kind_ = device_kind::cpu;
  int index_ = -1;
};

} // namespace xport
