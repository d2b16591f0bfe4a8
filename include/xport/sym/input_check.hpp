//! @file
//! `input_contract`: what an exported program requires of its inputs' sizes (range
//! constraints, equalities, derived relations, guards), checked on every call without
//! allocating.
#pragma once

#include <xport/core/error.hpp>
#include <xport/sym/expr.hpp>
#include <xport/sym/range.hpp>
#include <xport/sym/relation.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace xport::sym {

//! @brief The sizes of one tensor input, as the input check reads them.
using shape_view = std::span<const std::int64_t>;

//! @brief Whether a runtime input check accepts sizes 0 and 1 for a dim whose range starts
//! at 2 only because tracing specialized 0 and 1 away.
//!
//! PyTorch traces with example sizes of at least 2 (a dim of example size 0 or 1 is made
//! static) and then, at runtime, enforces a dim's minimum only when it is above 2, so that
//! a program exported for `batch >= 2` still runs with `batch == 1`. That is unsound for
//! programs whose shape logic branches on 0/1 (broadcasting, squeeze), which is why it is
//! a setting here and recorded in each contract.
enum class zero_one_policy : std::uint8_t {
  accept_at_runtime, //!< PyTorch: a minimum of 2 or less is not enforced at runtime
  enforce            //!< every minimum is enforced
};

//! @brief PyTorch's refusal of a call with the wrong number of inputs: "Unexpected number
//! of inputs (expected 2, got 1)".
inline value_error input_count_error(std::size_t expected, std::size_t got) {
  return value_error("Unexpected number of inputs (expected " + std::to_string(expected) + ", got "
                     + std::to_string(got) + ")");
}

//! @brief What an exported program requires of its inputs' sizes, checked on every call.
//!
//! A contract has symbols with ranges (the program's range constraints, `s0: VR[2, 16]`),
//! and for each tensor input a path (`args[0]`) and one expression per dim over those
//! symbols: a constant for a static dim, `s0` for a plain dynamic dim, `2*s0 + 1` for a
//! derived one, any expression for a dim the program related to others. `check` binds
//! every symbol from the first dim that is an affine form of it (solving `a*s + b = size`),
//! checks that symbol's range there, checks every other dim and guard against the bound
//! values, and throws at the first failure with PyTorch's message:
//!
//!     Expected input at args[0].shape[0] to be <= 16, but got 17
//!     Expected input at args[1].shape[0] to be equal to 5, but got 6
//!     Expected input args[1].shape[0] = 10 to be of the form 2*s0 + 1, where s0 is an integer
//!
//! The success path performs no allocation (up to `inline_symbols` symbols; a larger
//! contract uses one heap buffer per call).
class input_contract {
public:
  //! @brief How many symbol values `check` keeps on the stack.
  static constexpr std::size_t inline_symbols = 64;

  //! @brief An empty contract (no inputs) with the given 0/1 policy.
  explicit input_contract(zero_one_policy policy = zero_one_policy::accept_at_runtime)
      : policy_(policy) {}

  //! @brief Adds a symbol named @p name (as printed: `s0`) with range @p range; returns
  //! the symbol to use in input dims and guards.
  //! @throws value_error if @p range is empty or admits negative sizes only.
  symbol add_symbol(std::string name, value_range range);

  //! @brief Adds a tensor input at @p path (`args[0]`, `x`) whose dim `i` must equal
  //! `dims[i]`.
  //! @throws value_error if an expression names a symbol this contract did not add.
  void add_input(std::string path, std::vector<expr> dims);

  //! @brief Marks input @p input as an integer (a `SymInt` argument): its one "dim" is the
  //! value itself, and messages name it `n` rather than `n.shape[0]`.
  //! @throws value_error if the input does not exist or has other than one dim.
  void set_scalar(std::size_t input) {
    if (input >= inputs_.size() || inputs_[input].dims.size() != 1)
      throw value_error("input_contract::set_scalar: input " + std::to_string(input)
                        + " is not a one-value input");
    inputs_[input].scalar = true;
    plan(); // an integer's range is checked as given (no 0/1 relaxation)
  }

  //! @brief Adds a guard between input sizes that the dims' ranges and forms do not imply
  //! (`s0 <= s1`, `Eq(Mod(s0, 4), 0)`), checked after every symbol is bound.
  //! @throws value_error if it names a symbol this contract did not add.
  void add_guard(relation guard);

  //! @brief Checks @p inputs (one shape per tensor input, in order).
  //! @throws value_error on a wrong number of inputs ("Unexpected number of inputs
  //! (expected 2, got 1)"); shape_error on a wrong rank ("Unexpected number of dimensions
  //! in input at args[0].shape (expected 2, got 3)"); constraint_violation on the first
  //! size that breaks the contract.
  //! @throws value_error if a symbol the contract needs is not an affine form of any input
  //! dim, so that no input size determines it.
  void check(std::span<const shape_view> inputs) const;
  //! @brief `check({shape_view(a), shape_view(b)})`.
  void check(std::initializer_list<shape_view> inputs) const {
    check(std::span<const shape_view>(inputs.begin(), inputs.size()));
  }

  //! @brief The number of tensor inputs.
  [[nodiscard]] std::size_t num_inputs() const noexcept { return inputs_.size(); }
  //! @brief The number of symbols.
  [[nodiscard]] std::size_t num_symbols() const noexcept { return symbols_.size(); }
  //! @brief The name of the `i`-th symbol added (`s0`). @pre `i < num_symbols()`.
  [[nodiscard]] const std::string& symbol_name(std::size_t i) const { return symbols_.at(i).name; }
  //! @brief The range of symbol @p s. @pre `s` was returned by `add_symbol`.
  [[nodiscard]] value_range range(symbol s) const { return symbols_.at(s.index).range; }
  //! @brief The path of tensor input @p i (`args[0]`). @pre `i < num_inputs()`.
  [[nodiscard]] const std::string& input_path(std::size_t i) const { return inputs_.at(i).path; }
  //! @brief The expressions of tensor input @p i's dims. @pre `i < num_inputs()`.
  [[nodiscard]] const std::vector<expr>& input_dims(std::size_t i) const {
    return inputs_.at(i).dims;
  }
  //! @brief True when input @p i is an integer (see `set_scalar`). @pre `i < num_inputs()`.
  [[nodiscard]] bool input_is_scalar(std::size_t i) const { return inputs_.at(i).scalar; }
  //! @brief The guards added with `add_guard`, in order.
  [[nodiscard]] const std::vector<relation>& guards() const noexcept { return guards_; }
  //! @brief The 0/1 policy recorded in this contract.
  [[nodiscard]] zero_one_policy policy() const noexcept { return policy_; }

  //! @brief The range constraints and input forms, one per line:
  //! `s0: VR[2, 16]`, `args[0]: [s0, 4]`, `guard: args[0].shape[0] <= args[1].shape[0]`.
  [[nodiscard]] std::string to_string() const;

private:
  struct symbol_info {
    std::string name;
    value_range range;
  };
  struct input_info {
    std::string path;
    std::vector<expr> dims;
    bool scalar = false;
  };
  // One step of the precomputed plan: dims in input order, each binding a symbol from an
  // affine form, or comparing against a constant or an expression of bound symbols.
  struct step {
    enum class kind : std::uint8_t { equal_const, bind, equal_affine, equal_expr } what;
    std::uint32_t input;
    std::uint32_t dim;
    std::int64_t a = 1;     // bind, equal_affine: size = a*s + b
    std::int64_t b = 0;     // bind, equal_affine: offset; equal_const: the size
    std::uint32_t slot = 0; // bind, equal_affine: the symbol
    std::int64_t lo = 0;    // bind: enforced bounds of the dim itself
    std::int64_t hi = int_oo;
  };

  void plan();
  [[noreturn]] void fail_step(const step& st, std::int64_t size, const std::int64_t* values) const;
  [[noreturn]] void fail_guard(const relation& g, const std::int64_t* values) const;
  [[nodiscard]] std::string dim_path(std::uint32_t input, std::uint32_t dim) const {
    if (inputs_[input].scalar) return inputs_[input].path;
    return inputs_[input].path + ".shape[" + std::to_string(dim) + "]";
  }
  [[nodiscard]] std::string print(const expr& e) const {
    return sym::to_string(e, [&](symbol s) { return symbols_[s.index].name; });
  }
  [[nodiscard]] std::string source_name(symbol s) const;
  void check_symbols(const expr& e, const char* what) const;

  zero_one_policy policy_;
  std::vector<symbol_info> symbols_;
  std::vector<input_info> inputs_;
  std::vector<relation> guards_;
  // The plan, rebuilt whenever the contract changes, so that `check` only reads.
  std::vector<step> steps_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> binder_; // slot -> (input, dim)
  std::string unbindable_; // why the plan is incomplete, if it is
};

// ---------------------------------------------------------------------------------------
// Implementation

namespace detail {

// ceil/floor of (n - b) / a for a > 0, on extended bounds.
inline std::int64_t affine_image(std::int64_t a, std::int64_t v, std::int64_t b) noexcept {
  return ext_add(ext_mul(a, v), b);
}

} // namespace detail

inline symbol input_contract::add_symbol(std::string name, value_range range) {
  if (range.is_empty() || range.hi < 0)
    throw value_error("Symbol " + name + " has no valid size in " + sym::to_string(range));
  symbols_.push_back({std::move(name), range});
  plan();
  return symbol{symbol_kind::backed, static_cast<std::uint32_t>(symbols_.size() - 1)};
}

inline void input_contract::check_symbols(const expr& e, const char* what) const {
  for (const symbol& s : free_symbols(e))
    if (s.kind != symbol_kind::backed || s.index >= symbols_.size())
      throw value_error(std::string(what) + " names " + sym::to_string(s)
                        + ", which is not a symbol of this contract");
}

inline void input_contract::add_input(std::string path, std::vector<expr> dims) {
  for (const expr& d : dims)
    check_symbols(d, "An input dim");
  inputs_.push_back({std::move(path), std::move(dims), false});
  plan();
}

inline void input_contract::add_guard(relation guard) {
  check_symbols(guard.lhs, "A guard");
  check_symbols(guard.rhs, "A guard");
  guards_.push_back(std::move(guard));
  plan();
}

inline void input_contract::plan() {
  steps_.clear();
  unbindable_.clear();
  binder_.assign(symbols_.size(), {UINT32_MAX, UINT32_MAX});
  std::vector<bool> bound(symbols_.size(), false);
  std::vector<step> deferred;
  for (std::uint32_t i = 0; i < inputs_.size(); ++i)
    for (std::uint32_t j = 0; j < inputs_[i].dims.size(); ++j) {
      const expr& e = inputs_[i].dims[j];
      step st{step::kind::equal_expr, i, j};
      if (auto c = e.constant()) {
        st.what = step::kind::equal_const;
        st.b = *c;
      } else if (auto f = as_affine(e); f && f->a > 0 && !bound[f->s.index]) {
        st.what = step::kind::bind;
        st.a = f->a;
        st.b = f->b;
        st.slot = f->s.index;
        bound[st.slot] = true;
        binder_[st.slot] = {i, j};
        value_range r = symbols_[st.slot].range;
        // Sizes 0 and 1 are accepted at run time; an integer input is no size.
        if (policy_ == zero_one_policy::accept_at_runtime && r.lo <= 2 && !inputs_[i].scalar)
          r.lo = 0;
        // A size is never negative, whatever the range says.
        st.lo = std::max<std::int64_t>(0, detail::affine_image(st.a, r.lo, st.b));
        st.hi = detail::affine_image(st.a, r.hi, st.b);
      } else if (f && bound[f->s.index]) {
        // The common derived dim: a*s + b of a bound symbol, compared without walking e.
        st.what = step::kind::equal_affine;
        st.a = f->a;
        st.b = f->b;
        st.slot = f->s.index;
      } else if (auto syms = free_symbols(e); std::all_of(
                     syms.begin(), syms.end(), [&](const symbol& s) { return bound[s.index]; })) {
        st.what = step::kind::equal_expr;
      } else {
        deferred.push_back(st);
        continue;
      }
      steps_.push_back(st);
    }
  for (const step& st : deferred) {
    for (const symbol& s : free_symbols(inputs_[st.input].dims[st.dim]))
      if (!bound[s.index] && unbindable_.empty())
        unbindable_ = "Cannot bind " + symbols_[s.index].name + " of " + dim_path(st.input, st.dim)
                      + " = " + print(inputs_[st.input].dims[st.dim])
                      + " from the input sizes: no input dim is an affine form of it";
    steps_.push_back(st);
  }
  for (const relation& g : guards_)
    for (const expr* side : {&g.lhs, &g.rhs})
      for (const symbol& s : free_symbols(*side))
        if (!bound[s.index] && unbindable_.empty())
          unbindable_ = "Cannot check a guard on " + symbols_[s.index].name
                        + ": no input dim is an affine form of it";
}

inline void input_contract::check(std::span<const shape_view> inputs) const {
  if (!unbindable_.empty()) throw value_error(unbindable_);
  if (inputs.size() != inputs_.size()) throw input_count_error(inputs_.size(), inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].size() != inputs_[i].dims.size())
      throw shape_error("Unexpected number of dimensions in input at " + inputs_[i].path
                        + ".shape (expected " + std::to_string(inputs_[i].dims.size()) + ", got "
                        + std::to_string(inputs[i].size()) + ")");

  std::array<std::int64_t, inline_symbols> inline_values;
  std::vector<std::int64_t> heap_values;
  std::int64_t* values = inline_values.data();
  if (symbols_.size() > inline_symbols) {
    heap_values.resize(symbols_.size());
    values = heap_values.data();
  }
  const auto value_of = [values](symbol s) noexcept { return values[s.index]; };

  for (const step& st : steps_) {
    const std::int64_t size = inputs[st.input][st.dim];
    switch (st.what) {
    case step::kind::equal_const:
      if (size != st.b) fail_step(st, size, values);
      break;
    case step::kind::bind: {
      const std::int64_t shifted = size - st.b;
      // Most dims are a plain symbol: skip the two divisions (tens of cycles each).
      if (st.a == 1) {
        values[st.slot] = shifted;
      } else {
        if (shifted % st.a != 0) fail_step(st, size, values);
        values[st.slot] = shifted / st.a;
      }
      if (size < st.lo || size > st.hi) fail_step(st, size, values);
      break;
    }
    case step::kind::equal_affine:
      if (size != st.a * values[st.slot] + st.b) fail_step(st, size, values);
      break;
    case step::kind::equal_expr:
      if (size != evaluate(inputs_[st.input].dims[st.dim], value_of)) fail_step(st, size, values);
      break;
    }
  }
  for (const relation& g : guards_)
    if (!evaluate(g, value_of)) fail_guard(g, values);
}

inline void input_contract::fail_step(const step& st, std::int64_t size,
                                      const std::int64_t* values) const {
  const std::string path = dim_path(st.input, st.dim);
  const std::string got = ", but got " + std::to_string(size);
  switch (st.what) {
  case step::kind::equal_const:
    throw constraint_violation("Expected input at " + path + " to be equal to "
                               + std::to_string(st.b) + got
                               + ". If you meant for this dimension to be dynamic, please "
                                 "re-export and specify dynamic_shapes (e.g. with Dim::Dynamic)");
  case step::kind::bind:
    if ((size - st.b) % st.a != 0)
      throw constraint_violation("Expected input " + path + " = " + std::to_string(size)
                                 + " to be of the form " + print(inputs_[st.input].dims[st.dim])
                                 + ", where " + symbols_[st.slot].name + " is an integer");
    if (size < st.lo)
      throw constraint_violation("Expected input at " + path + " to be >= " + std::to_string(st.lo)
                                 + got);
    throw constraint_violation("Expected input at " + path + " to be <= " + std::to_string(st.hi)
                               + got);
  case step::kind::equal_affine:
  case step::kind::equal_expr:
    break;
  }
  const expr& e = inputs_[st.input].dims[st.dim];
  const auto value_of = [values](symbol s) noexcept { return values[s.index]; };
  std::string where;
  for (const symbol& s : free_symbols(e)) {
    const auto [bi, bj] = binder_[s.index];
    where += (where.empty() ? ", where " : ", ") + symbols_[s.index].name + " = "
             + std::to_string(values[s.index]) + " from " + dim_path(bi, bj);
  }
  throw constraint_violation("Expected input at " + path + " to be equal to "
                             + std::to_string(evaluate(e, value_of)) + got + " (" + path + " = "
                             + print(e) + where + ")");
}

inline std::string input_contract::source_name(symbol s) const {
  const auto [i, j] = binder_[s.index];
  // The binding dim is `a*s + b`; name `s` by that dim only when it is `s` itself.
  return inputs_[i].dims[j].as_symbol() ? dim_path(i, j) : symbols_[s.index].name;
}

inline void input_contract::fail_guard(const relation& g, const std::int64_t* values) const {
  const auto value_of = [values](symbol s) noexcept { return values[s.index]; };
  const std::string text = sym::to_string(g, [&](symbol s) { return source_name(s); });
  std::string where;
  std::vector<symbol> syms = free_symbols(g.lhs);
  for (const symbol& s : free_symbols(g.rhs))
    syms.push_back(s);
  std::sort(syms.begin(), syms.end());
  syms.erase(std::unique(syms.begin(), syms.end()), syms.end());
  for (const symbol& s : syms) {
    const auto [i, j] = binder_[s.index];
    where +=
        (where.empty() ? "" : ", ") + dim_path(i, j) + " = "
        + std::to_string(inputs_[i].dims[j].as_symbol() ? values[s.index]
                                                        : evaluate(inputs_[i].dims[j], value_of));
  }
  throw constraint_violation("Guard failed: " + text + " (" + where + ")");
}

inline std::string input_contract::to_string() const {
  std::string s;
  for (const symbol_info& info : symbols_)
    s += info.name + ": " + sym::to_string(info.range) + "\n";
  for (const input_info& in : inputs_) {
    s += in.path + ": [";
    for (std::size_t j = 0; j < in.dims.size(); ++j)
      s += (j ? ", " : "") + print(in.dims[j]);
    s += "]\n";
  }
  for (const relation& g : guards_)
    s += "guard: " + sym::to_string(g, [&](symbol x) { return symbols_[x.index].name; }) + "\n";
  return s;
}

} // namespace xport::sym
