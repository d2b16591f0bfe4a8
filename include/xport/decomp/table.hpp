//! @file
//! `decomposition_table`: the rules `run_decompositions` applies, by op, at run time —
//! copyable, with `erase<Op>()` to keep an op and `insert<Op>(fn)` for a user rule (any
//! op, custom ops included) — and `default_decompositions()`, the table that lowers every
//! op with a default rule to the core set.
//!
//! @code
//! auto table = xport::decomp::default_decompositions();
//! table.erase<xport::ops::linear>(); // keep aten::linear
//! auto lowered = ep.run_decompositions(table);
//! @endcode
#pragma once

#include <xport/decomp/rule.hpp>
#include <xport/decomp/rules.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace xport::decomp {

//! @brief Rules by op, applied by `run_decompositions`. A value type: copies are
//! independent.
class decomposition_table {
public:
  //! @brief A rule on boxed attributes (what `run_decompositions` calls).
  using function =
      std::function<ops::tensor_list(ops::boxed_attributes const&, std::span<Tensor const>)>;

  //! @brief One rule: the op it rewrites, a name for messages, and the function.
  struct entry {
    ops::op_schema const* op = nullptr; //!< the op rewritten
    std::string name;                   //!< `linear_rule`, or the user's name
    function apply;                     //!< the rule
  };

  //! @brief An empty table (decomposes nothing).
  decomposition_table() = default;

  //! @brief Adds (or replaces) the rule `R`.
  template <rule R>
  decomposition_table& insert() {
    using Op = typename R::op;
    return insert<Op>([](typename Op::attributes const& a,
                         std::span<Tensor const> in) { return R::apply(a, in); },
                      std::string(Op::name) + " rule");
  }

  //! @brief Adds (or replaces) a rule for `Op`: `fn(attributes, inputs)` returns the op's
  //! outputs computed with other ops (through `ops::call` or the api/ functions).
  template <ops::op Op, class F>
  requires std::is_invocable_r_v<ops::tensor_list, F const&, typename Op::attributes const&,
                                 std::span<Tensor const>>
      decomposition_table& insert(F fn, std::string name = std::string(Op::name) + " rule") {
    ops::op_schema const* op = &ops::schema_of<Op>;
    entries_[op] = entry{op, std::move(name),
                         [fn = std::move(fn)](ops::boxed_attributes const& a,
                                              std::span<Tensor const> in) -> ops::tensor_list {
                           return fn(a.template get<Op>(), in);
                         }};
    kept_.erase(std::string(Op::name));
    return *this;
  }

  //! @brief Removes the rule for `Op`, so programs keep its nodes (and the dialect
  //! verifier accepts them).
  template <ops::op Op>
  decomposition_table& erase() {
    entries_.erase(&ops::schema_of<Op>);
    kept_.insert(std::string(Op::name));
    return *this;
  }

  //! @brief True when the table has a rule for `Op`.
  template <ops::op Op>
  bool contains() const {
    return entries_.count(&ops::schema_of<Op>) != 0;
  }

  //! @brief The rule for the op with schema `op`, or null.
  entry const* find(ops::op_schema const* op) const {
    auto const it = entries_.find(op);
    return it == entries_.end() ? nullptr : &it->second;
  }

  //! @brief True when `op` was erased from the table (it is to be kept).
  bool keeps(std::string_view op) const { return kept_.count(std::string(op)) != 0; }

  //! @brief The number of rules.
  std::size_t size() const noexcept { return entries_.size(); }

  //! @brief The names of the ops with a rule, sorted.
  std::vector<std::string> ops() const {
    std::vector<std::string> out;
    for (auto const& [op, e] : entries_)
      out.emplace_back(op->name);
    std::sort(out.begin(), out.end());
    return out;
  }

private:
  std::map<ops::op_schema const*, entry> entries_;
  std::set<std::string> kept_;
};

//! @brief The table built from the rule list `List` (which must be closed: checked at
//! compile time).
template <class List>
decomposition_table table_of() {
  static_assert(closed<List>, "xport: the rule list does not lower to core ops (see "
                              "decomp::assert_closed for the reason)");
  decomposition_table table;
  List::for_each([&]<class R>() { table.template insert<R>(); });
  return table;
}

//! @brief The default table: a rule for every composite op of `default_op_set` (see
//! docs/decomp.md). A fresh copy each call.
inline decomposition_table default_decompositions() {
  static decomposition_table const table = table_of<default_rules>();
  return table;
}

} // namespace xport::decomp
