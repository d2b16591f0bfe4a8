// The graph passes a plan runs before compiling: no-op removal, common-subexpression
// elimination, dead-code elimination; and the plan's constant folding. Each test checks
// the rewritten graph (which nodes went, and why) and that the optimized plan computes
// exactly what the unoptimized plan and eager execution compute.
#include <xport/api/attention.hpp>
#include <xport/api/creation.hpp>
#include <xport/api/dropout.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/elementwise_select.hpp>
#include <xport/api/linalg.hpp>
#include <xport/api/norm.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/decomp/run_decompositions.hpp>
#include <xport/export/export.hpp>
#include <xport/passes/optimize.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

using namespace xport;

namespace {

// Every kind of no-op once, between real ops.
struct Noops : Module<Noops> {
  BOOST_HANA_DEFINE_STRUCT(Noops, (Parameter, weight));
  Noops() : weight(arange(4, {.dtype = dtype::float32})) {}
  Tensor forward(Tensor const& x) const {
    Tensor const y = relu(x + weight);
    Tensor const a = dropout(y, 0.3, /*training=*/false);
    Tensor const b = dropout(a, 0.0, /*training=*/true);
    Tensor const c = view(b, {x.sym_size(0), 4});
    Tensor const d = permute(c, {0, 1});
    Tensor const e = transpose(d, -1, 1);
    Tensor const f = contiguous(e);
    Tensor const g = xport::clone(f) * 2.0;
    // Not no-ops: a real transpose, a view to other sizes, a clone of an input.
    return sum(transpose(g, 0, 1), {0}) + sum(view(g, {-1})) + sum(xport::clone(x));
  }
};

// A clone whose input is read again, or returned, is a copy that must stay.
struct NeededClones : Module<NeededClones> {
  Tensor forward(Tensor const& x) const {
    Tensor const y = exp(x);
    Tensor const c = xport::clone(y);
    Tensor const z = sigmoid(x);
    return c + y + xport::clone(z) + z;
  }
};

// The same value computed twice, directly and through views.
struct Repeats : Module<Repeats> {
  BOOST_HANA_DEFINE_STRUCT(Repeats, (Parameter, weight));
  Repeats() : weight(arange(4, {.dtype = dtype::float32})) {}
  Tensor forward(Tensor const& x) const {
    Tensor const a = exp(x + weight);
    Tensor const b = exp(x + weight);
    Tensor const t1 = transpose(a, 0, 1);
    Tensor const t2 = transpose(b, 0, 1);
    return sum(t1 * t2, {1}) + sum(a, {0}) - sum(b * 2.0, {0});
  }
};

// Causal attention: its decomposition builds the mask from `full` and `tril` (`arange`s
// compared), which read no input, only the bound sizes.
struct CausalAttention : Module<CausalAttention> {
  Tensor forward(Tensor const& x) const { // x: [B, 2, L, 4]
    return scaled_dot_product_attention(x, x * 0.5, x, {}, {.is_causal = true});
  }
};

// Attention written out as PyTorch decomposes it: scaled q and k, one product, the
// scores viewed as [batch, heads, L, S], the safe softmax, the second product. Without
// `safe`, a plain softmax (which the pass must leave alone).
struct WrittenAttention : Module<WrittenAttention> {
  bool safe = true;
  Tensor forward(Tensor const& q, Tensor const& k, Tensor const& v) const {
    Tensor const scores = bmm(q * 0.5, transpose(k, 1, 2) * 0.5); // [4, 5, 7]
    Tensor const x = view(scores, {2, 2, 5, 7});
    Tensor const sm = softmax(x, -1);
    Tensor weights = sm;
    if (safe) {
      Tensor const none = logical_not(
          any(logical_not(eq(x, -std::numeric_limits<double>::infinity())), {-1}, true));
      weights = where(none, full_like(sm, 0.0, {}), sm);
    }
    return bmm(view(weights, {4, 5, 7}), v);
  }
};

// Clones of views of fresh values: one the pass removes (its view keeps the value
// contiguous and nothing else reads either), one of a transpose (not contiguous), one of
// a view whose input is read again.
struct ClonedViews : Module<ClonedViews> {
  Tensor forward(Tensor const& x) const {
    Tensor const a = xport::clone(view(exp(x), {-1}));
    Tensor const b = xport::clone(transpose(sigmoid(x), 0, 1));
    Tensor const y = relu(x);
    Tensor const c = xport::clone(unsqueeze(y, 0));
    return sum(a) + sum(b, {1}) + sum(c, {0, 1}) + sum(y, {0});
  }
};

// Reshapes of values that are not contiguous, which decomposition writes as clone +
// view: one a view can express (a narrowed last dim split in two), one it cannot (a
// transpose flattened), one the graph returns through another view.
struct Reshapes : Module<Reshapes> {
  std::tuple<Tensor, Tensor> forward(Tensor const& x) const {
    Tensor const y = exp(x);                                      // [B, 8]
    Tensor const split = reshape(narrow(y, 1, 2, 4), {-1, 2, 2}); // a view of y
    Tensor const flat = reshape(transpose(y, 0, 1), {-1});        // a copy
    return {sum(split, {1, 2}) + sum(flat), unsqueeze(reshape(transpose(y, 0, 1), {-1, 4}), 0)};
  }
};

// Attention as a model calls it: q, k and v split from one projection, viewed as
// [batch, seq, heads, dim] and permuted to heads first.
struct HeadsAttention : Module<HeadsAttention> {
  Tensor forward(Tensor const& x) const { // x: [B, S, 24]
    auto const heads = [&](std::int64_t at) {
      return permute(reshape(narrow(x, 2, at, 8), {x.sym_size(0), x.sym_size(1), 2, 4}),
                     {0, 2, 1, 3});
    };
    Tensor const o = scaled_dot_product_attention(heads(0), heads(8), heads(16));
    return relu(reshape(permute(o, {0, 2, 1, 3}), {x.sym_size(0), x.sym_size(1), 8}));
  }
};

// Layer norm over the last two dims with weight and bias, over the last dim without
// them, and written out by hand with its normalized value read twice (so its scale stays
// a separate op), and a normalization over the first dim (not a layer norm).
struct Norms : Module<Norms> {
  BOOST_HANA_DEFINE_STRUCT(Norms, (Parameter, weight), (Parameter, bias));
  Norms()
      : weight(arange(12, {.dtype = dtype::float32}).reshape({3, 4}) * 0.1 + 0.5),
        bias(arange(12, {.dtype = dtype::float32}).reshape({3, 4}) * -0.2) {}
  Tensor forward(Tensor const& x) const { // x: [B, 3, 4]
    Tensor const a = layer_norm(x, {3, 4}, weight, bias);
    Tensor const b = layer_norm(x * 2.0, {4});
    Tensor const n = (x - mean(x, {-1}, true)) * rsqrt(var(x, {-1}, Scalar(0), true) + 1e-3);
    Tensor const c = (x - mean(x, {0}, true)) * rsqrt(var(x, {0}, Scalar(0), true) + 1e-3);
    return a + b + n * weight.select(0, 0) + n + c;
  }
};

// Products with a bias added, as PyTorch's decompositions of linear write them: a bmm of
// an expanded weight plus a bias (product first, alpha 2), a bias plus an mm (bias first,
// alpha 0.5); and three that stay: a product read twice, a bias that widens the product,
// a bias of another dtype (promoted).
struct Biases : Module<Biases> {
  BOOST_HANA_DEFINE_STRUCT(Biases, (Parameter, weight), (Parameter, bias), (Parameter, wide),
                           (Parameter, doubled));
  Biases()
      : weight(arange(12, {.dtype = dtype::float32}).reshape({4, 3}) * 0.1),
        bias(arange(3, {.dtype = dtype::float32}) - 1.0),
        wide(arange(6, {.dtype = dtype::float32}).reshape({2, 1, 1, 3})),
        doubled(arange(3, {.dtype = dtype::float64})) {}
  Tensor forward(Tensor const& x) const { // x: [B, 5, 4]
    Tensor const expanded = expand(weight, {x.sym_size(0), 4, 3});
    // An identity view between them, as PyTorch's graphs have (removed as a no-op).
    Tensor const a = add(view(bmm(x, expanded), {x.sym_size(0), 5, 3}), bias, 2.0); // [B, 5, 3]
    Tensor const b = add(bias, mm(x.select(0, 0), weight), 0.5);                    // [5, 3]
    Tensor const p = bmm(x * 2.0, expanded);
    Tensor const c = p + bias + relu(p);
    Tensor const d = sum(bmm(x, expanded) + wide, {0});
    Tensor const e = (bmm(x, expanded) + doubled).to(dtype::float32);
    return a + b + c + d + e;
  }
};

std::vector<std::string> op_names(graph::Graph const& g) {
  std::vector<std::string> out;
  for (graph::node const& n : g.nodes())
    if (n.target) out.emplace_back(n.target->schema().name);
  return out;
}

bool has_op(graph::Graph const& g, std::string_view name) {
  for (std::string const& op : op_names(g))
    if (op == name) return true;
  return false;
}

ExportedProgram export_noops() {
  Noops m;
  auto batch = Dim("batch", {.min = 2, .max = 64});
  return export_program(m, std::tuple{zeros({4, 4})}, {{batch, 4}});
}

// The input's symbols bound from its sizes, as ExportedModule binds them.
runtime::bindings bind_input(ExportedProgram const& ep, Tensor const& x) {
  runtime::bindings bound;
  ops::sym_sizes const& sizes = ep.graph.at(ep.graph.placeholders().back()).values[0].sizes;
  for (std::size_t d = 0; d < sizes.size(); ++d)
    if (sizes[d].is_symbolic())
      if (auto const symbol = sym::expr_of(sizes[d]).as_symbol())
        bound.bind(*symbol, x.size(static_cast<std::int64_t>(d)));
  return bound;
}

// The program's one result on `x` through plans with and without the passes and
// folding: bitwise the same, and close to eager's.
void check_plans_agree(ExportedProgram const& ep, Tensor const& x, Tensor const& eager,
                       tolerance tol = {}) {
  std::vector<Tensor> placeholders;
  for (input_spec const& spec : ep.signature.inputs)
    placeholders.push_back(spec.kind == input_kind::user_input ? x : ep.state_of(spec));
  runtime::plan optimized(ep.graph);
  runtime::plan plain(ep.graph, {.optimize = false, .fold_constants = false});
  runtime::bindings b1 = bind_input(ep, x);
  runtime::bindings b2 = bind_input(ep, x);
  ops::tensor_list const fast = optimized.run(placeholders, b1);
  ops::tensor_list const slow = plain.run(placeholders, b2);
  REQUIRE(fast.size() == 1);
  REQUIRE(slow.size() == 1);
  CHECK(equal(fast[0], slow[0]));
  CHECK(allclose(fast[0], eager, tol));
}

} // namespace

TEST_CASE("remove_noops: eval dropout, identity views, contiguous and a lone clone read "
          "their input") {
  ExportedProgram const ep = export_noops();
  graph::Graph g = ep.graph;
  passes::rewrites const removed = passes::remove_noops(g);
  std::vector<std::string> reasons;
  for (passes::rewrite const& r : removed)
    reasons.push_back(r.node + ": " + r.reason);
  INFO(ep.str());
  REQUIRE(removed.size() == 7);
  CHECK(reasons[0] == "dropout: dropout in eval mode is the identity");
  CHECK(reasons[1] == "dropout_1: dropout with p = 0 is the identity");
  CHECK(reasons[2] == "view: a view to the same sizes is the identity");
  CHECK(reasons[3] == "permute: a permutation by the identity is the identity");
  CHECK(reasons[4] == "transpose: a transpose of a dim with itself is the identity");
  CHECK(reasons[5] == "contiguous: the output of an op is contiguous already");
  CHECK(reasons[6] == "clone: a clone of a value nothing else reads is that value");
  for (passes::rewrite const& r : removed)
    CHECK(r.kept == "relu");
  std::size_t const before = g.nodes().size();
  CHECK(g.eliminate_dead_code() == 7);
  CHECK(g.nodes().size() == before - 7);
  // What stays: the real transpose, the flattening view, the clone of the input.
  CHECK(has_op(g, "aten::transpose.int"));
  CHECK(has_op(g, "aten::view"));
  CHECK(has_op(g, "aten::clone"));
  CHECK_FALSE(has_op(g, "aten::dropout"));
  CHECK_FALSE(has_op(g, "aten::contiguous"));
  CHECK_FALSE(has_op(g, "aten::permute"));
}

TEST_CASE("remove_noops: a clone whose input is read again or returned stays") {
  NeededClones m;
  ExportedProgram const ep = export_program(m, std::tuple{zeros({3, 2})});
  graph::Graph g = ep.graph;
  CHECK(passes::remove_noops(g).empty());
  // The graph returning a clone's input keeps the clone too.
  graph::Graph returning = ep.graph;
  std::vector<graph::value_ref> outputs = returning.outputs();
  for (std::uint32_t i = 0; i < returning.nodes().size(); ++i)
    if (returning.at(i).name == "exp") outputs.push_back({i, 0});
  returning.set_outputs(outputs);
  CHECK(passes::remove_noops(returning).empty());
}

TEST_CASE("remove_noops: an output that would become an input stays") {
  struct Identity : Module<Identity> {
    Tensor forward(Tensor const& x) const { return dropout(x, 0.5, false); }
  } m;
  ExportedProgram const ep = export_program(m, std::tuple{zeros({3})});
  graph::Graph g = ep.graph;
  CHECK(passes::remove_noops(g).empty());
  Tensor const x = arange(3, {.dtype = dtype::float32});
  Tensor const y = ep.module().call<Tensor>(x);
  CHECK(equal(y, x));
}

TEST_CASE("remove_noops: a clone of a view that keeps a fresh value contiguous") {
  ClonedViews m;
  Generator gen{3};
  Tensor const x = randn({3, 4}, gen);
  ExportedProgram const ep = export_program(m, std::tuple{x});
  graph::Graph g = ep.graph;
  passes::rewrites const removed = passes::remove_noops(g);
  INFO(ep.str());
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].node == "clone");
  CHECK(removed[0].kept == "view");
  CHECK(removed[0].reason == "a clone of a value nothing else reads is that value");
  check_plans_agree(ep, x, m(x));
}

TEST_CASE("reshape_copies: a view of a lone copy becomes a reshape, a view where it can") {
  Reshapes m;
  Generator gen{4};
  Tensor const x = randn({3, 8}, gen);
  auto batch = Dim("batch", {.min = 2, .max = 64});
  ExportedProgram const ep = export_program(m, std::tuple{x}, {{batch, 8}}).run_decompositions();
  INFO(ep.str());
  graph::Graph g = ep.graph;
  passes::rewrites const reshaped = passes::reshape_copies(g);
  REQUIRE(reshaped.size() == 2); // the returned reshape stays a copy
  for (passes::rewrite const& r : reshaped)
    CHECK(r.reason
          == "a copy made only to be viewed is a reshape, which copies only when the "
             "strides need it");
  g.eliminate_dead_code();
  CHECK(has_op(g, "aten::reshape"));
  CHECK(has_op(g, "aten::clone")); // the returned one
  // The plan runs the narrowed split as a view made once, the flattened transpose as a copy.
  ExportedModule run = ep.module();
  for (std::int64_t rows : {3, 9}) {
    Tensor const in = randn({rows, 8}, gen);
    auto const [a, b] = run.call<std::tuple<Tensor, Tensor>>(in);
    auto const [want_a, want_b] = m(in);
    CHECK(equal(a, want_a));
    CHECK(equal(b, want_b));
  }
  CHECK(run.execution_plan().optimizations().reshaped.size() == 2);
  std::string const plan = run.execution_plan().str();
  CHECK(plan.find("aten::reshape (view)") != std::string::npos);
  CHECK(plan.find("aten::reshape (compute)") != std::string::npos);
  // A graph with an in-place op keeps its copies: a view would see the op's writes.
  struct Mutating : Module<Mutating> {
    BOOST_HANA_DEFINE_STRUCT(Mutating, (Buffer, count));
    Mutating() : count(zeros({2})) {}
    Tensor forward(Tensor const& x) {
      add_(count, 1.0);
      return sum(reshape(transpose(exp(x), 0, 1), {-1})) + sum(count);
    }
  } mutating;
  graph::Graph with_mutation = export_program(mutating, std::tuple{x}).run_decompositions().graph;
  if (std::ranges::any_of(with_mutation.nodes(), [](graph::node const& n) {
        return n.target && has_tag(n.target->schema().tags, ops::op_tag::in_place);
      }))
    CHECK(passes::reshape_copies(with_mutation).empty());
}

TEST_CASE("fuse_layer_norm: layer norm written out as ops is one layer norm again") {
  Norms m;
  Generator gen{16};
  auto batch = Dim("batch", {.min = 2, .max = 64});
  ExportedProgram const ep =
      export_program(m, std::tuple{randn({2, 3, 4}, gen)}, {{batch, 3, 4}}).run_decompositions();
  INFO(ep.str());
  REQUIRE_FALSE(has_op(ep.graph, "aten::layer_norm"));
  graph::Graph g = ep.graph;
  passes::rewrites const fused = passes::fuse_layer_norm(g);
  REQUIRE(fused.size() == 3);
  for (passes::rewrite const& r : fused)
    CHECK(r.reason == "layer norm written out as ops is one layer norm");
  g.eliminate_dead_code();
  std::vector<graph::node const*> norms;
  for (graph::node const& n : g.nodes())
    if (passes::detail::is<ops::layer_norm>(n)) norms.push_back(&n);
  REQUIRE(norms.size() == 3);
  // Weight and bias joined the first; none for the second; the third's value is read
  // twice, so its scale stays a `mul`.
  CHECK(norms[0]->args[1].has_value());
  CHECK(norms[0]->args[2].has_value());
  CHECK(norms[0]->target->get<ops::layer_norm>().normalized_shape.size() == 2);
  CHECK_FALSE(norms[1]->args[1].has_value());
  CHECK_FALSE(norms[2]->args[1].has_value());
  CHECK(norms[2]->target->get<ops::layer_norm>().eps == doctest::Approx(1e-3));
  // The normalization over dim 0 keeps its statistics.
  CHECK(has_op(g, "aten::var.correction"));
  ExportedModule run = ep.module();
  CHECK(run.execution_plan().optimizations().fused.size() == 3);
  for (std::int64_t b : {2, 5}) {
    Tensor const x = randn({b, 3, 4}, gen);
    CHECK(allclose(run.call<Tensor>(x), m(x), {.rtol = 1e-5, .atol = 1e-5}));
  }
}

TEST_CASE("fuse_product_bias: a product and the bias added to it are one call") {
  Biases m;
  Generator gen{17};
  auto batch = Dim("batch", {.min = 2, .max = 64});
  ExportedProgram const ep = export_program(m, std::tuple{randn({3, 5, 4}, gen)}, {{batch, 5, 4}});
  INFO(ep.str());
  graph::Graph g = ep.graph;
  passes::remove_noops(g);
  g.eliminate_dead_code();
  passes::rewrites const fused = passes::fuse_product_bias(g);
  REQUIRE(fused.size() == 2);
  for (passes::rewrite const& r : fused)
    CHECK(r.reason == "a matrix product and the bias added to it are one call");
  g.eliminate_dead_code();
  std::vector<graph::node const*> batched, single;
  for (graph::node const& n : g.nodes()) {
    if (passes::detail::is<ops::baddbmm>(n)) batched.push_back(&n);
    if (passes::detail::is<ops::addmm>(n)) single.push_back(&n);
  }
  REQUIRE(batched.size() == 1);
  REQUIRE(single.size() == 1);
  // add(p, bias, 2) = 2 * bias + p;  add(bias, p, 0.5) = bias + 0.5 * p.
  CHECK(batched[0]->target->get<ops::baddbmm>().beta.to<double>() == 2.0);
  CHECK(batched[0]->target->get<ops::baddbmm>().alpha.to<double>() == 1.0);
  CHECK(single[0]->target->get<ops::addmm>().beta.to<double>() == 1.0);
  CHECK(single[0]->target->get<ops::addmm>().alpha.to<double>() == 0.5);
  // The three that stay are still products followed by an add.
  CHECK(std::ranges::count(op_names(g), "aten::bmm") == 3);
  ExportedModule run = ep.module();
  CHECK(run.execution_plan().optimizations().fused.size() == 2);
  for (std::int64_t b : {2, 7}) {
    Tensor const x = randn({b, 5, 4}, gen);
    CHECK(allclose(run.call<Tensor>(x), m(x), {.rtol = 1e-5, .atol = 1e-5}));
  }
}

TEST_CASE("eliminate_common_subexpressions: repeated calls are read once") {
  Repeats m;
  auto batch = Dim("batch", {.min = 2, .max = 64});
  ExportedProgram const ep = export_program(m, std::tuple{zeros({4, 4})}, {{batch, 4}});
  graph::Graph g = ep.graph;
  passes::rewrites const merged = passes::eliminate_common_subexpressions(g);
  // add_1 repeats add; then exp_1 repeats exp (once its input is add); transpose_1 too.
  REQUIRE(merged.size() == 3);
  CHECK(merged[0].node == "add_1");
  CHECK(merged[0].kept == "add");
  CHECK(merged[1].node == "exp_1");
  CHECK(merged[1].kept == "exp");
  CHECK(merged[2].node == "transpose_1");
  CHECK(merged[2].kept == "transpose");
  CHECK(g.eliminate_dead_code() == 3);
  Generator gen{11};
  for (std::int64_t const b : {4, 9}) {
    Tensor const x = randn({b, 4}, gen);
    check_plans_agree(ep, x, m(x));
  }
}

TEST_CASE("eliminate_common_subexpressions: random draws are never merged") {
  struct Draw : Module<Draw> {
    Tensor forward(Tensor const& x) const {
      Generator gen{3};
      return dropout(x, 0.5, true, &gen);
    }
  } m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({8})});
  graph::Graph g = ep.graph;
  graph::value_ref const first = g.outputs().at(0);
  graph::node const drop = g.at(first.node);
  REQUIRE(drop.target);
  CHECK(drop.target->schema().name == "aten::dropout");
  // The same draw (op, attributes, seed and input) twice: still two draws.
  std::uint32_t const again = g.add_call(*drop.target, drop.args, drop.values, std::nullopt, {});
  g.set_outputs({first, {again, 0}});
  CHECK(passes::eliminate_common_subexpressions(g).empty());
}

TEST_CASE("eliminate_common_subexpressions: nothing is merged across a write in place") {
  // relu(x); x.add_(x); relu(x): as a graph loaded from PyTorch's training IR has it.
  struct Reads : Module<Reads> {
    Tensor forward(Tensor const& x) const { return relu(x) + relu(x * 1.0); }
  } m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({4})});
  graph::Graph g = ep.graph;
  graph::value_ref const x{0, 0};
  graph::node const relu_node = g.at(g.at(g.outputs().at(0).node).args.at(0)->node);
  REQUIRE(relu_node.target->schema().name == "aten::relu");
  std::uint32_t const before =
      g.add_call(*relu_node.target, {x}, relu_node.values, std::nullopt, {});
  std::uint32_t const write = g.add_call(ops::boxed_attributes::of<ops::add_>({std::nullopt, 1}),
                                         {x, x}, relu_node.values, std::nullopt, {});
  std::uint32_t const after =
      g.add_call(*relu_node.target, {x}, relu_node.values, std::nullopt, {});
  std::uint32_t const again =
      g.add_call(*relu_node.target, {x}, relu_node.values, std::nullopt, {});
  g.set_outputs({{before, 0}, {write, 0}, {after, 0}, {again, 0}});
  // Before the write, the repeat reads the model's relu; after it, only a repeat of a
  // call made after the write is merged.
  passes::rewrites const merged = passes::eliminate_common_subexpressions(g);
  REQUIRE(merged.size() == 2);
  CHECK(merged[0].node == g.at(before).name);
  CHECK(merged[0].kept == relu_node.name);
  CHECK(merged[1].node == g.at(again).name);
  CHECK(merged[1].kept == g.at(after).name);

  // Two equal calls, one of them written in place later: two tensors, never merged.
  graph::Graph h = ep.graph;
  std::uint32_t const first =
      h.add_call(*relu_node.target, {x}, relu_node.values, std::nullopt, {});
  std::uint32_t const second =
      h.add_call(*relu_node.target, {x}, relu_node.values, std::nullopt, {});
  std::uint32_t const into_first =
      h.add_call(ops::boxed_attributes::of<ops::add_>({std::nullopt, 1}),
                 {graph::value_ref{first, 0}, x}, relu_node.values, std::nullopt, {});
  h.set_outputs({{into_first, 0}, {first, 0}, {second, 0}});
  for (passes::rewrite const& r : passes::eliminate_common_subexpressions(h))
    CHECK(r.kept != h.at(first).name);
}

TEST_CASE("optimize: reports every rewrite; ep.module() runs the optimized graph") {
  ExportedProgram const ep = export_noops();
  graph::Graph g = ep.graph;
  passes::report const r = passes::optimize(g);
  CHECK(r.noops.size() == 7);
  CHECK(r.merged.empty());
  CHECK(r.removed == 7);
  CHECK(r.str().find("dropout -> relu: dropout in eval mode is the identity\n")
        != std::string::npos);
  CHECK(r.str().find("7 unused nodes removed") != std::string::npos);
  ExportedModule run = ep.module();
  CHECK(run.execution_plan().optimizations().removed == 7);
  Noops m;
  Generator gen{12};
  for (std::int64_t const b : {4, 2, 33}) {
    Tensor const x = randn({b, 4}, gen);
    CHECK(allclose(run.call<Tensor>(x), m(x)));
    check_plans_agree(ep, x, m(x));
  }
  // The plan's own listing has no step for a removed node.
  CHECK(run.execution_plan().str().find("dropout") == std::string::npos);
  CHECK(run.execution_plan().str().find("relu: aten::relu (into)") != std::string::npos);
}

TEST_CASE("plan: values that read no input are computed once per signature") {
  CausalAttention m;
  auto batch = Dim("batch", {.min = 1, .max = 16});
  auto seq = Dim("seq", {.min = 2, .max = 64});
  ExportedProgram const ep =
      export_program(m, std::tuple{zeros({2, 2, 5, 4})}, {{batch, 2, seq, 4}}).run_decompositions();
  // The causal mask: full, then tril as arange rows and columns compared, on the bound
  // sizes alone.
  REQUIRE(has_op(ep.graph, "aten::arange.start_step"));
  ExportedModule run = ep.module();
  Generator gen{13};
  for (std::int64_t const b : {2, 5, 2}) {
    Tensor const x = randn({b, 2, b + 3, 4}, gen);
    // The decomposition scales q and k and sums in another order than the fused kernel.
    tolerance const tol{.rtol = 1e-5, .atol = 1e-6};
    CHECK(allclose(run.call<Tensor>(x), m(x), tol));
    check_plans_agree(ep, x, m(x), tol);
    CHECK(run.execution_plan().folded() > 0);
    CHECK(run.execution_plan().str().find("(constant)") != std::string::npos);
  }
  // Without folding, nothing is.
  runtime::plan plain(ep.graph, {.optimize = true, .fold_constants = false});
  std::vector<Tensor> const in{randn({2, 2, 5, 4}, gen)};
  runtime::bindings bound = bind_input(ep, in[0]);
  CHECK(allclose(plain.run(in, bound)[0], m(in[0]), {.rtol = 1e-5, .atol = 1e-6}));
  CHECK(plain.folded() == 0);
}

TEST_CASE("fuse_attention: products around a safe softmax become one attention") {
  Generator gen{14};
  Tensor const q = randn({4, 5, 8}, gen), k = randn({4, 7, 8}, gen), v = randn({4, 7, 3}, gen);
  for (bool const safe : {true, false}) {
    WrittenAttention m;
    m.safe = safe;
    ExportedProgram const ep = export_program(m, std::tuple{q, k, v}).run_decompositions();
    INFO(ep.str());
    REQUIRE(has_op(ep.graph, "aten::_softmax"));
    graph::Graph g = ep.graph;
    passes::rewrites const fused = passes::fuse_attention(g);
    if (!safe) {
      // A plain softmax gives NaN on a row of -inf, the fused op zeros: left alone.
      CHECK(fused.empty());
      continue;
    }
    REQUIRE(fused.size() == 1);
    CHECK(fused[0].kept == "scaled_dot_product_attention");
    g.eliminate_dead_code();
    CHECK(has_op(g, "aten::scaled_dot_product_attention"));
    CHECK_FALSE(has_op(g, "aten::_softmax"));
    CHECK_FALSE(has_op(g, "aten::any.dims"));
    CHECK_FALSE(has_op(g, "aten::bmm"));
    Tensor const want = m(q, k, v);
    ExportedModule run = ep.module();
    CHECK(allclose(run.call<Tensor>(q, k, v), want, {.rtol = 1e-5, .atol = 1e-6}));
    CHECK(run.execution_plan().optimizations().fused.size() == 1);
    // A row that sees nothing (every score -inf) gives zeros in both forms.
    Tensor const blocked = q.clone();
    blocked.select(0, 1).select(0, 2).copy_(full({8}, std::numeric_limits<float>::infinity()));
    Tensor const keys = k.clone();
    keys.select(0, 1).copy_(full({7, 8}, -1.0f));
    Tensor const got = run.call<Tensor>(blocked, keys, v);
    CHECK(equal(got.select(0, 1).select(0, 2), zeros({3})));
    CHECK(allclose(got, m(blocked, keys, v), {.rtol = 1e-5, .atol = 1e-6}));
  }
}

TEST_CASE("fuse_attention: xport's decomposition of attention on heads runs as one attention "
          "reading q, k and v where they lie") {
  HeadsAttention m;
  Generator gen{15};
  auto batch = Dim("batch", {.min = 1, .max = 64});
  auto seq = Dim("seq", {.min = 2, .max = 128});
  ExportedProgram const ep =
      export_program(m, std::tuple{randn({2, 5, 24}, gen)}, {{batch, seq, 24}})
          .run_decompositions();
  INFO(ep.str());
  REQUIRE_FALSE(has_op(ep.graph, "aten::scaled_dot_product_attention"));
  graph::Graph g = ep.graph;
  passes::report const report = passes::optimize(g);
  INFO(report.str());
  REQUIRE(report.fused.size() == 1);
  // One attention on the [batch, heads, seq, dim] views: no product, no softmax, no copy
  // (merging the result's heads is a reshape, which copies).
  CHECK(has_op(g, "aten::scaled_dot_product_attention"));
  CHECK_FALSE(has_op(g, "aten::bmm"));
  CHECK_FALSE(has_op(g, "aten::_softmax"));
  CHECK_FALSE(has_op(g, "aten::clone"));
  // The scale the decomposition put on q and k (the root of 1/sqrt(4) each) is the
  // attention's own: no multiplication is left.
  CHECK_FALSE(has_op(g, "aten::mul.Tensor"));
  for (graph::node const& n : g.nodes()) {
    if (!passes::detail::is<ops::scaled_dot_product_attention>(n)) continue;
    CHECK(g.meta(*n.args[0]).sizes.size() == 4);
    CHECK(n.target->get<ops::scaled_dot_product_attention>().scale == doctest::Approx(0.5));
  }
  ExportedModule run = ep.module();
  for (auto [b, s] : {std::pair{1, 7}, std::pair{3, 16}}) {
    Tensor const x = randn({b, s, 24}, gen);
    CHECK(allclose(run.call<Tensor>(x), m(x), {.rtol = 1e-5, .atol = 1e-6}));
  }
}
