//! @file
//! `runtime::plan`: a graph turned into steps once and run many times — the one engine
//! behind `ep.module()` and the sub-graphs of its higher-order ops.
//!
//! Building a plan first optimizes a copy of the graph (`passes::optimize`: no-ops,
//! attention written out as ops, repeated and unused calls), then resolves what does not
//! change between calls: each node's inputs as slots of one value table, its sub-graphs as
//! plans of their own. The first call with a new *size signature* (every input's dtype,
//! device and sizes, and the symbols bound so far) specializes the plan for it: symbolic
//! attributes are evaluated, meta rules run once, kernels are looked up, the outputs of
//! every kernel that writes into given memory are laid out in one arena by their
//! lifetimes, values that read no input are computed, and views of values fixed for the
//! signature are made. Later calls with that signature run the kernels and nothing else:
//! no meta rule, no attribute evaluation, no allocation for intermediate values or their
//! views. A few signatures are kept (`max_signatures`). Chains of elementwise steps, and a
//! product with the elementwise steps after it, run block by block of rows
//! (`plan_options::fuse`). `run` returns results in memory of their own; `run_planned`
//! leaves them in the arena, for callers that copy them out without allocating.
//!
//! What a specialization cannot know runs as eager execution does, on every call: steps
//! whose sizes depend on data (`nonzero`, `item`) and everything after them that reads
//! such a size, higher-order ops (their bodies are plans), kernels that make their own
//! outputs from call-dependent values (views of inputs; they still skip the meta rule),
//! and any step whose meta rule or kernel lookup fails, so that the error is raised when,
//! and as, eager execution raises it.
#pragma once

#include <xport/graph/graph.hpp>
#include <xport/kernels/eager.hpp>
#include <xport/passes/optimize.hpp>
#include <xport/runtime/packing.hpp>
#include <xport/sym/sym_node.hpp>

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace xport::runtime {

//! @brief The values of the symbols bound during one call: those read from the inputs'
//! sizes, then the data-dependent ones (`u0`) as the ops that define them run. A flat
//! list (programs have a few symbols), cleared but not freed between calls.
class bindings {
public:
  //! @brief One bound symbol.
  struct entry {
    sym::symbol symbol; //!< the symbol
    std::int64_t value; //!< its value in this call
  };

  //! @brief Forgets every value (keeps the memory).
  void clear() noexcept { entries_.clear(); }
  //! @brief Forgets the values bound after the first `count` (a sub-graph's own).
  void truncate(std::size_t count) noexcept {
    if (count < entries_.size()) entries_.resize(count);
  }
  //! @brief Binds `s` to `value` unless it is bound already (the first binding wins).
  void bind(sym::symbol s, std::int64_t value) {
    if (!find(s)) entries_.push_back({s, value});
  }
  //! @brief The value of `s`, if bound.
  std::optional<std::int64_t> find(sym::symbol s) const noexcept {
    for (entry const& e : entries_)
      if (e.symbol == s) return e.value;
    return std::nullopt;
  }
  //! @brief The value of `s`.
  //! @throws value_error when nothing bound it.
  std::int64_t value_of(sym::symbol s) const {
    if (std::optional<std::int64_t> const v = find(s)) return *v;
    throw value_error("the program uses the size " + sym::to_string(s)
                      + ", which no input or earlier op determines");
  }
  //! @brief `s` evaluated with the bound values.
  //! @throws value_error when it uses a symbol nothing bound.
  std::int64_t evaluate(SymInt const& s) const {
    return sym::evaluate(sym::expr_of(s), [this](sym::symbol x) { return value_of(x); });
  }
  //! @brief Every binding, in the order they were made.
  std::span<entry const> entries() const noexcept { return entries_; }

private:
  std::vector<entry> entries_;
};

//! @brief How a `plan` is compiled.
struct plan_options {
  //! @brief Run `passes::optimize` on (a copy of) the graph first: no-ops removed,
  //! attention written out as ops fused, repeated and unused calls removed
  //! (`plan::optimizations()` says which). Off, every node runs as the graph has it.
  bool optimize = true;
  //! @brief Compute once per signature, and keep, the values that depend on no
  //! placeholder (`arange`, `full` and what only they feed), unless the graph returns
  //! them.
  bool fold_constants = true;
  //! @brief Run a chain of elementwise steps, or a matrix product or convolution and the
  //! elementwise steps after it (bias, activation, residual add), as one pass over memory:
  //! block by block of rows (`fusion_block_elements` per block), every step of the chain
  //! on a block before the next block, so that what one step writes the next reads while
  //! it is in cache; values only the chain reads take one block of memory. Chains whose
  //! result is smaller than `fusion_min_elements` run step by step. `plan::str()` lists
  //! the chains.
  bool fuse = true;
  //! @brief Read the program's state as constants, as `torch.jit.freeze` and Inductor's
  //! freezing do: the placeholders the plan is told hold state (`plan`'s `state`;
  //! `ExportedModule` names the parameters, the tensor constants and the buffers the
  //! program does not mutate) count as values that read no input, so the steps that read
  //! only them run once per signature (`fold_constants`), and a matrix product whose
  //! right-hand matrix is one of them reads a copy of it laid out once for the product
  //! (runtime/packing.hpp; `plan::str()` says "packed"). Both are made when a signature
  //! is specialized: folded values once per signature, a packed copy once for every
  //! signature that reads the matrix. A state tensor replaced by another is seen on the
  //! next call (the signature's key holds each frozen tensor's address). After state is
  //! changed in place, results are unspecified until `plan::reset()`
  //! (`ExportedModule::reload_state()`): the steps that read frozen copies see the old
  //! values, the others the new ones (as after `torch.jit.freeze`). Off, the state is read
  //! on every call.
  bool freeze = false;
};

//! @brief About how many elements of a fused chain's result one block covers (a block is
//! whole rows of the result's first dimension): 64 KiB of float32 per value, so that a
//! block of each value of a chain stays in a core's L2 cache.
inline constexpr std::int64_t fusion_block_elements = 16384;

//! @brief The fewest elements a chain's result must have to run fused (4 MiB of float32).
//! Below, the values between the steps stay in the last-level cache anyway, and running
//! step by step measured as fast or faster (benchmarks/export.cpp, BM_fused_chain: fused
//! 1.09x the unfused time at 2 MiB per value, 0.73x at 16 MiB; see docs/ARCHITECTURE.md).
inline constexpr std::int64_t fusion_min_elements = std::int64_t{1} << 20;

//! @brief A graph compiled for repeated calls; see the file comment. One call at a time:
//! a plan keeps the values of the call in progress.
class plan {
public:
  //! @brief How many size signatures a plan keeps specialized (the least recently used
  //! one is dropped for a new one); each holds its own arena.
  static constexpr std::size_t max_signatures = 8;

  //! @brief Compiles `g` to return its outputs (the graph is copied: the plan does not
  //! refer to it afterwards).
  explicit plan(graph::Graph const& g, plan_options how = {}) : plan(g, g.outputs(), how) {}

  //! @brief Compiles `g` to return the values `results`. `state`: the indices of the
  //! placeholders that hold the program's state, which `plan_options::freeze` reads as
  //! constants (checked, but not used, without it).
  //! @throws value_error when a result names a node or output the graph does not have, or
  //! `state` a placeholder it does not have.
  plan(graph::Graph const& g, std::span<graph::value_ref const> results, plan_options how = {},
       std::span<std::size_t const> state = {})
      : options_(how) {
    auto const& nodes = g.nodes();
    for (graph::value_ref v : results) {
      if (v.node >= nodes.size() || v.index >= nodes[v.node].values.size()
          || nodes[v.node].op == graph::node_op::output)
        throw value_error("the program returns output " + std::to_string(v.index) + " of node "
                          + std::to_string(v.node) + ", which its graph does not have");
    }
    if (!how.optimize) {
      build(g, results);
    } else {
      graph::Graph optimized = g;
      optimized.set_outputs({results.begin(), results.end()});
      report_ = passes::optimize(optimized);
      build(optimized, optimized.outputs());
    }
    for (std::size_t k : state) {
      if (k >= placeholders_.size())
        throw value_error("the program's state is said to be in placeholder " + std::to_string(k)
                          + ", but its graph has " + std::to_string(placeholders_.size()));
      if (how.freeze) frozen_.push_back(k);
    }
  }

  //! @brief A plan of the same graph, with no signature specialized yet (each plan keeps
  //! its own call state, so copies run independently).
  plan(plan const& other)
      : options_(other.options_), report_(other.report_), steps_(other.steps_),
        placeholders_(other.placeholders_), frozen_(other.frozen_), outputs_(other.outputs_),
        values_(other.values_.size()), results_(other.results_.size()),
        direct_(other.direct_.size()) {
    directed_.reserve(outputs_.size());
  }
  //! @brief Takes over `other`'s graph and specializations.
  plan(plan&&) noexcept = default;
  //! @brief As the copy constructor.
  plan& operator=(plan const& other) {
    if (this != &other) *this = plan(other);
    return *this;
  }
  //! @brief As the move constructor.
  plan& operator=(plan&&) noexcept = default;
  //! @brief Frees the arenas.
  ~plan() = default;

  //! @brief What the passes changed in the graph before it was compiled (empty when
  //! compiled without `plan_options::optimize`).
  passes::report const& optimizations() const noexcept { return report_; }

  //! @brief The number of size signatures specialized so far and still kept.
  std::size_t signatures() const noexcept { return cache_.size(); }

  //! @brief Drops every specialized signature (arenas, folded values, packed operands):
  //! the next call specializes again, reading frozen state anew (`plan_options::freeze`).
  void reset() noexcept {
    for (Tensor& v : values_)
      v = Tensor();
    cache_.clear();
    packed_.clear();
    last_ = nullptr;
  }

  //! @brief Bytes of the product operands a frozen plan laid out once
  //! (`plan_options::freeze`): one copy of each matrix, shared by every signature that
  //! reads it (0 before a call, and without freezing).
  std::size_t packed_bytes() const noexcept {
    std::size_t bytes = 0;
    for (packed_matrix const& p : packed_)
      bytes += p.packed.storage().nbytes();
    return bytes;
  }

  //! @brief How many steps the most recently used signature computed once, as constants
  //! (`plan_options::fold_constants`; 0 before a call).
  std::size_t folded() const noexcept {
    if (!last_) return 0;
    return static_cast<std::size_t>(std::ranges::count_if(
        last_->steps, [](specialized_step const& s) { return s.how == mode::constant; }));
  }

  //! @brief How the most recently used signature runs each step, one line per step
  //! (`relu_1: aten::relu (into)`; `into` writes into planned memory, `compute` makes its
  //! outputs (views of call-dependent values), `eager` runs as eager execution,
  //! `constant` was computed once, `view` is a view made once of values fixed for the
  //! signature; `into, packed` reads a frozen operand laid out once, see
  //! `plan_options::freeze`); empty before the first call.
  std::string str() const {
    if (!last_) return {};
    static constexpr char const* modes[] = {"into", "compute", "eager", "constant", "view"};
    std::string out;
    for (std::size_t i = 0; i < steps_.size(); ++i)
      out += steps_[i].name + ": " + std::string(steps_[i].target.schema().name) + " ("
             + modes[static_cast<std::size_t>(last_->steps[i].how)]
             + (last_->steps[i].packed.defined() ? ", packed" : "") + ")\n";
    for (std::vector<std::string> const& chain : fusions()) {
      out += "fused:";
      for (std::string const& name : chain)
        out += " " + name;
      out += "\n";
    }
    return out;
  }

  //! @brief The chains the most recently used signature runs fused
  //! (`plan_options::fuse`), each as the names of its steps in order.
  std::vector<std::vector<std::string>> fusions() const {
    std::vector<std::vector<std::string>> out;
    if (!last_) return out;
    for (fused_chain const& f : last_->chains) {
      out.emplace_back();
      for (std::size_t i = f.first; i <= f.last; ++i)
        out.back().push_back(steps_[i].name);
    }
    return out;
  }

  //! @brief Bytes of the arena of the most recently used signature (0 before a call).
  std::size_t arena_bytes() const noexcept { return last_ ? last_->arena.nbytes() : 0; }

  //! @brief Runs the graph: `placeholders` fill its placeholders in order (an undefined
  //! tensor for an integer input, whose symbol is in `bound`); `bound` gains the
  //! data-dependent symbols the call defines. Returns the results, in memory of their own
  //! (never the plan's arena).
  //! @throws value_error when the count of placeholders differs from the graph's, and the
  //! errors of the ops, as eager execution raises them.
  ops::tensor_list run(std::span<Tensor const> placeholders, bindings& bound) {
    execute(placeholders, bound, false);
    ops::tensor_list out;
    for (std::uint32_t slot : outputs_)
      out.push_back(values_[slot]);
    forget_values();
    return out;
  }

  //! @brief As `run`, but the results stay in the memory the plan laid out for them: the
  //! tensors returned are valid until the next call of this plan, which overwrites them.
  //! Nothing is allocated for them, so a caller that copies them where it wants them
  //! calls the program without touching the heap (each size signature keeps one arena
  //! for `run` and one for `run_planned`).
  //!
  //! `into`: where result k is wanted, a tensor for it (or null; empty for none). The step
  //! that makes the result writes into that tensor instead of the arena, and result k is
  //! that tensor (nothing left to copy), when the step writes into planned memory, no view
  //! is kept of its result for the signature, and the tensor is contiguous, of the
  //! result's dtype, device and sizes, and shares no memory with the placeholders, the
  //! arena or the other tensors of `into`. Otherwise result k is in the arena, as without
  //! `into`; compare with `Tensor::is_same` to tell. Later steps may read the result
  //! from that tensor while the call runs.
  //! @throws as `run`; after an error the tensors of `into` may hold values of the call.
  std::span<Tensor const> run_planned(std::span<Tensor const> placeholders, bindings& bound,
                                      std::span<Tensor const* const> into = {}) {
    execute(placeholders, bound, true, into);
    results_.resize(outputs_.size());
    for (std::size_t k = 0; k < outputs_.size(); ++k)
      keep(results_[k], values_[outputs_[k]]);
    forget_values();
    return results_;
  }

private:
  static constexpr std::uint32_t absent = std::numeric_limits<std::uint32_t>::max();

  // Runs every step; the values are left in `values_`. `planned`: the results stay in the
  // arena (`run_planned`), or go `into` the tensors given for them.
  void execute(std::span<Tensor const> placeholders, bindings& bound, bool planned,
               std::span<Tensor const* const> into = {}) {
    if (placeholders.size() != placeholders_.size())
      throw value_error("a sub-graph has " + std::to_string(placeholders_.size())
                        + " placeholders, but its node passed "
                        + std::to_string(placeholders.size()) + " operands");
    if (into.size() > outputs_.size())
      throw value_error("run_planned: " + std::to_string(into.size())
                        + " tensors were given for results, but the graph returns "
                        + std::to_string(outputs_.size()));
    for (std::size_t k = 0; k < placeholders.size(); ++k)
      values_[placeholders_[k]] = placeholders[k];
    specialization& spec = specialized(placeholders, bound, planned);
    direct_results(spec, placeholders, into);
    try {
      auto chain = spec.chains.begin();
      for (std::size_t i = 0; i < steps_.size(); ++i) {
        if (chain != spec.chains.end() && chain->first == i) {
          run_chain(spec, *chain);
          i = chain->last;
          ++chain;
          continue;
        }
        run_step(steps_[i], spec.steps[i], bound);
      }
    } catch (...) {
      forget_values(); // a failed call keeps no reference to its inputs either
      throw;
    }
  }

  // Drops this call's references to the values the signature does not fix (inputs,
  // fresh memory); the others stay, so that the next call of the signature finds them in
  // place and copies no tensor handle (with a second thread in the process, each copy
  // of a handle is two atomic operations, a large part of a small model's time).
  // A value written into a caller's tensor (`run_planned`'s `into`) is dropped too.
  void forget_values() noexcept {
    if (!last_) return;
    std::vector<bool> const& kept = last_->kept;
    auto const fixed = [&](std::uint32_t v) { return kept[v] && !direct_[v]; };
    for (std::uint32_t v = 0; v < values_.size(); ++v)
      if (!fixed(v)) values_[v] = Tensor();
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      std::span<std::uint32_t const> const slots = steps_[i].args;
      specialized_step& sp = last_->steps[i];
      for (std::size_t a = 0; a < sp.args.size(); ++a) // a packed operand is fixed too
        if (a != sp.packed_arg && (slots[a] == absent || !fixed(slots[a]))) sp.args[a] = Tensor();
    }
    for (std::uint32_t v : directed_)
      direct_[v] = nullptr;
    directed_.clear();
  }

  // `value` in `target` unless it is there already (the same tensor: nothing to copy).
  static void keep(Tensor& target, Tensor const& value) {
    if (!target.is_same(value)) target = value;
  }

  // Compiles the nodes of `g` into steps returning `results` (checked by the caller).
  void build(graph::Graph const& g, std::span<graph::value_ref const> results) {
    auto const& nodes = g.nodes();
    std::vector<std::uint32_t> first(nodes.size(), 0);
    std::uint32_t slots = 0;
    for (std::uint32_t i = 0; i < nodes.size(); ++i) {
      graph::node const& n = nodes[i];
      first[i] = slots;
      if (n.op == graph::node_op::placeholder) {
        placeholders_.push_back(slots);
        slots += 1; // an int input has no tensor, but keeps its slot (undefined)
      } else if (n.op == graph::node_op::call_function) {
        step s{.name = n.name,
               .target = *n.target,
               .args = {},
               .first = slots,
               .metas = n.values,
               .scalar = n.scalar,
               .symbolic = n.target->symbolic(),
               .subplans = {}};
        for (graph::argument const& a : n.args) {
          if (a && (a->node >= i || a->index >= nodes[a->node].values.size()))
            throw value_error("node '" + n.name + "' reads output " + std::to_string(a->index)
                              + " of node " + std::to_string(a->node)
                              + ", which no earlier node has");
          s.args.push_back(a ? first[a->node] + a->index : absent);
        }
        for (graph::subgraph const& sub : n.subgraphs)
          s.subplans.emplace_back(*sub.graph, options_);
        slots += static_cast<std::uint32_t>(n.values.size());
        steps_.push_back(std::move(s));
      }
    }
    for (graph::value_ref v : results)
      outputs_.push_back(first[v.node] + v.index);
    values_.resize(slots);
    direct_.resize(slots);
    directed_.reserve(outputs_.size());
  }

  // A sub-graph's plan, copied deeply.
  struct subplan {
    std::unique_ptr<plan> body;
    subplan(graph::Graph const& g, plan_options how) : body(std::make_unique<plan>(g, how)) {}
    subplan(subplan const& other) : body(std::make_unique<plan>(*other.body)) {}
    subplan(subplan&&) noexcept = default;
    subplan& operator=(subplan const& other) {
      body = std::make_unique<plan>(*other.body);
      return *this;
    }
    subplan& operator=(subplan&&) noexcept = default;
    ~subplan() = default;
  };

  struct step {
    std::string name;                // the node's, for messages
    ops::boxed_attributes target;    // the op and its (maybe symbolic) attributes
    std::vector<std::uint32_t> args; // value slots; `absent` for no tensor
    std::uint32_t first = 0;         // the slot of output 0
    ops::meta_list metas;            // the outputs as recorded
    std::optional<SymInt> scalar;    // item_int: the symbol its value defines
    bool symbolic = false;           // attributes hold symbols
    std::vector<subplan> subplans;   // a higher-order op's bodies
  };

  // How a step runs in one specialization.
  enum class mode : std::uint8_t {
    into,     // the kernel writes into `outputs` (arena views), or fresh memory where undefined
    compute,  // the kernel makes its outputs, from the specialized attributes and metas
    eager,    // as eager execution: meta rule, kernel lookup, symbols bound from data
    constant, // `outputs` were computed when specializing: the step reads no placeholder
    view,     // `outputs` are views, made when specializing, of values fixed for the signature
  };

  struct specialized_step {
    mode how = mode::eager;
    std::optional<ops::boxed_attributes> attributes;   // concrete (into, compute)
    ops::device_kernel kernel;                         // into, compute
    ops::meta_list metas;                              // concrete outputs (into, compute)
    boost::container::small_vector<Tensor, 2> outputs; // into: arena views, or undefined;
                                                       // constant: the values
    std::uint32_t packed_arg = absent; // into: the argument read as `packed` instead
    Tensor packed;                     // ... a frozen operand laid out once (packing.hpp)
    std::uint32_t split = 0;    // in a fused chain: bit a set when argument a is read by rows
    std::uint32_t tiled = 0;    // ... and when argument a is a tile (below)
    std::size_t chain = 0;      // the first step of its chain, when `tile_rows`
    std::int64_t tile_rows = 0; // a chain's value read only in the chain: its memory holds
                                // one block (this many rows), reused block after block
    // The arguments of the latest call (see `arguments`): those the signature fixes stay
    // from call to call, the others are dropped when the call ends.
    boost::container::small_vector<Tensor, 4> args;
  };

  // Steps first..last run block by block of `rows` rows (`plan_options::fuse`).
  struct fused_chain {
    std::size_t first = 0, last = 0;
    std::int64_t rows = 1;
  };

  struct specialization {
    std::vector<std::int64_t> key;
    std::vector<specialized_step> steps;
    std::vector<fused_chain> chains; // in step order
    Storage arena;
    std::vector<bool> kept;            // by slot: the value is the same tensor on every call
    std::vector<Tensor> state;         // the frozen placeholders' values the key names by address
    std::vector<std::uint32_t> direct; // by result: the step that may write it into a
                                       // caller's tensor (`run_planned`), or `absent`
    std::uint64_t used = 0;            // the call count when last used
  };

  // The key of a call: whether its results stay planned, each placeholder's dtype,
  // device and sizes, the bound symbols, then the address and strides of each frozen
  // placeholder (a state tensor replaced by another specializes again).
  void make_key(std::span<Tensor const> placeholders, bindings const& bound, bool planned) {
    key_.clear();
    key_.push_back(planned ? 1 : 0);
    for (Tensor const& t : placeholders) {
      if (!t.defined()) {
        key_.push_back(-1);
        continue;
      }
      key_.push_back(static_cast<std::int64_t>(t.dtype()));
      key_.push_back(static_cast<std::int64_t>(t.device().kind()));
      key_.push_back(t.device().index());
      key_.push_back(t.dim());
      key_.insert(key_.end(), t.sizes().begin(), t.sizes().end());
    }
    for (bindings::entry const& e : bound.entries()) {
      key_.push_back(static_cast<std::int64_t>(e.symbol.kind));
      key_.push_back(e.symbol.index);
      key_.push_back(e.value);
    }
    for (std::size_t k : frozen_) {
      Tensor const& t = placeholders[k];
      key_.push_back(static_cast<std::int64_t>(reinterpret_cast<std::intptr_t>(t.data())));
      key_.insert(key_.end(), t.strides().begin(), t.strides().end());
    }
  }

  specialization& specialized(std::span<Tensor const> placeholders, bindings const& bound,
                              bool planned) {
    make_key(placeholders, bound, planned);
    ++calls_;
    if (last_ && last_->key == key_) {
      last_->used = calls_;
      return *last_;
    }
    for (auto& s : cache_) {
      if (s->key == key_) {
        s->used = calls_;
        last_ = s.get();
        return *s;
      }
    }
    auto made = std::make_unique<specialization>(specialize(bound, planned));
    made->key = key_;
    made->used = calls_;
    if (cache_.size() == max_signatures) {
      auto oldest =
          std::min_element(cache_.begin(), cache_.end(),
                           [](auto const& a, auto const& b) { return a->used < b->used; });
      *oldest = std::move(made);
      last_ = oldest->get();
      prune_packed();
    } else {
      cache_.push_back(std::move(made));
      last_ = cache_.back().get();
    }
    return *last_;
  }

  // Decides how every step runs for the placeholders now in `values_` and the symbols in
  // `bound`, and lays out the arena (the results too when `planned`).
  specialization specialize(bindings const& bound, bool planned) {
    specialization spec;
    spec.steps.resize(steps_.size());
    // The concrete meta of every slot, where this signature determines it.
    std::vector<std::optional<ops::tensor_meta>> metas(values_.size());
    for (std::uint32_t slot : placeholders_)
      if (values_[slot].defined()) metas[slot] = ops::tensor_meta::of(values_[slot]);
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      specialize_step(steps_[i], spec.steps[i], metas, bound);
      if (spec.steps[i].how == mode::eager) continue;
      for (std::size_t o = 0; o < spec.steps[i].metas.size(); ++o)
        metas[steps_[i].first + o] = spec.steps[i].metas[o];
    }
    lifetimes life = lifetimes_of(spec);
    // By slot: the values fixed for the signature that read no input.
    std::vector<Tensor> constants(values_.size());
    for (std::size_t k : frozen_) {
      spec.state.push_back(values_[placeholders_[k]]);
      constants[placeholders_[k]] = spec.state.back();
    }
    if (options_.fold_constants) fold_constants(spec, life, constants);
    if (!frozen_.empty()) pack_operands(spec, constants);
    if (options_.fuse) fuse(spec, life, metas);
    lay_out(spec, life, planned);
    cache_views(spec);
    find_direct(spec);
    spec.kept.assign(values_.size(), false);
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      specialized_step const& sp = spec.steps[i];
      if (sp.how == mode::compute || sp.how == mode::eager) continue;
      for (std::size_t o = 0; o < sp.outputs.size(); ++o)
        spec.kept[steps_[i].first + o] = sp.outputs[o].defined();
    }
    return spec;
  }

  void specialize_step(step const& s, specialized_step& out,
                       std::vector<std::optional<ops::tensor_meta>> const& metas,
                       bindings const& bound) const {
    ops::op_schema const& schema = s.target.schema();
    if (s.scalar || !s.subplans.empty() || has_tag(schema.tags, ops::op_tag::data_dependent))
      return;
    boost::container::small_vector<ops::tensor_meta, 4> in;
    for (std::uint32_t a : s.args) {
      if (a == absent) {
        in.push_back({.sizes = {}, .defined = false});
      } else if (metas[a]) {
        in.push_back(*metas[a]);
      } else {
        return; // its size is known only when the call runs
      }
    }
    bool unbound = false;
    ops::boxed_attributes attributes = s.target;
    if (s.symbolic) {
      attributes = s.target.concretize([&](SymInt const& size) {
        return sym::evaluate(sym::expr_of(size), [&](sym::symbol x) {
          std::optional<std::int64_t> const v = bound.find(x);
          unbound = unbound || !v;
          return v.value_or(0);
        });
      });
      if (unbound) return;
    }
    // A meta rule or kernel lookup that fails leaves the step to eager execution, which
    // raises the same error when the call reaches it.
    try {
      ops::eager_meta_context context;
      std::span<ops::tensor_meta const> const inputs(in.data(), in.size());
      ops::meta_list outputs = attributes.meta(inputs, context);
      if (outputs.size() != s.metas.size()) return;
      out.kernel =
          kernels::detail::find_kernel(schema, kernels::detail::call_device(inputs, outputs));
      out.metas = std::move(outputs);
    } catch (error const&) {
      return;
    }
    out.attributes = std::move(attributes);
    out.how = out.kernel.into ? mode::into : mode::compute;
  }

  // By slot: the last step that reads the value, and whether the call returns it (or a
  // view of it). A value read by a step that makes its own outputs (a view) lives as
  // long as those outputs, and escapes with them.
  struct lifetimes {
    std::vector<std::size_t> last;
    std::vector<bool> escapes;
  };

  lifetimes lifetimes_of(specialization const& spec) const {
    lifetimes life{std::vector<std::size_t>(values_.size(), 0),
                   std::vector<bool>(values_.size(), false)};
    for (std::uint32_t slot : outputs_)
      life.escapes[slot] = true;
    for (std::size_t i = steps_.size(); i-- > 0;) {
      step const& s = steps_[i];
      bool const aliases = spec.steps[i].how != mode::into;
      for (std::uint32_t a : s.args) {
        if (a == absent) continue;
        life.last[a] = std::max(life.last[a], i);
        if (!aliases) continue;
        for (std::uint32_t o = s.first; o < s.first + s.metas.size(); ++o) {
          life.last[a] = std::max(life.last[a], life.last[o]);
          life.escapes[a] = life.escapes[a] || life.escapes[o];
        }
      }
    }
    return life;
  }

  // Runs, once, every step that reads only `constants` (frozen state at first) and
  // values so computed, makes no random numbers, and whose values the call does not
  // return; later calls reuse the values, which join `constants`. A step whose kernel
  // fails is left to run (and fail) in its turn.
  void fold_constants(specialization& spec, lifetimes const& life,
                      std::vector<Tensor>& constants) const {
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      step const& s = steps_[i];
      specialized_step& sp = spec.steps[i];
      ops::op_tag const tags = s.target.schema().tags;
      if ((sp.how != mode::into && sp.how != mode::compute) || has_tag(tags, ops::op_tag::random)
          || has_tag(tags, ops::op_tag::in_place))
        continue;
      boost::container::small_vector<Tensor, 8> args;
      bool foldable = true;
      for (std::uint32_t a : s.args) {
        foldable = foldable && (a == absent || constants[a].defined());
        args.push_back(a == absent ? Tensor() : constants[a]);
      }
      for (std::uint32_t o = s.first; o < s.first + s.metas.size(); ++o)
        foldable = foldable && !life.escapes[o];
      if (!foldable) continue;
      std::span<Tensor const> const inputs(args.data(), args.size());
      ops::tensor_list made;
      try {
        if (sp.how == mode::into) {
          for (ops::tensor_meta const& m : sp.metas)
            made.push_back(empty(m.concrete_sizes(), {.dtype = m.dtype, .device = m.device}));
          sp.kernel.into(sp.attributes->get(), inputs, std::span<Tensor>(made.data(), made.size()));
        } else {
          made = sp.kernel.call(sp.attributes->get(), inputs, sp.metas);
        }
      } catch (error const&) {
        continue;
      }
      if (made.size() != s.metas.size()) continue;
      sp.how = mode::constant;
      sp.outputs.assign(made.begin(), made.end());
      std::copy(made.begin(), made.end(), constants.begin() + s.first);
    }
  }

  // Gives each matrix product whose right-hand matrix is one of `constants` a copy of it
  // laid out row by row, when it is not already (`plan_options::freeze`). Products whose
  // result has one row in all are left alone: they run as a matrix-vector product, which
  // reads either layout at memory speed.
  void pack_operands(specialization& spec, std::vector<Tensor> const& constants) {
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      step const& s = steps_[i];
      specialized_step& sp = spec.steps[i];
      std::optional<product_operand> const rhs = right_operand(s.target.schema().name);
      if (sp.how != mode::into || !rhs || rhs->arg >= s.args.size() || s.args[rhs->arg] == absent
          || sp.metas.size() != 1 || sp.metas[0].sizes.empty())
        continue;
      dim_vector const out = sp.metas[0].concrete_sizes();
      if (out.back() == 0 || detail::checked_numel(out) / out.back() < 2) continue;
      Tensor packed = packed_operand(constants[s.args[rhs->arg]], *rhs);
      if (!packed.defined()) continue;
      sp.packed_arg = static_cast<std::uint32_t>(rhs->arg);
      sp.packed = std::move(packed);
    }
  }

  // `operand` laid out for a product (`row_major_operand`), once for every signature that
  // reads it: frozen state does not change until `reset`, so a matrix is known by where it
  // lies and how (an address, dtype, sizes and strides), as the signature keys know it.
  // The entry holds the operand, so no other tensor takes its address meanwhile.
  Tensor packed_operand(Tensor const& operand, product_operand where) {
    if (!operand.defined()) return {}; // not frozen: read as it comes
    auto const same = [&](packed_matrix const& p) {
      return p.source.data() == operand.data() && p.source.device() == operand.device()
             && p.source.dtype() == operand.dtype() && p.transposed == where.transposed
             && p.source.sizes() == operand.sizes() && p.source.strides() == operand.strides();
    };
    if (auto const found = std::ranges::find_if(packed_, same); found != packed_.end())
      return found->packed;
    Tensor packed = row_major_operand(operand, where);
    if (packed.defined()) packed_.push_back({operand, where.transposed, packed});
    return packed;
  }

  // Drops the packed copies that no kept signature reads (one was evicted: state that was
  // replaced, or sizes not seen for a while), so that they do not pile up.
  void prune_packed() {
    std::erase_if(packed_, [&](packed_matrix const& p) {
      return std::ranges::none_of(cache_, [&](auto const& spec) {
        return std::ranges::any_of(
            spec->steps, [&](specialized_step const& sp) { return sp.packed.is_same(p.packed); });
      });
    });
  }

  // Argument `a` of step `s` in this call: its value, or the operand packed for it.
  Tensor const& argument(step const& s, specialized_step const& sp, std::size_t a) const {
    return a == sp.packed_arg ? sp.packed : values_[s.args[a]];
  }

  // Whether two lists of concrete sizes are equal.
  static bool same_sizes(ops::sym_sizes const& a, ops::sym_sizes const& b) {
    return std::ranges::equal(a, b, [](SymInt const& x, SymInt const& y) {
      return x.maybe_int() && x.maybe_int() == y.maybe_int();
    });
  }

  // Which arguments of step `i` a fused chain whose result has `sizes` reads by rows (bit
  // a for argument a), or nothing when the step cannot be in such a chain; `first`: the
  // step would start the chain, so a matrix product or convolution may be it.
  std::optional<std::uint32_t> split_of(std::size_t i, specialization const& spec,
                                        std::vector<std::optional<ops::tensor_meta>> const& metas,
                                        ops::sym_sizes const& sizes, bool first) const {
    step const& s = steps_[i];
    specialized_step const& sp = spec.steps[i];
    if (sp.how != mode::into || sp.metas.size() != 1 || !same_sizes(sp.metas[0].sizes, sizes))
      return {};
    auto const rows_of = [&](std::size_t a) -> std::optional<std::int64_t> {
      if (a >= s.args.size() || s.args[a] == absent) return {};
      ops::tensor_meta const& m = *metas[s.args[a]];
      if (m.sizes.size() != sizes.size()) return {};
      return m.sizes[0].maybe_int();
    };
    std::int64_t const rows = *sizes[0].maybe_int();
    ops::op_schema const& schema = s.target.schema();
    ops::op_tag const tags = schema.tags;
    if (has_tag(tags, ops::op_tag::pointwise) && !has_tag(tags, ops::op_tag::random)
        && !has_tag(tags, ops::op_tag::in_place)) {
      // Elementwise with broadcasting: an argument with the result's rank and its rows is
      // read by rows; one with fewer dimensions or one row is read whole by every block.
      std::uint32_t split = 0;
      if (s.args.size() > 32) return {}; // one bit per argument
      for (std::size_t a = 0; a < s.args.size(); ++a) {
        if (s.args[a] == absent) continue;
        std::optional<std::int64_t> const r = rows_of(a);
        if (r == rows) {
          split |= 1U << a;
        } else if (r && *r != 1) {
          return {};
        }
      }
      return split;
    }
    if (!first) return {};
    // A product or convolution whose result's rows come from the rows of one argument
    // (two for bmm; addmm's bias too when it has the rows).
    std::string_view const name = schema.name;
    auto const rank = [&](std::size_t a) {
      return a < s.args.size() && s.args[a] != absent ? metas[s.args[a]]->sizes.size() : 0;
    };
    if ((name == "aten::linear" || name == "aten::mm") && sizes.size() >= 2 && rows_of(0) == rows)
      return 1U;
    if (name == "aten::addmm" && rows_of(1) == rows) return rows_of(0) == rows ? 3U : 2U;
    if (name == "aten::bmm" && rows_of(0) == rows && rows_of(1) == rows) return 3U;
    if ((name == "aten::conv1d" || name == "aten::conv2d" || name == "aten::convolution")
        && rank(0) == rank(1) && rows_of(0) == rows)
      return 1U;
    return {};
  }

  // Finds the chains to run fused (see `plan_options::fuse`): runs of consecutive steps,
  // each writing one value of the same sizes, the first elementwise or a product, the
  // others elementwise; kept when the result is more than one block. The lifetimes of
  // every value a chain reads or writes are extended to the chain's end, so that no two
  // of them share arena bytes (the chain interleaves its steps).
  void fuse(specialization& spec, lifetimes& life,
            std::vector<std::optional<ops::tensor_meta>> const& metas) const {
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      specialized_step& head = spec.steps[i];
      if (head.how != mode::into || head.metas.size() != 1) continue;
      ops::sym_sizes const& sizes = head.metas[0].sizes;
      if (sizes.empty() || !sizes[0].maybe_int()) continue;
      std::optional<std::uint32_t> split = split_of(i, spec, metas, sizes, true);
      if (!split) continue;
      head.split = *split;
      std::size_t last = i;
      while (last + 1 < steps_.size()) {
        split = split_of(last + 1, spec, metas, sizes, false);
        if (!split) break;
        spec.steps[++last].split = *split;
      }
      std::int64_t const rows = *sizes[0].maybe_int();
      std::int64_t const row =
          rows == 0 ? 1
                    : std::max<std::int64_t>(
                        1, detail::checked_numel(head.metas[0].concrete_sizes()) / rows);
      std::int64_t const per_block = std::max<std::int64_t>(1, fusion_block_elements / row);
      if (last == i || rows <= per_block || rows * row < fusion_min_elements) {
        for (std::size_t k = i; k <= last; ++k)
          spec.steps[k].split = 0;
        i = last;
        continue;
      }
      spec.chains.push_back({i, last, per_block});
      // A value the chain makes and only the chain reads is a tile: one block of memory,
      // alive over the whole chain. Every other value it reads or writes lives to the
      // chain's end, so no two values the chain touches share bytes.
      for (std::size_t k = i; k <= last; ++k) {
        step const& s = steps_[k];
        specialized_step& sp = spec.steps[k];
        for (std::size_t a = 0; a < s.args.size(); ++a) {
          std::uint32_t const v = s.args[a];
          if (v == absent) continue;
          if (v >= steps_[i].first && v < s.first && spec.steps[producer_of(v)].tile_rows != 0) {
            sp.tiled |= 1U << a;
          } else {
            life.last[v] = std::max(life.last[v], last);
          }
        }
        if (k < last && !life.escapes[s.first] && life.last[s.first] <= last) {
          sp.tile_rows = per_block; // lives from the chain's first step (see lay_out)
          sp.chain = i;
        }
        life.last[s.first] = std::max(life.last[s.first], last);
      }
      i = last;
    }
  }

  // The step whose output is slot `v` (a value made by a step).
  std::size_t producer_of(std::uint32_t v) const {
    auto const after = std::upper_bound(steps_.begin(), steps_.end(), v,
                                        [](std::uint32_t x, step const& s) { return x < s.first; });
    return static_cast<std::size_t>(after - steps_.begin()) - 1;
  }

  // Gives every output of an `into` step a place in the arena, unless the call returns
  // it and the results are not `planned`: those get memory of their own on every call.
  // Values whose lifetimes overlap never share bytes; a planned result lives to the end.
  void lay_out(specialization& spec, lifetimes const& life, bool planned) const {
    auto const& [last, escapes] = life;
    struct buffer {
      std::size_t step, output, bytes, begin, end, offset;
    };
    std::vector<buffer> buffers;
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      specialized_step& sp = spec.steps[i];
      if (sp.how != mode::into) continue;
      sp.outputs.resize(sp.metas.size());
      for (std::size_t o = 0; o < sp.metas.size(); ++o) {
        std::uint32_t const slot = steps_[i].first + static_cast<std::uint32_t>(o);
        ops::tensor_meta const& m = sp.metas[o];
        if ((escapes[slot] && !planned) || !m.device.is_cpu()) continue;
        std::size_t const bytes = static_cast<std::size_t>(detail::checked_numel(tile_sizes(sp, o)))
                                  * element_size(m.dtype);
        std::size_t const begin = sp.tile_rows != 0 ? sp.chain : i;
        std::size_t const end = escapes[slot] ? steps_.size() : std::max(last[slot], i);
        buffers.push_back({i, o, round_up(bytes), begin, end, 0});
      }
    }
    // Largest first, each at the lowest offset clear of the placed buffers it overlaps in
    // time (the greedy-by-size heuristic of TFLite's and PyTorch's planners).
    std::vector<buffer*> order;
    for (buffer& b : buffers)
      order.push_back(&b);
    std::stable_sort(order.begin(), order.end(),
                     [](buffer const* a, buffer const* b) { return a->bytes > b->bytes; });
    std::vector<buffer const*> placed;
    std::size_t total = 0;
    for (buffer* b : order) {
      std::vector<std::pair<std::size_t, std::size_t>> taken; // [offset, end) in bytes
      for (buffer const* p : placed)
        if (p->begin <= b->end && b->begin <= p->end)
          taken.emplace_back(p->offset, p->offset + p->bytes);
      std::sort(taken.begin(), taken.end());
      std::size_t offset = 0;
      for (auto const& [from, to] : taken) {
        if (offset + b->bytes <= from) break;
        offset = std::max(offset, to);
      }
      b->offset = offset;
      total = std::max(total, offset + b->bytes);
      placed.push_back(b);
    }
    if (total == 0) return;
    spec.arena = Storage(total, Device{});
    for (buffer const& b : buffers) {
      ops::tensor_meta const& m = spec.steps[b.step].metas[b.output];
      dim_vector const sizes = tile_sizes(spec.steps[b.step], b.output);
      dim_vector const strides = detail::contiguous_strides(sizes);
      spec.steps[b.step].outputs[b.output] =
          Tensor(spec.arena, m.dtype, sizes, strides,
                 static_cast<std::int64_t>(b.offset / element_size(m.dtype)));
    }
  }

  // Makes, once, the outputs of each view step whose inputs are the same tensors on every
  // call of the signature (arena values, constants, views so made): a view reads no
  // data, so it is the same view every time. Kept only when every output shares an
  // input's storage (a `reshape` that had to copy is left to run on each call).
  void cache_views(specialization& spec) const {
    std::vector<Tensor> fixed(values_.size());
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      step const& s = steps_[i];
      specialized_step& sp = spec.steps[i];
      if (sp.how == mode::into || sp.how == mode::constant) {
        for (std::size_t o = 0; o < sp.outputs.size(); ++o)
          fixed[s.first + o] = sp.outputs[o]; // undefined where memory is fresh per call
        continue;
      }
      if (sp.how != mode::compute || !has_tag(s.target.schema().tags, ops::op_tag::view)) continue;
      boost::container::small_vector<Tensor, 8> args;
      bool ready = !s.args.empty();
      for (std::uint32_t a : s.args) {
        ready = ready && (a == absent || fixed[a].defined());
        args.push_back(a == absent ? Tensor() : fixed[a]);
      }
      if (!ready || !args[0].defined()) continue;
      ops::tensor_list made;
      try {
        made = sp.kernel.call(sp.attributes->get(), {args.data(), args.size()}, sp.metas);
      } catch (error const&) {
        continue;
      }
      bool const aliases =
          made.size() == s.metas.size() && std::ranges::all_of(made, [&](Tensor const& t) {
            return t.defined() && t.storage().is_alias_of(args[0].storage());
          });
      if (!aliases) continue;
      sp.how = mode::view;
      sp.outputs.assign(made.begin(), made.end());
      std::copy(made.begin(), made.end(), fixed.begin() + s.first);
    }
  }

  // The results whose step may write them into a caller's tensor instead of the arena
  // (`run_planned`'s `into`): each made once in the arena by an `into` step, returned
  // once, and not read by a view kept for the signature (which would read the arena).
  void find_direct(specialization& spec) const {
    std::vector<bool> viewed(values_.size(), false);
    for (std::size_t i = 0; i < steps_.size(); ++i)
      if (spec.steps[i].how == mode::view)
        for (std::uint32_t a : steps_[i].args)
          if (a != absent) viewed[a] = true;
    spec.direct.assign(outputs_.size(), absent);
    for (std::size_t k = 0; k < outputs_.size(); ++k) {
      std::uint32_t const slot = outputs_[k];
      if (steps_.empty() || slot < steps_.front().first || viewed[slot]
          || std::ranges::count(outputs_, slot) != 1)
        continue;
      std::size_t const i = producer_of(slot);
      specialized_step const& sp = spec.steps[i];
      std::size_t const o = slot - steps_[i].first;
      if (sp.how == mode::into && o < sp.outputs.size() && sp.outputs[o].defined()
          && sp.tile_rows == 0)
        spec.direct[k] = static_cast<std::uint32_t>(i);
    }
  }

  // Points `direct_` at the tensors of `into` that the results of this call can be
  // written into (see `run_planned`).
  void direct_results(specialization const& spec, std::span<Tensor const> placeholders,
                      std::span<Tensor const* const> into) {
    auto const shares_memory = [&](Tensor const& t) {
      if (t.storage().is_alias_of(spec.arena)) return true;
      for (Tensor const& p : placeholders)
        if (p.defined() && t.storage().is_alias_of(p.storage())) return true;
      for (std::uint32_t v : directed_)
        if (t.storage().is_alias_of(direct_[v]->storage())) return true;
      return false;
    };
    for (std::size_t k = 0; k < into.size(); ++k) {
      Tensor const* target = into[k];
      if (!target || !target->defined() || spec.direct[k] == absent) continue;
      std::uint32_t const slot = outputs_[k];
      ops::tensor_meta const& m =
          spec.steps[spec.direct[k]].metas[slot - steps_[spec.direct[k]].first];
      if (target->dtype() != m.dtype || target->device() != m.device || !target->is_contiguous()
          || !std::ranges::equal(target->sizes(), m.concrete_sizes()) || shares_memory(*target))
        continue;
      direct_[slot] = target;
      directed_.push_back(slot);
    }
  }

  // The sizes of output `o`'s memory: its sizes, with one block of rows for a tile.
  static dim_vector tile_sizes(specialized_step const& sp, std::size_t o) {
    dim_vector sizes = sp.metas[o].concrete_sizes();
    if (sp.tile_rows != 0) sizes[0] = sp.tile_rows;
    return sizes;
  }

  static std::size_t round_up(std::size_t bytes) noexcept {
    constexpr std::size_t alignment = 64; // a cache line; also every vector width
    return (bytes + alignment - 1) / alignment * alignment;
  }

  // Output `o` of `into` step `s` in its slot: the caller's tensor for it (`direct_`),
  // its place in the arena, or fresh memory.
  void make_output(step const& s, specialized_step const& sp, std::size_t o) {
    std::uint32_t const slot = s.first + static_cast<std::uint32_t>(o);
    Tensor& value = values_[slot];
    if (Tensor const* target = direct_[slot]) {
      keep(value, *target);
    } else if (sp.outputs[o].defined()) {
      keep(value, sp.outputs[o]);
    } else {
      ops::tensor_meta const& m = sp.metas[o];
      value = empty(m.concrete_sizes(), {.dtype = m.dtype, .device = m.device});
    }
  }

  // Runs a fused chain: its outputs made (as `into` steps make them), then, block by
  // block of rows, every step of the chain on that block.
  void run_chain(specialization& spec, fused_chain const& chain) {
    for (std::size_t i = chain.first; i <= chain.last; ++i)
      make_output(steps_[i], spec.steps[i], 0);
    std::int64_t const rows = values_[steps_[chain.last].first].size(0); // never a tile
    for (std::int64_t r = 0; r < rows; r += chain.rows) {
      std::int64_t const n = std::min(chain.rows, rows - r);
      for (std::size_t i = chain.first; i <= chain.last; ++i) {
        step const& s = steps_[i];
        specialized_step const& sp = spec.steps[i];
        // A tile holds the block in its first n rows; other values are read at rows r...
        auto const rows_of = [&](Tensor const& v, bool tile) {
          return tile ? (n == v.size(0) ? v : v.narrow(0, 0, n)) : v.narrow(0, r, n);
        };
        boost::container::small_vector<Tensor, 8> args;
        for (std::size_t a = 0; a < s.args.size(); ++a) {
          if (s.args[a] == absent) {
            args.emplace_back();
          } else {
            Tensor const& v = argument(s, sp, a);
            args.push_back((sp.split >> a & 1U) != 0 ? rows_of(v, (sp.tiled >> a & 1U) != 0) : v);
          }
        }
        Tensor block = rows_of(values_[s.first], sp.tile_rows != 0);
        sp.kernel.into(sp.attributes->get(), {args.data(), args.size()}, {&block, 1});
      }
    }
  }

  // The arguments of step `s` for this call, in `sp.args`.
  std::span<Tensor const> arguments(step const& s, specialized_step& sp) {
    sp.args.resize(s.args.size());
    for (std::size_t a = 0; a < s.args.size(); ++a) {
      if (s.args[a] == absent) {
        sp.args[a] = Tensor();
      } else {
        keep(sp.args[a], argument(s, sp, a));
      }
    }
    return {sp.args.data(), sp.args.size()};
  }

  void run_step(step const& s, specialized_step& sp, bindings& bound) {
    std::span<Tensor const> const inputs = arguments(s, sp);
    std::span<Tensor> const outputs(values_.data() + s.first, s.metas.size());
    switch (sp.how) {
    case mode::into:
      for (std::size_t o = 0; o < outputs.size(); ++o)
        make_output(s, sp, o);
      sp.kernel.into(sp.attributes->get(), inputs, outputs);
      return;
    case mode::compute:
      store(s, sp.kernel.call(sp.attributes->get(), inputs, sp.metas), outputs);
      return;
    case mode::constant:
    case mode::view:
      for (std::size_t o = 0; o < outputs.size(); ++o)
        keep(outputs[o], sp.outputs[o]);
      return;
    case mode::eager:
      store(s, run_eager(s, inputs, bound), outputs);
      bind_from_data(s, outputs, bound);
      return;
    }
  }

  // Later steps read the outputs the graph records; a kernel that made another number (a
  // program whose graph disagrees with its inputs) must not let them read past these.
  static void store(step const& s, ops::tensor_list const& made, std::span<Tensor> outputs) {
    if (made.size() != outputs.size())
      throw value_error("node '" + s.name + "' (" + std::string(s.target.schema().name)
                        + ") returned " + std::to_string(made.size())
                        + " outputs, but the graph records " + std::to_string(outputs.size())
                        + ": the program disagrees with the sizes it was called with");
    std::copy(made.begin(), made.end(), outputs.begin());
  }

  ops::tensor_list run_eager(step const& s, std::span<Tensor const> inputs, bindings& bound) {
    ops::boxed_attributes const attributes =
        s.symbolic ? s.target.concretize([&](SymInt const& x) { return bound.evaluate(x); })
                   : s.target;
    if (ops::higher_order_hooks const* hop = attributes.schema().higher_order) {
      return hop->run(attributes.get(), inputs, [&](std::size_t i, std::span<Tensor const> args) {
        if (i >= s.subplans.size())
          throw value_error("node '" + s.name + "' has no sub-graph " + std::to_string(i));
        // What a body reads from data (`item` in a loop body) is its own on each run: the
        // symbols it binds are forgotten when it returns (none can leave it).
        std::size_t const outer = bound.entries().size();
        ops::tensor_list out = s.subplans[i].body->run(args, bound);
        bound.truncate(outer);
        return out;
      });
    }
    return kernels::eager_call(attributes, inputs);
  }

  // Data-dependent symbols (`u0`) are bound by the first step that produces them: an
  // `item_int`'s value, or an output size.
  static void bind_from_data(step const& s, std::span<Tensor const> outputs, bindings& bound) {
    if (s.scalar) {
      if (auto const x = sym::expr_of(*s.scalar).as_symbol())
        bound.bind(*x, outputs[0].item<std::int64_t>());
    }
    for (std::size_t o = 0; o < s.metas.size(); ++o) {
      ops::sym_sizes const& sizes = s.metas[o].sizes;
      for (std::size_t d = 0; d < sizes.size(); ++d) {
        if (!sizes[d].is_symbolic()) continue;
        if (auto const x = sym::expr_of(sizes[d]).as_symbol())
          bound.bind(*x, outputs[o].size(static_cast<std::int64_t>(d)));
      }
    }
  }

  plan_options options_;
  passes::report report_;
  std::vector<step> steps_;
  std::vector<std::uint32_t> placeholders_; // placeholder k -> its slot
  std::vector<std::size_t> frozen_;         // placeholders read as constants (freeze)
  std::vector<std::uint32_t> outputs_;      // graph output k -> its slot
  std::vector<Tensor> values_;              // this call's values, by slot
  std::vector<Tensor> results_;             // run_planned's results, until the next call
  // A frozen matrix (where it lies and how) and its copy laid out for products.
  struct packed_matrix {
    Tensor source;
    bool transposed;
    Tensor packed;
  };
  std::vector<packed_matrix> packed_;   // shared by the signatures (`packed_operand`)
  std::vector<Tensor const*> direct_;   // by slot: a caller's tensor to write into
  std::vector<std::uint32_t> directed_; // the slots `direct_` points for this call
  std::vector<std::unique_ptr<specialization>> cache_;
  specialization* last_ = nullptr;
  std::vector<std::int64_t> key_; // the key being looked up
  std::uint64_t calls_ = 0;
};

} // namespace xport::runtime
