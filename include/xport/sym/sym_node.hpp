//! @file
//! The symbolic implementation of `SymInt` and `SymBool`: expressions and relations of a
//! `ShapeEnv`, with the op and source location that guards are charged to.
#pragma once

#include <xport/core/source_location.hpp>
#include <xport/core/sym_int.hpp>
#include <xport/sym/expr.hpp>
#include <xport/sym/relation.hpp>
#include <xport/sym/shape_env.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace xport::sym {

//! @brief Where guards are being charged: the op whose shape logic runs and the user's
//! call site. Tracing sets it for the duration of each op with `guard_scope`.
struct guard_site {
  std::string_view op;                  //!< The op's name (`aten::view`), or empty.
  std::optional<source_location> where; //!< The user's call site, if known.
};

namespace detail {
inline guard_site& current_site() {
  thread_local guard_site site;
  return site;
}
} // namespace detail

//! @brief The guard site in effect on this thread.
inline guard_site const& current_guard_site() {
  return detail::current_site();
}

//! @brief Charges the guards recorded while it lives to `op` at `where` (restores the
//! previous site on destruction, so scopes nest).
class guard_scope {
public:
  //! @brief Enters the scope.
  guard_scope(std::string_view op, source_location const& where) : saved_(detail::current_site()) {
    detail::current_site() = {op, where};
  }
  guard_scope(guard_scope const&) = delete;
  guard_scope& operator=(guard_scope const&) = delete;
  //! @brief Restores the enclosing site.
  ~guard_scope() { detail::current_site() = saved_; }

private:
  guard_site saved_;
};

//! @brief How a symbolic value reaches its `ShapeEnv`: it shares ownership when the
//! environment is owned by a `std::shared_ptr` (export, `load`), and otherwise watches its
//! lifetime, so a value that outlives its environment throws instead of reading freed
//! memory.
class env_ref {
public:
  //! @brief A reference to `env`.
  explicit env_ref(ShapeEnv& env) : env_(&env), owner_(env.weak_from_this().lock()) {
    if (!owner_) alive_ = env.lifetime(); // an owner keeps it alive: no token to watch
  }

  //! @brief Whether the environment still exists (always, when a `shared_ptr` owned it).
  bool alive() const noexcept { return owner_ != nullptr || !alive_.expired(); }
  //! @brief The environment; check `alive()` first.
  ShapeEnv& get() const noexcept { return *env_; }
  //! @brief Whether both refer to the same environment.
  friend bool operator==(env_ref const& a, env_ref const& b) noexcept { return a.env_ == b.env_; }

private:
  ShapeEnv* env_;
  std::shared_ptr<ShapeEnv> owner_;
  std::weak_ptr<void const> alive_;
};

//! @brief The refusal of a symbolic value `what` whose environment is gone.
inline value_error outlived_error(std::string const& what) {
  return value_error("the symbolic value " + what
                     + " outlived the shape environment that made it (its export or "
                       "decomposition has finished); read sizes while tracing, or keep the "
                       "ExportedProgram that owns them");
}

//! @brief A symbolic `SymInt`: an expression over the symbols of one `ShapeEnv`.
class expr_node final : public sym_int_node {
public:
  //! @brief `e` in `env`.
  expr_node(ShapeEnv& env, expr e) : env_(env), expr_(std::move(e)) {}

  //! @brief The expression.
  expr const& value() const noexcept { return expr_; }
  //! @brief The environment.
  //! @throws value_error when it no longer exists (see `env_ref`).
  ShapeEnv& env() const {
    if (!env_.alive()) throw outlived_error(str());
    return env_.get();
  }

  //! @copydoc sym_int_node::arith
  SymInt arith(sym_arith op, SymInt const& other, bool self_is_left) const override {
    expr const rhs = of(other);
    expr const& a = self_is_left ? expr_ : rhs;
    expr const& b = self_is_left ? rhs : expr_;
    return make(apply_expr(op, a, b));
  }

  //! @copydoc sym_int_node::compare
  SymBool compare(sym_compare op, SymInt const& other, bool self_is_left) const override;

  //! @copydoc sym_int_node::guard_int
  std::int64_t guard_int(source_location const& where) const override {
    guard_site const& site = current_guard_site();
    return env().evaluate_int(expr_, site.op, site.where.value_or(where));
  }

  //! @copydoc sym_int_node::hint
  std::optional<std::int64_t> hint() const override { return env().hint_of(expr_); }

  //! @copydoc sym_int_node::str
  std::string str() const override { return to_string(expr_); }

  //! @brief `e` in `env` as a SymInt: concrete when `e` is a constant.
  static SymInt make(ShapeEnv& env, expr e) {
    if (auto c = e.constant()) return *c;
    return SymInt(std::make_shared<expr_node const>(env, std::move(e)));
  }

  //! @brief The expression of `value`, which must be concrete or from the same
  //! environment.
  //! @throws value_error for a SymInt of another environment (or another implementation).
  expr of(SymInt const& value) const {
    if (!value.is_symbolic()) return expr(*value.maybe_int());
    auto const* node = dynamic_cast<expr_node const*>(value.node().get());
    if (node == nullptr || node->env_ != env_) {
      throw value_error("cannot combine symbolic sizes " + str() + " and " + value.str()
                        + " from different shape environments");
    }
    return node->expr_;
  }

private:
  SymInt make(expr e) const { return make(env(), std::move(e)); }

  static expr apply_expr(sym_arith op, expr const& a, expr const& b) {
    switch (op) {
    case sym_arith::add:
      return a + b;
    case sym_arith::sub:
      return a - b;
    case sym_arith::mul:
      return a * b;
    case sym_arith::floordiv:
      return floordiv(a, b);
    case sym_arith::mod:
      return mod(a, b);
    case sym_arith::min:
      return min(a, b);
    case sym_arith::max:
      break;
    }
    return max(a, b);
  }

  env_ref env_;
  expr expr_;
};

//! @brief A symbolic `SymBool`: a relation between expressions of one `ShapeEnv`.
class relation_node final : public sym_bool_node {
public:
  //! @brief `r` in `env`.
  relation_node(ShapeEnv& env, relation r) : env_(env), relation_(std::move(r)) {}

  //! @brief The relation.
  relation const& value() const noexcept { return relation_; }
  //! @brief The shape environment it lives in.
  //! @throws value_error when it no longer exists (see `env_ref`).
  ShapeEnv& env() const {
    if (!env_.alive()) throw outlived_error(str());
    return env_.get();
  }

  //! @copydoc sym_bool_node::guard_bool
  bool guard_bool(source_location const& where) const override {
    guard_site const& site = current_guard_site();
    return env().evaluate(relation_, site.op, site.where.value_or(where));
  }

  //! @copydoc sym_bool_node::assert_true
  //! An assert an op's shape logic makes (`expect_true`) is charged, as its guards are, to
  //! the op's call site.
  void assert_true(std::string_view message, source_location const& where) const override {
    guard_site const& site = current_guard_site();
    env().check(relation_, message, site.where.value_or(where));
  }

  //! @copydoc sym_bool_node::negate
  SymBool negate() const override { return make(env(), sym::negate(relation_)); }

  //! @copydoc sym_bool_node::str
  std::string str() const override { return to_string(relation_); }

  //! @brief `r` in `env` as a SymBool: concrete when ranges already decide it (nothing is
  //! recorded then, as deciding it would record nothing either).
  static SymBool make(ShapeEnv& env, relation r) {
    if (auto known = env.statically_known(r)) return *known;
    return SymBool(std::make_shared<relation_node const>(env, std::move(r)));
  }

private:
  env_ref env_;
  relation relation_;
};

//! @brief A relation of sizes taken apart: `s0 > 4` is `{s0, gt, 4}`.
struct relation_parts {
  SymInt lhs; //!< the left side
  rel_op op;  //!< the comparison
  SymInt rhs; //!< the right side
};

//! @brief The parts of `b` when it is a relation of a shape environment; std::nullopt for a
//! concrete value.
inline std::optional<relation_parts> parts_of(SymBool const& b) {
  auto const* node = dynamic_cast<relation_node const*>(b.node().get());
  if (node == nullptr) return std::nullopt;
  relation const& r = node->value();
  return relation_parts{expr_node::make(node->env(), r.lhs), r.op,
                        expr_node::make(node->env(), r.rhs)};
}

inline SymBool expr_node::compare(sym_compare op, SymInt const& other, bool self_is_left) const {
  expr const rhs = of(other);
  expr const& a = self_is_left ? expr_ : rhs;
  expr const& b = self_is_left ? rhs : expr_;
  relation r = [&] {
    switch (op) {
    case sym_compare::eq:
      return eq(a, b);
    case sym_compare::ne:
      return ne(a, b);
    case sym_compare::lt:
      return lt(a, b);
    case sym_compare::le:
      return le(a, b);
    case sym_compare::gt:
      return gt(a, b);
    case sym_compare::ge:
      break;
    }
    return ge(a, b);
  }();
  return relation_node::make(env(), std::move(r));
}

//! @brief A dynamic input size as a SymInt: `env.create_size(hint, source)` (so the 0/1
//! policy applies: an example size of 1 gives the concrete 1).
inline SymInt dynamic_size(ShapeEnv& env, std::int64_t hint, std::string source) {
  return expr_node::make(env, env.create_size(hint, std::move(source)));
}

//! @brief A data-dependent size (`u0 >= 0`, no example value) as a SymInt, for the
//! results of `nonzero()`, `item()` and friends.
inline SymInt unbacked_size(ShapeEnv& env) {
  return expr_node::make(env, expr(env.create_unbacked_size()));
}

//! @brief The expression behind `value` (a constant for a concrete SymInt).
//! @throws value_error for a SymInt that does not come from sym/.
inline expr expr_of(SymInt const& value) {
  if (!value.is_symbolic()) return expr(*value.maybe_int());
  auto const* node = dynamic_cast<expr_node const*>(value.node().get());
  if (node == nullptr)
    throw value_error("the symbolic size " + value.str() + " does not come from a ShapeEnv");
  return node->value();
}

} // namespace xport::sym
