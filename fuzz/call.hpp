// What the loader targets share: an allocator that refuses huge allocations, and one
// call of a loaded program on inputs drawn inside its own contract.
#pragma once

#include <support/contract_draws.hpp>
#include <xport/xport.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string_view>
#include <vector>

namespace fuzz {

// Refuses any single allocation above 64 MiB, as a device out of memory would: a fuzzed
// program may ask for a tensor of 2^40 elements, which is a device_error, not a crash of
// the fuzzer's memory limit.
class bounded_allocator final : public xport::device_allocator {
public:
  static constexpr std::size_t limit = std::size_t{64} << 20;
  explicit bounded_allocator(xport::device_allocator& next) : next_(next) {}
  void* allocate(std::size_t nbytes, xport::Device device) override {
    if (nbytes > limit)
      throw xport::device_error("fuzz: refused an allocation of " + std::to_string(nbytes)
                                + " bytes");
    return next_.allocate(nbytes, device);
  }
  void deallocate(void* data, xport::Device device) noexcept override {
    next_.deallocate(data, device);
  }
  void copy(void* dst, xport::Device dst_device, void const* src, xport::Device src_device,
            std::size_t nbytes) override {
    next_.copy(dst, dst_device, src, src_device, nbytes);
  }

private:
  xport::device_allocator& next_;
};

// A while_loop's condition is data: a fuzzed one may never turn false (as in PyTorch),
// which is a hang of the program, not of xport. Such programs are loaded, not called.
inline bool has_while_loop(xport::graph::Graph const& g) {
  for (xport::graph::node const& n : g.nodes()) {
    if (n.target && n.target->schema().name.find("while_loop") != std::string_view::npos)
      return true;
    for (xport::graph::subgraph const& s : n.subgraphs)
      if (s.graph && has_while_loop(*s.graph)) return true;
  }
  return false;
}

// One call of `ep` on inputs inside its contract: sizes from `test::draw_inside`, dtypes
// from the user inputs' placeholders, values in [0, 4) (small indices, finite).
inline void call_inside(xport::ExportedProgram const& ep, std::uint64_t seed) {
  if (has_while_loop(ep.graph)) return;
  std::mt19937_64 rng(seed);
  xport::Generator gen{seed};
  std::optional<test::draw> const d = test::draw_inside(ep.contract, rng, 3);
  if (!d) return;
  std::vector<xport::graph::node const*> user;
  std::vector<std::size_t> const positions = ep.signature.user_inputs();
  std::size_t placeholder = 0;
  for (xport::graph::node const& n : ep.graph.nodes()) {
    if (n.op != xport::graph::node_op::placeholder) continue;
    if (std::find(positions.begin(), positions.end(), placeholder++) != positions.end())
      user.push_back(&n);
  }
  std::vector<xport::leaf> leaves;
  std::size_t k = 0;
  for (std::size_t i = 0; i < ep.input_paths.size(); ++i) {
    if (!xport::is_none(ep.input_constants.at(i))) {
      leaves.push_back(ep.input_constants[i]);
      continue;
    }
    if (k >= d->sizes.size() || k >= user.size()) return; // refused by the call's count check
    if (ep.contract.input_is_scalar(k)) {
      leaves.emplace_back(d->sizes[k].at(0));
    } else {
      if (user[k]->values.empty()) return;
      xport::ops::tensor_meta const& meta = user[k]->values[0];
      // xport's own overflow-checked count: a product past int64 is a shape_error.
      if (xport::detail::checked_numel(d->sizes[k]) > (std::int64_t{1} << 20)) return;
      leaves.emplace_back((xport::rand(d->sizes[k], gen) * 4.0).to(meta.dtype));
    }
    ++k;
  }
  (void)ep.module().run(leaves);
}

// Installs `bounded_allocator` for the CPU, once.
inline void bound_allocations() {
  static bounded_allocator bounded(xport::allocator_for(xport::Device{}));
  static bool const installed = xport::register_allocator(xport::device_kind::cpu, bounded);
  (void)installed;
}

// One input of a loader target: `wrap` turns an input that starts with '{' into an
// archive, `load` reads the archive; then a call inside the contract. Refusals are
// xport::errors; anything else escapes to libFuzzer as a finding.
template <class Wrap, class Load>
int load_and_call(std::uint8_t const* data, std::size_t size, Wrap&& wrap, Load&& load) {
  bound_allocations();
  try {
    std::vector<std::byte> const wrapped =
        size > 0 && data[0] == '{' ? wrap(data, size) : std::vector<std::byte>{};
    std::span<std::byte const> const bytes =
        wrapped.empty() ? std::span(reinterpret_cast<std::byte const*>(data), size)
                        : std::span<std::byte const>(wrapped);
    xport::ExportedProgram const ep = load(bytes);
    call_inside(ep, std::hash<std::string_view>{}(
                        std::string_view(reinterpret_cast<char const*>(data), size)));
  } catch (xport::error const&) {
    // refused with a message: what hostile input must get
  }
  return 0;
}

} // namespace fuzz
