// Twins of tests in PyTorch's test/export/test_export.py whose features xport has but no
// other test exercised (docs/torch_export_parity.md lists each; the PyTorch name is in
// each test's comment). Each exports the model, checks what PyTorch's test checks of the
// program, and calls it against eager execution.
#include <xport/api/attention.hpp>
#include <xport/api/creation.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/indexing.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>
#include <xport/nn/embedding.hpp>

#include <support/programs.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>

using namespace xport;
using xport_test::reloaded;
using xport_test::says;

namespace {

// test_no_tensor_computation_2: an input returned as it is, next to a computed output.
struct ReturnsInput : Module<ReturnsInput> {
  BOOST_HANA_DEFINE_STRUCT(ReturnsInput);
  std::tuple<Tensor, Tensor> forward(Tensor const& x, Tensor const& y) const {
    return {x, y + 1.0};
  }
};

// test_unused_constant: a tensor made in forward and never used is not lifted.
struct UnusedConstant : Module<UnusedConstant> {
  BOOST_HANA_DEFINE_STRUCT(UnusedConstant);
  Tensor forward(Tensor const& x) const {
    Tensor const unused = ones({3});
    (void)unused;
    return cos(x);
  }
};

// test_state_primitives: plain numbers of the module are read as constants.
struct Primitives : Module<Primitives> {
  BOOST_HANA_DEFINE_STRUCT(Primitives);
  std::int64_t count = 3;
  double scale = 0.5;
  Tensor forward(Tensor const& x) const { return x * static_cast<double>(count) + scale; }
};

// test_preserve_shape_dynamism_for_unused_inputs: an unused input keeps its placeholder
// and its dynamic dim.
struct UnusedInput : Module<UnusedInput> {
  BOOST_HANA_DEFINE_STRUCT(UnusedInput);
  Tensor forward(Tensor const& x, Tensor const& unused) const {
    (void)unused;
    return x + 1.0;
  }
};

// test_constant_return: a tensor member returned next to a computed output.
struct ReturnsConstant : Module<ReturnsConstant> {
  BOOST_HANA_DEFINE_STRUCT(ReturnsConstant, (Tensor, foo));
  ReturnsConstant() : foo(arange(4, {.dtype = dtype::float32})) {}
  std::tuple<Tensor, Tensor> forward(Tensor const& x) const { return {foo, x + foo}; }
};

// test_float_conversion_from_int: to(dtype) is `_to_copy`; a no-op to() records nothing.
struct Converts : Module<Converts> {
  BOOST_HANA_DEFINE_STRUCT(Converts);
  Tensor forward(Tensor const& x) const {
    return xport::to(xport::to(x, dtype::float32), dtype::float32);
  }
};

// test_operator_aten_tensor_mode_variant: division with a rounding mode.
struct FloorDivides : Module<FloorDivides> {
  BOOST_HANA_DEFINE_STRUCT(FloorDivides);
  Tensor forward(Tensor const& x, Tensor const& y) const { return div(x, y, "floor"); }
};

// test_use_embedding_twice: an embedding and an index of its table in one program.
struct EmbeddingTwice : Module<EmbeddingTwice> {
  BOOST_HANA_DEFINE_STRUCT(EmbeddingTwice, (nn::Embedding, embed));
  explicit EmbeddingTwice(Generator& gen) : embed(4, 2, gen) {}
  Tensor forward(Tensor const& ids) const { return embed(ids) + index(embed.weight, {ids}); }
};

// test_user_input_and_buffer_mutation: one program mutating an input and a buffer.
struct MutatesBoth : Module<MutatesBoth> {
  BOOST_HANA_DEFINE_STRUCT(MutatesBoth, (Buffer, foo));
  MutatesBoth() : foo(ones({3})) {}
  Tensor forward(Tensor const& x) {
    add_(foo, x);
    mul_(x, 2.0);
    return x + foo;
  }
};

// test_constant_tensor_mutation: a plain tensor member (a constant) cannot be mutated.
struct MutatesConstant : Module<MutatesConstant> {
  BOOST_HANA_DEFINE_STRUCT(MutatesConstant, (Tensor, foo));
  MutatesConstant() : foo(ones({3})) {}
  Tensor forward(Tensor const& x) {
    add_(foo, x);
    return foo + x;
  }
};

// test_check_specialized_int: scatter_add along a dim given as an integer.
struct ScatterAdd : Module<ScatterAdd> {
  BOOST_HANA_DEFINE_STRUCT(ScatterAdd);
  Tensor forward(Tensor const& src, Tensor const& idx) const {
    return scatter_add(zeros({3, 4}), 0, idx, src);
  }
};

// test_sdpa_gqa: attention with fewer key/value heads than query heads.
struct GroupedAttention : Module<GroupedAttention> {
  BOOST_HANA_DEFINE_STRUCT(GroupedAttention);
  Tensor forward(Tensor const& q, Tensor const& k, Tensor const& v) const {
    return scaled_dot_product_attention(q, k, v, {}, {.enable_gqa = true});
  }
};

// test_tensor_attribute_zero_args and test_double_lifted_constants: no inputs; a member's
// clone and two tensors made in forward.
struct NoInputs : Module<NoInputs> {
  BOOST_HANA_DEFINE_STRUCT(NoInputs, (Tensor, foo));
  NoInputs() : foo(full({2}, 3.0)) {}
  std::tuple<Tensor, Tensor, Tensor> forward() const {
    return {foo.clone(), ones({2}) * 2.0, arange(3, {.dtype = dtype::float32})};
  }
};

// test_none_input_output: an empty optional input and an empty optional output.
struct NoneInOut : Module<NoneInOut> {
  BOOST_HANA_DEFINE_STRUCT(NoneInOut);
  std::tuple<Tensor, std::optional<Tensor>> forward(Tensor const& x,
                                                    std::optional<Tensor> const& maybe) const {
    return {maybe ? x + *maybe : x * 2.0, std::nullopt};
  }
};

} // namespace

TEST_CASE("test_tensor_attribute_zero_args, test_double_lifted_constants: no inputs") {
  NoInputs m;
  ExportedProgram const ep = export_program(m, std::tuple{});
  INFO(ep.str());
  for (input_spec const& in : ep.signature.inputs)
    CHECK(in.kind != input_kind::user_input); // constants only
  auto const [foo, twos, range] = ep.module().call<std::tuple<Tensor, Tensor, Tensor>>();
  CHECK(equal(foo, full({2}, 3.0)));
  CHECK(equal(twos, full({2}, 2.0)));
  CHECK(equal(range, from<float>({0.f, 1.f, 2.f})));
}

TEST_CASE("test_none_input_output: an empty optional input and output") {
  NoneInOut m;
  ExportedProgram const ep =
      export_program(m, std::tuple{ones({2}), std::optional<Tensor>()}, {}, {.input_names = {"x"}});
  INFO(ep.str());
  auto const [y, nothing] = ep.module().call<std::tuple<Tensor, std::optional<Tensor>>>(
      from<float>({1.f, 2.f}), std::optional<Tensor>());
  CHECK(equal(y, from<float>({2.f, 4.f})));
  CHECK_FALSE(nothing.has_value());
}

TEST_CASE("test_no_tensor_computation_2: an input returned unchanged") {
  ReturnsInput m;
  ExportedProgram const ep =
      export_program(m, std::tuple{ones({2}), ones({2})}, {}, {.input_names = {"x", "y"}});
  INFO(ep.str());
  CHECK(says(ep.str(), "return (x, add)"));
  Tensor const x = from<float>({1.f, 2.f});
  auto const [a, b] = ep.module().call<std::tuple<Tensor, Tensor>>(x, x);
  CHECK(equal(a, x));
  CHECK(equal(b, from<float>({2.f, 3.f})));
}

TEST_CASE("test_unused_constant: a tensor made in forward and not used is not lifted") {
  UnusedConstant m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({3})});
  INFO(ep.str());
  CHECK(ep.signature.inputs.size() == 1);
  CHECK(ep.constants.empty());
  CHECK_FALSE(says(ep.str(), "c_lifted_tensor"));
}

TEST_CASE("test_state_primitives: numbers of the module are constants of the program") {
  Primitives m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({2})});
  INFO(ep.str());
  CHECK(ep.signature.inputs.size() == 1);
  m.count = 10; // the program keeps the value it traced
  CHECK(allclose(ep.module().call<Tensor>(ones({2})), full({2}, 3.5)));
}

TEST_CASE("test_preserve_shape_dynamism_for_unused_inputs: an unused input stays dynamic") {
  UnusedInput m;
  auto n = Dim("n");
  ExportedProgram const ep =
      export_program(m, std::tuple{ones({3}), ones({4})},
                     sym::dynamic_shapes({sym::shape_spec{3}, sym::shape_spec{n}}),
                     {.input_names = {"x", "unused"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(says(text, "unused: \"f32[s0]\""));
  CHECK(allclose(ep.module().call<Tensor>(ones({3}), ones({9})), full({3}, 2.0)));
}

TEST_CASE("test_constant_return: a tensor member returned as an output") {
  ReturnsConstant m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({4})});
  INFO(ep.str());
  CHECK(says(ep.str(), "c_foo: CONSTANT_TENSOR target='foo'"));
  auto const [foo, sum] = ep.module().call<std::tuple<Tensor, Tensor>>(ones({4}));
  CHECK(equal(foo, m.foo));
  CHECK(equal(sum, m.foo + 1.0));
  auto const [foo_again, unused] =
      reloaded(ep).module().call<std::tuple<Tensor, Tensor>>(ones({4}));
  (void)unused;
  CHECK(equal(foo_again, m.foo));
  // test_constant_output_dup: the same after decomposition.
  auto const [foo_lowered, sum_lowered] =
      ep.run_decompositions().module().call<std::tuple<Tensor, Tensor>>(ones({4}));
  CHECK(equal(foo_lowered, m.foo));
  CHECK(equal(sum_lowered, m.foo + 1.0));
}

TEST_CASE("test_float_conversion_from_int: to(float) of an int input is one _to_copy") {
  Converts m;
  ExportedProgram const ep = export_program(m, std::tuple{arange(3)}, {}, {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(says(text, "aten::_to_copy(x, dtype=torch.float32)"));
  CHECK(text.find("aten::_to_copy(")
        == text.rfind("aten::_to_copy(")); // the no-op to() records nothing
  Tensor const x = from<std::int64_t>({4, -1, 7});
  Tensor const got = ep.module().call<Tensor>(x);
  CHECK(got.dtype() == dtype::float32);
  CHECK(equal(got, from<float>({4.f, -1.f, 7.f})));
}

TEST_CASE("test_operator_aten_tensor_mode_variant: div with rounding_mode='floor'") {
  FloorDivides m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({3}), ones({3})});
  INFO(ep.str());
  CHECK(says(ep.str(), "rounding_mode='floor'"));
  Tensor const x = from<float>({7.f, -7.f, 5.5f});
  Tensor const y = from<float>({2.f, 2.f, -2.f});
  CHECK(equal(ep.module().call<Tensor>(x, y), from<float>({3.f, -4.f, -3.f})));
  CHECK(equal(ep.run_decompositions().module().call<Tensor>(x, y), m(x, y)));
}

TEST_CASE("test_use_embedding_twice: an embedding and an index of its table") {
  Generator gen{71};
  EmbeddingTwice m(gen);
  Tensor const ids = from<std::int64_t>({3, 0, 3});
  ExportedProgram const ep = export_program(m, std::tuple{ids});
  INFO(ep.str());
  CHECK(says(ep.str(), "aten::embedding("));
  CHECK(says(ep.str(), "aten::index.Tensor("));
  Tensor const other = from<std::int64_t>({1, 2, 1});
  CHECK(allclose(ep.module().call<Tensor>(other), m(other)));
  CHECK(allclose(m(other), index_select(m.embed.weight, 0, other) * 2.0));
}

TEST_CASE("test_user_input_and_buffer_mutation: an input and a buffer mutated by one program") {
  MutatesBoth m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({3})}, {}, {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(says(text, "BUFFER_MUTATION target='foo'"));
  CHECK(says(text, "USER_INPUT_MUTATION target='x'"));
  MutatesBoth eager;
  Tensor const x = from<float>({1.f, 2.f, 3.f});
  Tensor const eager_x = x.clone();
  Tensor const want = eager(eager_x);
  ExportedProgram fresh = ep;
  fresh.state_dict.at("foo") = ones({3});
  ExportedModule run = fresh.module();
  Tensor const run_x = x.clone();
  CHECK(equal(run.call<Tensor>(run_x), want));
  CHECK(equal(run_x, eager_x));
  CHECK(equal(run.program().state_dict.at("foo"), eager.foo));
  // test_export_for_training_run_decomp: decomposing keeps both mutations.
  std::string const lowered = ep.run_decompositions().str();
  CHECK(says(lowered, "BUFFER_MUTATION target='foo'"));
  CHECK(says(lowered, "USER_INPUT_MUTATION target='x'"));
}

TEST_CASE("test_constant_tensor_mutation: mutating a tensor member (a constant) is refused") {
  MutatesConstant m;
  CHECK_THROWS_WITH_AS(export_program(m, std::tuple{ones({3})}),
                       doctest::Contains("only buffers and user inputs may be mutated"),
                       value_error);
}

TEST_CASE("test_check_specialized_int: scatter_add exported and decomposed") {
  ScatterAdd m;
  Tensor const idx = from<std::int64_t>({{0, 1, 2, 0}, {1, 2, 0, 1}});
  ExportedProgram const ep = export_program(m, std::tuple{ones({2, 4}), idx});
  INFO(ep.str());
  CHECK(says(ep.str(), "aten::scatter_add("));
  Generator gen{72};
  Tensor const src = randn({2, 4}, gen);
  CHECK(allclose(ep.module().call<Tensor>(src, idx), m(src, idx)));
  CHECK(allclose(ep.run_decompositions().module().call<Tensor>(src, idx), m(src, idx)));
}

TEST_CASE("test_sdpa_gqa: attention with grouped key/value heads, a dynamic sequence") {
  GroupedAttention m;
  Generator gen{73};
  auto seq = Dim("seq", {.min = 2, .max = 64});
  ExportedProgram const ep = export_program(
      m, std::tuple{randn({1, 8, 5, 4}, gen), randn({1, 2, 5, 4}, gen), randn({1, 2, 5, 4}, gen)},
      {{1, 8, seq, 4}, {1, 2, seq, 4}, {1, 2, seq, 4}});
  INFO(ep.str());
  Tensor const q = randn({1, 8, 9, 4}, gen), k = randn({1, 2, 9, 4}, gen),
               v = randn({1, 2, 9, 4}, gen);
  CHECK(allclose(ep.module().call<Tensor>(q, k, v), m(q, k, v), {.rtol = 1e-5, .atol = 1e-6}));
  CHECK(allclose(ep.run_decompositions().module().call<Tensor>(q, k, v), m(q, k, v),
                 {.rtol = 1e-5, .atol = 1e-6}));
}
