//! @file
//! Op sets: compile-time type lists of ops, with a name → schema lookup generated from
//! the list (a sorted table and a binary search: no string compare chain per call).
//!
//! @code
//! using my_ops = xport::ops::default_op_set::extend<my_scale>;
//! static_assert(my_ops::contains<my_scale>);
//! auto const* schema = my_ops::find("my::scale");
//! @endcode
#pragma once

#include <xport/ops/schema.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace xport::ops {

//! @brief A set of ops, as a type list. Names must be unique (checked at compile time).
template <op... Ops>
struct op_set {
  //! @brief The number of ops.
  static constexpr std::size_t size = sizeof...(Ops);

  //! @brief True when `Op` is in the set.
  template <class Op>
  static constexpr bool contains = (std::is_same_v<Op, Ops> || ...);

  //! @brief This set with `More` appended (custom ops join on equal terms).
  template <op... More>
  using extend = op_set<Ops..., More...>;

  //! @brief The union of this set and another.
  template <class Other>
  using join = typename Other::template prepend_to<Ops...>;

  //! @brief `op_set<Before..., Ops...>` (used by `join`).
  template <op... Before>
  using prepend_to = op_set<Before..., Ops...>;

  //! @brief Calls `f.template operator()<Op>()` for every op, in order.
  template <class F>
  static constexpr void for_each(F&& f) {
    (f.template operator()<Ops>(), ...);
  }

  //! @brief The schemas, sorted by name.
  static constexpr std::array<op_schema const*, size> sorted = [] {
    std::array<op_schema const*, size> table{&schema_of<Ops>...};
    std::sort(table.begin(), table.end(),
              [](op_schema const* a, op_schema const* b) { return a->name < b->name; });
    return table;
  }();

  //! @brief True when no two ops share a name.
  static constexpr bool unique_names = [] {
    for (std::size_t i = 1; i < size; ++i) {
      if (sorted[i - 1]->name == sorted[i]->name) return false;
    }
    return true;
  }();
  static_assert(unique_names, "xport: two ops in an op_set have the same name");

  //! @brief The schema of the op named `name`, or null (O(log n)).
  static constexpr op_schema const* find(std::string_view name) noexcept {
    auto const it =
        std::lower_bound(sorted.begin(), sorted.end(), name,
                         [](op_schema const* s, std::string_view n) { return s->name < n; });
    return it != sorted.end() && (*it)->name == name ? *it : nullptr;
  }
};

} // namespace xport::ops
