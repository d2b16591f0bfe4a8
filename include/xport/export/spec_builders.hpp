//! @file
//! Builders of dynamic-shapes specs for nested inputs (PyTorch's `ShapesCollection` and
//! `AdditionalInputs`): `shapes_collection` takes a spec per tensor, found in the inputs
//! by identity, and `additional_inputs` infers which dims are dynamic from several
//! examples of the inputs. Both give the flat `sym::dynamic_shapes` that `export_program`
//! takes, one entry per tensor or `SymInt` leaf, in leaf order.
//! @code
//! std::map<std::string, xport::Tensor> const inputs{{"x", x}, {"y", y}};
//! xport::shapes_collection shapes;
//! shapes.set(x, {batch, 8});
//! shapes.set_dims(y, {{0, batch}}); // by dim index; the others static
//! auto ep = xport::export_program(m, std::tuple{inputs},
//! shapes.dynamic_shapes(std::tuple{inputs}));
//! @endcode
#pragma once

#include <xport/core/error.hpp>
#include <xport/core/tensor.hpp>
#include <xport/export/exported_module.hpp>
#include <xport/export/program.hpp>
#include <xport/sym/spec.hpp>
#include <xport/trace/pytree.hpp>
#include <xport/trace/tree_spec.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace xport {

//! @brief A dynamic-shapes spec keyed by the input tensors themselves (PyTorch's
//! `ShapesCollection`): for inputs nested in containers, where naming a tensor is easier
//! than writing a spec with the inputs' structure. A tensor is found in the inputs by
//! identity (`Tensor::is_same`, Python's `is`), so pass the same handles to
//! `dynamic_shapes` (a copy made with `clone` or `contiguous` is another tensor). Tensors
//! not given a spec are static.
class shapes_collection {
public:
  //! @brief The spec of tensor `t`, one entry per dim: `set(x, {batch, 8})`.
  //! @throws value_error "Shapes assigned to input do not match: expected (batch, 8),
  //! got (batch, 9)" when `t` was given another spec before.
  void set(Tensor const& t, sym::shape_spec shape) { assign(t, std::move(shape)); }

  //! @brief The spec of tensor `t` by dim index, the dims not named static:
  //! `set_dims(y, {{0, batch}})` (PyTorch's `{0: batch}`).
  //! @throws value_error as `set`.
  void set_dims(Tensor const& t, std::map<std::size_t, sym::dim_spec> by_index) {
    assign(t, std::move(by_index));
  }

  //! @brief The number of tensors given a spec.
  std::size_t size() const noexcept { return entries_.size(); }

  //! @brief The spec of `args`, the arguments `export_program` is called with: each
  //! tensor leaf takes the spec given for it, other tensors are static.
  //! @throws value_error "Some tensors that were assigned shapes were not found in args"
  //! when a tensor given a spec is not a leaf of `args` (PyTorch's words), or when a spec
  //! by index names a dim the tensor lacks, or a full spec has another rank.
  template <class... Args>
  sym::dynamic_shapes dynamic_shapes(std::tuple<Args...> const& args) const {
    flat_tree const flat = flatten(args, "args");
    std::vector<key_path> const paths = leaf_key_paths(flat.spec);
    std::vector<bool> found(entries_.size(), false);
    std::vector<sym::shape_spec> out;
    for (std::size_t i = 0; i < flat.leaves.size(); ++i) {
      leaf const& l = flat.leaves[i];
      if (std::holds_alternative<SymInt>(l)) {
        out.emplace_back(sym::all_static);
        continue;
      }
      auto const* t = std::get_if<Tensor>(&l);
      if (t == nullptr) continue;
      std::size_t k = 0;
      while (k < entries_.size() && !entries_[k].tensor.is_same(*t))
        ++k;
      if (k == entries_.size()) {
        out.emplace_back(sym::all_static);
        continue;
      }
      found[k] = true;
      out.push_back(spec_for(entries_[k], *t, keystr(paths[i], "args")));
    }
    if (std::ranges::find(found, false) != found.end())
      throw value_error("Some tensors that were assigned shapes were not found in args. Maybe "
                        "such tensors were copied when passing them as args? (xport finds a "
                        "tensor by identity: pass the handles given to set())");
    return sym::dynamic_shapes(std::move(out));
  }

private:
  using spec = std::variant<sym::shape_spec, std::map<std::size_t, sym::dim_spec>>;
  struct entry {
    Tensor tensor;
    spec shape;
  };

  static std::string describe(spec const& s) {
    if (auto const* full = std::get_if<sym::shape_spec>(&s)) return full->to_string();
    std::string out = "{";
    for (auto const& [index, dim] : std::get<1>(s))
      out += (out.size() > 1 ? ", " : "") + std::to_string(index) + ": " + dim.to_string();
    return out + "}";
  }

  void assign(Tensor const& t, spec shape) {
    if (!t.defined())
      throw value_error("shapes_collection: cannot assign a shape to an undefined tensor");
    for (entry const& e : entries_) {
      if (!e.tensor.is_same(t)) continue;
      if (e.shape != shape)
        throw value_error("Shapes assigned to input do not match: expected " + describe(e.shape)
                          + ", got " + describe(shape));
      return;
    }
    entries_.push_back({t, std::move(shape)});
  }

  static sym::shape_spec spec_for(entry const& e, Tensor const& t, std::string const& path) {
    auto const rank = static_cast<std::size_t>(t.dim());
    if (auto const* full = std::get_if<sym::shape_spec>(&e.shape)) {
      if (!full->is_all_static() && full->size() != rank)
        throw value_error("shapes_collection: the spec " + full->to_string() + " of " + path
                          + " has " + std::to_string(full->size()) + " dims, but the tensor has "
                          + std::to_string(rank));
      return *full;
    }
    std::vector<sym::dim_spec> dims(rank, sym::dim_spec(sym::Dim::Static));
    for (auto const& [index, dim] : std::get<1>(e.shape)) {
      if (index >= rank)
        throw value_error("shapes_collection: the spec of " + path + " names dim "
                          + std::to_string(index) + ", but the tensor has " + std::to_string(rank)
                          + " dims");
      dims[index] = dim;
    }
    return sym::shape_spec(std::move(dims));
  }

  std::vector<entry> entries_;
};

//! @brief A dynamic-shapes spec inferred from more examples of the inputs (PyTorch's
//! `AdditionalInputs`): a dim whose size differs between the example `export_program`
//! traces with and any added one is `Dim::Dynamic`, the others static; a `SymInt` input
//! whose value differs is dynamic too. Other leaves (ints, floats, bools, strings) are
//! specialized by export, so they must be equal in every example.
//! @code
//! xport::additional_inputs more;
//! more.add(std::tuple{randn({8, 16})});
//! more.add(std::tuple{randn({3, 16})});
//! auto ep = xport::export_program(m, std::tuple{x}, more.dynamic_shapes(std::tuple{x}));
//! more.verify(ep); // every example satisfies the program's input contract
//! @endcode
class additional_inputs {
public:
  //! @brief One more example of the arguments.
  template <class... Args>
  void add(std::tuple<Args...> const& args) {
    examples_.push_back(flatten(args, "args"));
  }

  //! @brief The number of examples added.
  std::size_t size() const noexcept { return examples_.size(); }

  //! @brief The spec of `args` (the example export traces with) merged with the added
  //! examples: one entry per tensor or `SymInt` leaf, in leaf order.
  //! @throws value_error when an example has another structure than `args` ("The
  //! following inputs were found to have differing structures"), a leaf of another kind
  //! or a tensor of another rank ("differing types"), or a leaf that cannot be dynamic of
  //! another value ("The following inputs were found to have differing values, but they
  //! cannot be marked as dynamic: (1, 2)").
  template <class... Args>
  sym::dynamic_shapes dynamic_shapes(std::tuple<Args...> const& args) const {
    flat_tree const first = flatten(args, "args");
    for (flat_tree const& other : examples_)
      if (!(other.spec == first.spec))
        throw value_error("The following inputs were found to have differing structures, so "
                          "their dynamism cannot be inferred: "
                          + first.spec.pretty() + " and " + other.spec.pretty());
    std::vector<sym::shape_spec> out;
    for (std::size_t i = 0; i < first.leaves.size(); ++i) {
      std::vector<leaf> values{first.leaves[i]};
      for (flat_tree const& other : examples_)
        values.push_back(other.leaves[i]);
      if (auto const spec = merged(values)) out.push_back(*spec);
    }
    return sym::dynamic_shapes(std::move(out));
  }

  //! @brief Checks every added example against `ep`'s input contract (structure,
  //! dtypes, devices, and sizes against the ranges and relations of its dims), as the
  //! program's module checks a call, without running it.
  //! @throws what `ExportedModule` throws for such a call (`constraint_violation`,
  //! `structure_error`, `dtype_error`, ...).
  void verify(ExportedProgram const& ep) const {
    ExportedModule module = ep.module();
    for (flat_tree const& example : examples_) {
      std::vector<leaf> const leaves =
          flatten_like(unflatten(example.leaves, example.spec, "args"), ep.in_spec, "args");
      module.check_inputs(leaves);
    }
  }

private:
  // The values of one leaf in every example, as PyTorch prints them (a tensor by its
  // sizes, as a tuple).
  static std::string tuple_of(std::vector<leaf> const& values) {
    std::string out = "(";
    for (std::size_t i = 0; i < values.size(); ++i) {
      out += i ? ", " : "";
      if (auto const* t = std::get_if<Tensor>(&values[i])) {
        std::string sizes = format_sizes(t->sizes());
        out += "(" + sizes.substr(1, sizes.size() - 2) + (t->dim() == 1 ? ",)" : ")");
      } else {
        out += repr(values[i]);
      }
    }
    return out + ")";
  }

  static std::string sizes_of(std::vector<leaf> const& values) {
    std::string out = "(";
    for (std::size_t i = 0; i < values.size(); ++i)
      out += (i ? ", " : "") + format_sizes(std::get<Tensor>(values[i]).sizes());
    return out + ")";
  }

  // The spec of one leaf from its value in every example; nothing for a leaf without
  // dims (one that export specializes).
  static std::optional<sym::shape_spec> merged(std::vector<leaf> const& values) {
    leaf const& v = values.front();
    bool const same_kind =
        std::ranges::all_of(values, [&](leaf const& other) { return other.index() == v.index(); });
    if (!same_kind)
      throw value_error("The following inputs were found to have differing types, so they "
                        "cannot be marked as dynamic: "
                        + tuple_of(values) + ".");
    if (auto const* t = std::get_if<Tensor>(&v)) {
      bool const same_rank = std::ranges::all_of(
          values, [&](leaf const& other) { return std::get<Tensor>(other).dim() == t->dim(); });
      if (!same_rank)
        throw value_error("The following tensor inputs were found to have differing ranks, so "
                          "they cannot be marked as dynamic: sizes "
                          + sizes_of(values) + ".");
      std::vector<sym::dim_spec> dims;
      for (std::int64_t d = 0; d < t->dim(); ++d) {
        bool const varies = std::ranges::any_of(values, [&](leaf const& other) {
          return std::get<Tensor>(other).size(d) != t->size(d);
        });
        dims.emplace_back(varies ? sym::dim_spec(sym::Dim::Dynamic)
                                 : sym::dim_spec(sym::Dim::Static));
      }
      return sym::shape_spec(std::move(dims));
    }
    if (auto const* n = std::get_if<SymInt>(&v)) {
      bool const varies = std::ranges::any_of(values, [&](leaf const& other) {
        return std::get<SymInt>(other).maybe_int() != n->maybe_int();
      });
      return varies ? sym::shape_spec{sym::Dim::Dynamic} : sym::shape_spec(sym::all_static);
    }
    if (!std::ranges::all_of(values, [&](leaf const& other) { return same_leaf(other, v); }))
      throw value_error("The following inputs were found to have differing values, but they "
                        "cannot be marked as dynamic: "
                        + tuple_of(values) + "."
                        + (std::holds_alternative<std::int64_t>(v)
                               ? " (export specializes an int argument; take a SymInt in "
                                 "forward to make it dynamic)"
                               : ""));
    return std::nullopt;
  }

  std::vector<flat_tree> examples_;
};

} // namespace xport
