// The bad-input catalog: what a careless or hostile caller can hand xport, layer by layer.
// Every case asserts the error type and a key phrase of its message; none may crash, read
// out of bounds or return a wrong answer (CI runs this file under ASan+UBSan, which turns
// any of those into a failure). Each case was found crashing, hanging or silently wrong
// before its root fix: checked arithmetic shared by Tensor members and meta rules, dim
// wrapping that knows rank 0, undefined inputs refused by `run_meta`, counted entry points,
// state checked against the graph, regular files only, and symbolic values that keep their
// shape environment alive or say it is gone.
#include "support/tensors.hpp"

#include <xport/xport.hpp>

#include <doctest/doctest.h>

#include <climits>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

using namespace xport;
using doctest::Contains;

namespace {

constexpr std::int64_t huge = std::int64_t{1} << 62;

struct Affine : Module<Affine> {
  BOOST_HANA_DEFINE_STRUCT(Affine, (nn::Linear, fc));
  explicit Affine(Generator& gen) : fc(4, 16, gen) {}
  Tensor forward(Tensor const& x) const { return relu(fc(x)); }
};

ExportedProgram affine_program() {
  Generator gen{0};
  Affine model(gen);
  auto batch = Dim("batch", {.min = 1, .max = 64});
  return export_program(model, std::tuple{randn({5, 4}, gen)}, {{batch, 4}});
}

// A fresh directory for files this test writes.
std::filesystem::path scratch_dir() {
  auto const dir =
      std::filesystem::temp_directory_path() / ("xport_bad_inputs_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

} // namespace

TEST_CASE("views: sizes, bounds and steps that overflow int64 are refused") {
  Tensor const t = zeros({4, 6});
  CHECK_THROWS_WITH_AS(t.view({huge, 4}), Contains("integer overflow"), value_error);
  CHECK_THROWS_WITH_AS(t.reshape({huge, -1}), Contains("is invalid for input of size 24"),
                       shape_error);
  CHECK_THROWS_WITH_AS(t.narrow(1, 2, INT64_MAX), Contains("exceeds dimension size (6)"),
                       index_error);
  CHECK_THROWS_WITH_AS(t.narrow(1, INT64_MAX, 1), Contains("exceeds dimension size"), index_error);
  CHECK_THROWS_WITH_AS(full({}, 1.0f).expand({huge, huge}), Contains("overflows int64"),
                       shape_error);
  CHECK_THROWS_WITH_AS(t.expand({huge, 4, 6}), Contains("overflows int64"), shape_error);
  // Python's clamping keeps extreme slice bounds valid: all of dim 1.
  CHECK(t.slice(1, INT64_MIN, INT64_MAX).size(1) == 6);
  CHECK(t.slice(1, 5, INT64_MAX, INT64_MAX).size(1) == 1);
  CHECK(xport::slice(t, 1, 1, INT64_MAX, INT64_MAX - 1).size(1) == 1);
}

TEST_CASE("raw views: strides and offsets that overflow are refused, not wrapped") {
  Storage const storage = zeros({16}).storage();
  CHECK_THROWS_WITH_AS(Tensor(storage, dtype::float32, {2, 2}, {INT64_MAX, 1}),
                       Contains("integer overflow"), value_error);
  CHECK_THROWS_WITH_AS(Tensor(storage, dtype::float32, {2}, {1}, INT64_MAX),
                       Contains("integer overflow"), value_error);
  CHECK_THROWS_WITH_AS(Tensor(storage, dtype::float32, {2}, {1}, -1),
                       Contains("must not be negative"), shape_error);
  CHECK_THROWS_WITH_AS(Tensor(storage, dtype::float32, {2, 2}, {huge, 1}),
                       Contains("needs more bytes than int64 can count"), shape_error);
  CHECK_THROWS_WITH_AS(Tensor(storage, dtype::float32, {4, 4}, {5, 1}), Contains("needs 76 bytes"),
                       shape_error);
}

TEST_CASE("permute handles any rank, including more than 64 dims") {
  std::vector<std::int64_t> sizes(70, 1);
  sizes[0] = 2;
  std::vector<std::int64_t> reversed(70);
  for (std::int64_t i = 0; i < 70; ++i)
    reversed[static_cast<std::size_t>(i)] = 69 - i;
  Tensor const z = zeros(sizes);
  CHECK(z.permute(reversed).size(69) == 2);
  reversed[1] = 69;
  CHECK_THROWS_WITH_AS(z.permute(reversed), Contains("duplicate dims"), index_error);
}

TEST_CASE("0-dim tensors: dims that do not exist are index errors, as in PyTorch") {
  Tensor const s = full({}, 3.0f);
  CHECK_THROWS_WITH_AS(s.size(0), Contains("Dimension specified as 0 but tensor has no dimensions"),
                       index_error);
  CHECK_THROWS_WITH_AS(s.stride(-1), Contains("Dimension specified as -1"), index_error);
  CHECK_THROWS_WITH_AS(s.sym_size(0), Contains("tensor has no dimensions"), index_error);
  CHECK_THROWS_WITH_AS(s.select(0, 0), Contains("select() cannot be applied to a 0-dim tensor"),
                       index_error);
  CHECK_THROWS_WITH_AS(s.slice(0, 0, 1), Contains("slice() cannot be applied to a 0-dim tensor"),
                       index_error);
  CHECK_THROWS_WITH_AS(s.narrow(0, 0, 1), Contains("narrow() cannot be applied to a 0-dim tensor"),
                       index_error);
  CHECK_THROWS_WITH_AS(s.permute({0}), Contains("number of dims don't match"), index_error);
  // What PyTorch allows on a scalar: dims 0 and -1 where an op treats it as rank 1.
  CHECK(s.transpose(0, -1).dim() == 0);
  CHECK(s.squeeze(0).dim() == 0);
  CHECK(s.unsqueeze(0).dim() == 1);
  CHECK(s.flatten().dim() == 1);
  CHECK(s.permute({}).dim() == 0);
  CHECK_THROWS_WITH_AS(s.transpose(0, 1), Contains("Dimension out of range"), index_error);
  CHECK_THROWS_WITH_AS(s.flatten(2), Contains("Dimension out of range"), index_error);
  // The op front ends say the same as the members.
  CHECK_THROWS_WITH_AS(xport::select(s, 0, 0), Contains("select() cannot be applied"), index_error);
  CHECK_THROWS_WITH_AS(xport::narrow(s, 0, 0, 1), Contains("narrow() cannot be applied"),
                       index_error);
}

TEST_CASE("0-dim tensors through the op front ends: dims 0 and -1 name the one element") {
  Tensor const s = full({}, 3.0f);
  CHECK(equal(sum(s, {0}), s));
  CHECK(equal(xport::squeeze(s, 0), s));
  CHECK_THROWS_WITH_AS(xport::squeeze(s, {0, -1}), Contains("appears multiple times"), index_error);
  CHECK(equal(cumsum(s, 0), s));
  CHECK(allclose(softmax(s, -1), full({}, 1.0f)));
  CHECK(argmax(s, 0).item<std::int64_t>() == 0);
  CHECK(equal(flip(s, {0}), s));
  CHECK(equal(xport::transpose(s, 0, -1), s));
  CHECK(equal(index_select(s, 0, zeros({1}, {.dtype = dtype::int64})), s)); // 0-dim, as torch
  CHECK(equal(gather(s, 0, zeros({}, {.dtype = dtype::int64})), s));
  CHECK_THROWS_WITH_AS(sum(s, {1}), Contains("Dimension out of range"), index_error);
  CHECK_THROWS_WITH_AS(cumsum(s, 2), Contains("Dimension out of range"), index_error);
  CHECK_THROWS_WITH_AS(unflatten(s, 0, {1}), Contains("cannot unflatten a 0-dim tensor"),
                       shape_error);
}

TEST_CASE("ops: undefined tensors are named as such, except where an input is optional") {
  Tensor const t = ones({2, 3});
  CHECK_THROWS_WITH_AS(cat({Tensor{}, t}), Contains("cat(): input 0 is an undefined tensor"),
                       value_error);
  CHECK_THROWS_WITH_AS(stack({t, Tensor{}}), Contains("input 1 is an undefined tensor"),
                       value_error);
  CHECK_THROWS_WITH_AS(add(Tensor{}, t), Contains("undefined"), value_error);
  // Optional inputs stay optional: a linear layer without bias, clamp with one bound.
  Tensor const w = ones({4, 3});
  CHECK(allclose(linear(t, w, Tensor{}), full({2, 4}, 3.0f)));
  CHECK(allclose(clamp(t, Tensor{}, zeros({3})), zeros({2, 3})));
}

TEST_CASE("conv: padding near INT64_MAX is an overflow error, not wrapped sizes") {
  Tensor const x = zeros({1, 1, 4, 4});
  Tensor const w = zeros({1, 1, 3, 3});
  CHECK_THROWS_WITH_AS(conv2d(x, w, {}, conv_options{.padding = {INT64_MAX, 1}}),
                       Contains("integer overflow"), value_error);
  CHECK_THROWS_WITH_AS(conv2d(x, w, {}, conv_options{.padding = {-1, 0}}),
                       Contains("negative padding"), value_error);
}

TEST_CASE("ExportedModule::run counts its flat inputs before reading them") {
  ExportedModule m = affine_program().module();
  Generator gen{1};
  CHECK_THROWS_WITH_AS(m.run({}), Contains("Unexpected number of inputs (expected 1, got 0)"),
                       value_error);
  CHECK_THROWS_WITH_AS(m.run({randn({2, 4}, gen), randn({2, 4}, gen)}),
                       Contains("Unexpected number of inputs (expected 1, got 2)"), value_error);
  CHECK_THROWS_WITH_AS(m.run({std::int64_t{3}}), Contains("to be a Tensor, but got int"),
                       value_error);
  CHECK_THROWS_WITH_AS(m.call<Tensor>(Tensor{}),
                       Contains("to be a Tensor, but got an undefined Tensor"), value_error);
  CHECK(m.run({randn({2, 4}, gen)}).size() == 1);
}

TEST_CASE("state replaced in state_dict must keep its dtype, sizes and device") {
  ExportedProgram const ep = affine_program();
  SUBCASE("a bias that would broadcast") {
    ExportedProgram bad = ep;
    bad.state_dict["fc.bias"] = zeros({1});
    CHECK_THROWS_WITH_AS(
        bad.module(),
        Contains("the state 'fc.bias' (placeholder p_fc_bias) has size [1], but the program was "
                 "traced with [16]"),
        shape_error);
    CHECK_THROWS_WITH_AS(save_to_bytes(bad), Contains("xport::save: the state 'fc.bias'"),
                         shape_error);
  }
  SUBCASE("another dtype") {
    ExportedProgram bad = ep;
    bad.state_dict["fc.weight"] = zeros({16, 4}, {.dtype = dtype::float64});
    CHECK_THROWS_WITH_AS(bad.module(), Contains("'fc.weight' (placeholder p_fc_weight) has dtype"),
                         dtype_error);
  }
  SUBCASE("missing or undefined") {
    ExportedProgram bad = ep;
    bad.state_dict.erase("fc.weight");
    CHECK_THROWS_WITH_AS(bad.module(), Contains("no state named 'fc.weight'"), value_error);
    bad.state_dict["fc.weight"] = Tensor{};
    CHECK_THROWS_WITH_AS(bad.module(), Contains("is not a tensor with data"), value_error);
  }
  SUBCASE("an input contract that disagrees with the placeholders") {
    // As the load fuzzer's contract-disagrees-with-placeholder, but replaced in memory: a
    // contract narrower or wider than the graph's sizes would admit calls the graph was
    // never traced for.
    ExportedProgram bad = ep;
    sym::input_contract fixed(sym::zero_one_policy::accept_at_runtime);
    fixed.add_input("args[0]", {2, 4});
    bad.contract = fixed;
    CHECK_THROWS_WITH_AS(
        bad.module(),
        Contains("xport::ExportedModule: placeholder 'args_0' has size s0 in dim 0, but "
                 "the input contract requires 2 of args[0]"),
        value_error);
    CHECK_THROWS_WITH_AS(save_to_bytes(bad),
                         Contains("xport::save: placeholder 'args_0' has size s0"), value_error);
    bad.contract = sym::input_contract(sym::zero_one_policy::accept_at_runtime);
    CHECK_THROWS_WITH_AS(
        bad.module(),
        Contains("placeholder 'args_0' is a user input the input contract does not list"),
        value_error);
  }
  SUBCASE("same sizes and dtype: accepted, and used") {
    ExportedProgram good = ep;
    good.state_dict["fc.bias"] = full({16}, 1.0f);
    good.state_dict["fc.weight"] = zeros({16, 4});
    CHECK(allclose(good.module().call<Tensor>(ones({3, 4})), ones({3, 16})));
  }
}

TEST_CASE("save and load accept regular files only, without blocking or replacing others") {
  ExportedProgram const ep = affine_program();
  auto const dir = scratch_dir();
  auto const fifo = dir / "pipe";
  std::filesystem::remove(fifo);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(load(fifo), Contains("is not a regular file (it is a FIFO)"),
                       serialization_error);
  CHECK_THROWS_WITH_AS(save(ep, fifo), Contains("is not a regular file (it is a FIFO)"),
                       serialization_error);
  struct stat st {};
  REQUIRE(::stat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode)); // still the FIFO: the atomic rename did not replace it
  CHECK_THROWS_WITH_AS(load(dir), Contains("(it is a directory)"), serialization_error);
  CHECK_THROWS_WITH_AS(save(ep, dir), Contains("(it is a directory)"), serialization_error);
  save(ep, dir / "ok.xpt");
  CHECK(load(dir / "ok.xpt").state_dict.size() == 2);
  std::filesystem::remove_all(dir);
}

namespace {

// Stores a symbolic size and a fake tensor of its forward where they outlive the export.
struct Leaky : Module<Leaky> {
  BOOST_HANA_DEFINE_STRUCT(Leaky, (nn::Linear, fc));
  SymInt* size_out;
  Tensor* tensor_out;
  Leaky(Generator& gen, SymInt* s, Tensor* t) : fc(4, 3, gen), size_out(s), tensor_out(t) {}
  Tensor forward(Tensor const& x) const {
    *size_out = x.sym_size(0) * 2;
    *tensor_out = fc(x);
    return relu(*tensor_out);
  }
};

} // namespace

TEST_CASE("symbolic values that outlive their export keep its shape environment alive") {
  SymInt leaked;
  Tensor leaked_tensor;
  {
    Generator gen{0};
    Leaky model(gen, &leaked, &leaked_tensor);
    auto batch = Dim("batch", {.min = 2, .max = 64});
    export_program(model, std::tuple{randn({5, 4}, gen)}, {{batch, 4}});
  } // the program and its ShapeEnv's other owners are gone
  CHECK(leaked.str() == "2*s0");
  CHECK(leaked.maybe_int() == std::nullopt);
  CHECK(static_cast<bool>(leaked > 3)); // decided by the range [2, 64]: still readable
  CHECK(leaked_tensor.sym_size(0).str() == "s0");
  CHECK_THROWS_WITH_AS(relu(leaked_tensor), Contains("outside of export's tracing"), value_error);
}

TEST_CASE("symbolic values of a destroyed stack ShapeEnv throw instead of reading it") {
  SymInt leaked;
  {
    sym::ShapeEnv env;
    leaked = sym::dynamic_size(env, 5, "x.size(0)") + 1;
  }
  CHECK(leaked.str() == "s0 + 1"); // the expression itself is the value's own
  CHECK_THROWS_WITH_AS(static_cast<void>(static_cast<bool>(leaked > 3)),
                       Contains("outlived the shape environment"), value_error);
  CHECK_THROWS_WITH_AS(leaked.guard_int(source_location::current()),
                       Contains("outlived the shape environment"), value_error);
}

TEST_CASE("integer arithmetic: division by zero and negative powers are errors, not SIGFPE") {
  TensorOptions const i64{.dtype = dtype::int64};
  CHECK_THROWS_WITH_AS(div(full({3}, 7, i64), zeros({3}, i64), "floor"),
                       Contains("ZeroDivisionError: integer division"), value_error);
  CHECK_THROWS_WITH_AS(remainder(full({3}, 7, i64), zeros({3}, i64)),
                       Contains("ZeroDivisionError: integer remainder by zero"), value_error);
  CHECK_THROWS_WITH_AS(pow(full({1}, 2, i64), Scalar(-1)),
                       Contains("Integers to negative integer powers are not allowed"),
                       value_error);
  // The one quotient that does not fit wraps as in PyTorch instead of trapping.
  CHECK(div(full({1}, INT64_MIN, i64), full({1}, -1, i64), "trunc").item<std::int64_t>()
        == INT64_MIN);
  CHECK(remainder(full({1}, INT64_MIN, i64), full({1}, -1, i64)).item<std::int64_t>() == 0);
}

TEST_CASE("factories: negative, absurd and non-finite sizes") {
  CHECK_THROWS_WITH_AS(zeros({-1}), Contains("Trying to create tensor with negative dimension -1"),
                       shape_error);
  CHECK_THROWS_WITH_AS(zeros({std::int64_t{1} << 61}),
                       Contains("needs more bytes than int64 can count"), shape_error);
  CHECK_THROWS_WITH_AS(arange(0, 10, 0), Contains("step must be nonzero"), value_error);
  CHECK_THROWS_WITH_AS(arange(0.0, std::nan(""), 1.0), Contains("unsupported range"), value_error);
  CHECK_THROWS_WITH_AS(arange(0.0, HUGE_VAL, 1.0), Contains("unsupported range"), value_error);
}

TEST_CASE("shape ops: ambiguous, invalid and overflowing sizes") {
  CHECK_THROWS_WITH_AS(zeros({0}).view({-1, 0}), Contains("can be any value and is ambiguous"),
                       shape_error);
  CHECK_THROWS_WITH_AS(zeros({4}).view({-1, -1}), Contains("only one dimension can be inferred"),
                       shape_error);
  CHECK_THROWS_WITH_AS(zeros({4}).view({-2, -2}), Contains("invalid shape dimension -2"),
                       shape_error);
  CHECK_THROWS_WITH_AS(expand(zeros({1}), {-2}), Contains("sizes must be non-negative or -1"),
                       shape_error);
  CHECK_THROWS_WITH_AS(zeros({1}).expand({-2}), Contains("sizes must be non-negative or -1"),
                       shape_error); // the member and the op share one rule and message
  CHECK_THROWS_WITH_AS(repeat(zeros({2}), {-1}), Contains("negative dimension -1"), shape_error);
  CHECK_THROWS_WITH_AS(repeat(zeros({2}), {huge}), Contains("integer overflow"), value_error);
  CHECK_THROWS_WITH_AS(pad(zeros({2}), {INT64_MAX, 1}), Contains("integer overflow"), value_error);
  CHECK_THROWS_WITH_AS(pad(zeros({2}), {-5, 0}), Contains("resulted in a negative output size"),
                       shape_error);
  CHECK_THROWS_WITH_AS(unflatten(zeros({4}), 0, {huge, 4}), Contains("integer overflow"),
                       value_error);
  // Extreme diagonals keep (tril) or drop (triu) everything, as in PyTorch.
  CHECK(sum(tril(ones({2, 2}), INT64_MAX)).item<float>() == 4);
  CHECK(sum(triu(ones({2, 2}), INT64_MIN)).item<float>() == 4);
}

TEST_CASE("indices out of range are index errors naming the index and the bound") {
  TensorOptions const i64{.dtype = dtype::int64};
  CHECK_THROWS_WITH_AS(embedding(zeros({4, 2}), full({1}, 7, i64)),
                       Contains("index 7 is out of bounds for an embedding weight of 4 rows"),
                       index_error);
  CHECK_THROWS_WITH_AS(embedding(zeros({4, 2}), full({1}, -1, i64)), Contains("index -1"),
                       index_error);
  CHECK_THROWS_WITH_AS(index_select(zeros({4, 2}), 0, full({1}, 4, i64)),
                       Contains("index 4 is out of bounds for dimension 0 with size 4"),
                       index_error);
  CHECK_THROWS_WITH_AS(gather(zeros({4, 2}), 1, full({4, 2}, 9, i64)),
                       Contains("index 9 is out of bounds for dimension 1 with size 2"),
                       index_error);
  CHECK_THROWS_WITH_AS(scatter_add(zeros({4, 2}), 1, full({4, 2}, -9, i64), ones({4, 2})),
                       Contains("index -9 is out of bounds"), index_error);
  CHECK_THROWS_WITH_AS(index(zeros({4, 2}), {full({1}, 100, i64)}), Contains("index 100"),
                       index_error);
  CHECK_THROWS_WITH_AS(index_put(zeros({4, 2}), {full({1}, -100, i64)}, ones({2})),
                       Contains("index -100"), index_error);
  CHECK_THROWS_WITH_AS(bincount(full({3}, -1, i64)), Contains("non-negative integral inputs"),
                       value_error);
  CHECK_THROWS_WITH_AS(bincount(full({1}, INT64_MAX, i64)), Contains("needs more bins"),
                       value_error);
}

TEST_CASE("pooling windows: empty or absurd kernels") {
  CHECK_THROWS_WITH_AS(max_pool2d(zeros({1, 1, 4, 4}), {INT64_MAX, 1}),
                       Contains("Output size is too small"), shape_error);
  CHECK_THROWS_WITH_AS(avg_pool2d(zeros({1, 1, 4, 4}), {0, 1}),
                       Contains("kernel size should be greater than zero"), value_error);
}

TEST_CASE("nn modules and state dicts: bad shapes and entries") {
  Generator gen{0};
  CHECK_THROWS_WITH_AS(nn::Linear(-1, 3, gen), Contains("in_features must be positive"),
                       value_error);
  CHECK_THROWS_WITH_AS(nn::Linear(std::int64_t{1} << 40, std::int64_t{1} << 40, gen),
                       Contains("overflows int64"), shape_error);
  CHECK_THROWS_WITH_AS(nn::Conv2d(3, 4, 3, gen, {.groups = 2}),
                       Contains("in_channels must be divisible by groups"), value_error);
  CHECK_THROWS_WITH_AS(nn::Embedding(-4, 2, gen), Contains("num_embeddings must be positive"),
                       value_error);
  Affine model(gen);
  StateDict state = model.state_dict();
  state.insert_or_assign("fc.weight", Tensor{});
  CHECK_THROWS_WITH_AS(model.load_state_dict(state), Contains("Error(s) in loading state_dict"),
                       state_dict_error);
  state.insert_or_assign("fc.weight", zeros({4, 16}));
  CHECK_THROWS_WITH_AS(model.load_state_dict(state), Contains("size mismatch for fc.weight"),
                       state_dict_error);
}

TEST_CASE("Dims and specs: inconsistent ranges, overflowing derived dims, mismatched specs") {
  CHECK_THROWS_WITH_AS(Dim("1x"), Contains("Dim name must be a valid identifier"), value_error);
  CHECK_THROWS_WITH_AS(Dim("a", {.min = 5, .max = 2}), Contains("inconsistent min=5, max=2"),
                       value_error);
  CHECK_THROWS_WITH_AS(Dim("a", {.min = -5, .max = 2}), Contains("negative min=-5"), value_error);
  auto const d = Dim("a", {.min = 1, .max = 10});
  CHECK_THROWS_WITH_AS(d * INT64_MAX, Contains("Please specify an appropriate max value"),
                       value_error);
  Generator gen{0};
  Affine model(gen);
  auto const example = std::tuple{randn({5, 4}, gen)};
  CHECK_THROWS_WITH_AS(export_program(model, example, {{d + INT64_MAX, 4}}),
                       Contains("overflows int64"), value_error);
  auto const b = Dim("b");
  CHECK_THROWS_WITH_AS(export_program(model, example, sym::dynamic_shapes{shape_spec{b}}),
                       Contains("to have the same length as the actual tensor shape"), value_error);
  CHECK_THROWS_WITH_AS(export_program(model, example, {{b, 4}, {b, 4}}),
                       Contains("Detected mismatch between the structure"), value_error);
  CHECK_THROWS_WITH_AS(export_program(model, example, {{Dim("c", {.min = 10, .max = 20}), 4}}),
                       Contains("is not in range 10 <= c <= 20"), constraint_violation);
  CHECK_THROWS_WITH_AS(export_program(model, std::tuple{Tensor{}}, {{b, 4}}),
                       Contains("this tensor is undefined"), value_error);
}

namespace {

// A table whose only rule, for gelu, is `fn`: the MLP-like Affine has no gelu, so these
// cases use a module that has one.
struct Smooth : Module<Smooth> {
  BOOST_HANA_DEFINE_STRUCT(Smooth);
  Tensor forward(Tensor const& x) const { return gelu(x); }
};

template <class F>
decomp::decomposition_table gelu_rule(F fn) {
  decomp::decomposition_table table;
  table.insert<ops::gelu>(std::move(fn), "test gelu rule");
  return table;
}

using gelu_attributes = ops::gelu::attributes;

} // namespace

TEST_CASE("decomposition tables: rules that break the op's contract are refused, by name") {
  Generator gen{0};
  Smooth m;
  auto batch = Dim("batch", {.min = 1, .max = 16});
  ExportedProgram const ep = export_program(m, std::tuple{randn({4, 3}, gen)}, {{batch, 3}});
  auto refused = [&](decomp::decomposition_table const& table) {
    (void)ep.run_decompositions(table);
  };
  CHECK_THROWS_WITH_AS(
      refused(gelu_rule([](gelu_attributes const&, std::span<Tensor const> in) -> ops::tensor_list {
        return {in[0], in[0]};
      })),
      Contains("the test gelu rule (decomposing node 'gelu'"), decomp::decomposition_error);
  CHECK_THROWS_WITH_AS(
      refused(gelu_rule([](gelu_attributes const&, std::span<Tensor const> in) -> ops::tensor_list {
        return {in[0].to(dtype::float64)};
      })),
      Contains("computed output 0 as f64[s0, 3] where the op gives f32[s0, 3]"),
      decomp::decomposition_error);
  CHECK_THROWS_WITH_AS(
      refused(
          gelu_rule([](gelu_attributes const& a, std::span<Tensor const> in) -> ops::tensor_list {
            return {ops::call1<ops::gelu>(a, {in[0]}, {})}; // a rule that calls its own op
          })),
      Contains("decomposition rules nest more than 64 deep at aten::gelu"),
      decomp::decomposition_error);
  CHECK_THROWS_WITH_AS(
      refused(gelu_rule([](gelu_attributes const&, std::span<Tensor const> in) -> ops::tensor_list {
        Tensor y = in[0] * 1.0;
        mul_(y, 2.0);
        return {y};
      })),
      Contains("called the in-place op aten::mul_.Tensor; rules must be functional"),
      decomp::decomposition_error);
  CHECK_THROWS_WITH_AS(
      refused(gelu_rule([](gelu_attributes const&, std::span<Tensor const> in) -> ops::tensor_list {
        (void)nonzero(in[0]);
        return {in[0]};
      })),
      Contains("a decomposition rule called a data-dependent op"), decomp::decomposition_error);
  CHECK_THROWS_WITH_AS(
      refused(gelu_rule([](gelu_attributes const&, std::span<Tensor const>) -> ops::tensor_list {
        return {zeros({4, 3})}; // a real tensor, not one the program made
      })),
      Contains("used a tensor that no op of the program made"), decomp::decomposition_error);
  CHECK_THROWS_WITH_AS(
      refused(gelu_rule([](gelu_attributes const&, std::span<Tensor const>) -> ops::tensor_list {
        throw unsupported_error("this rule covers tanh approximation only");
      })),
      Contains("covers tanh approximation only"), unsupported_error);
  decomp::decomposition_table keep = decomp::default_decompositions();
  keep.erase<ops::linear>();
  ExportedProgram const affine = affine_program();
  CHECK_THROWS_WITH_AS(decomp::verify_core(affine.run_decompositions(keep)),
                       Contains("is not in the core dialect: linear: aten::linear"),
                       decomp::decomposition_error);
  // The program is intact after every refusal.
  CHECK(allclose(ep.run_decompositions().module().call<Tensor>(ones({2, 3})), gelu(ones({2, 3}))));
}

TEST_CASE("decomposing a program whose state was replaced with other sizes is refused") {
  ExportedProgram ep = affine_program();
  ep.state_dict.at("fc.bias") = zeros({1});
  CHECK_THROWS_WITH_AS(ep.run_decompositions(), Contains("run_decompositions"), shape_error);
  CHECK_THROWS_WITH_AS(ep.run_decompositions(), Contains("fc.bias"), shape_error);
}

TEST_CASE("calls of exported programs: dtypes, ranks, sizes, structures and constants") {
  ExportedModule m = affine_program().module();
  Generator gen{2};
  CHECK_THROWS_WITH_AS(m.call<Tensor>(randn({2, 4}, gen).to(dtype::float64)),
                       Contains("to have dtype torch.float32, but got torch.float64"), dtype_error);
  CHECK_THROWS_WITH_AS(m.call<Tensor>(randn({2, 4, 1}, gen)),
                       Contains("Unexpected number of dimensions in input at"), shape_error);
  CHECK_THROWS_WITH_AS(m.call<Tensor>(randn({2, 5}, gen)), Contains("to be equal to 4, but got 5"),
                       constraint_violation);
  CHECK_THROWS_WITH_AS(m.call<Tensor>(randn({65, 4}, gen)), Contains("to be <= 64, but got 65"),
                       constraint_violation);
  CHECK_THROWS_AS(m.call<Tensor>(std::tuple{randn({2, 4}, gen)}), structure_error);
  CHECK_THROWS_AS((m.call<std::tuple<Tensor, Tensor>>(randn({2, 4}, gen))), structure_error);
  // Sizes 0 and 1 pass the contract (PyTorch's 0/1 policy) and compute the right answer.
  Tensor const one = randn({1, 4}, gen);
  CHECK(m.call<Tensor>(one).size(0) == 1);
}

TEST_CASE("files: empty, truncated, corrupted and foreign archives") {
  ExportedProgram const ep = affine_program();
  std::stringstream out;
  save(ep, out);
  std::string const bytes = out.str();
  auto load_text = [](std::string const& s) {
    return load_from_bytes(std::span(reinterpret_cast<std::byte const*>(s.data()), s.size()));
  };
  CHECK_THROWS_AS(load_text(""), serialization_error);
  CHECK_THROWS_AS(load_text(bytes.substr(0, bytes.size() / 2)), serialization_error);
  std::string flipped = bytes;
  flipped[flipped.size() / 3] = static_cast<char>(flipped[flipped.size() / 3] ^ 0x55);
  CHECK_THROWS_AS(load_text(flipped), serialization_error);
  std::string foreign;
  serde::detail::zip_writer zip(
      [&](void const* p, std::size_t n) { foreign.append(static_cast<char const*>(p), n); });
  std::string const pt2 = "pt2";
  zip.add("archive/archive_format", std::as_bytes(std::span(pt2.data(), pt2.size())));
  zip.finish();
  CHECK_THROWS_WITH_AS(load_text(foreign), Contains("this is a PyTorch .pt2 archive"),
                       serialization_error);
  CHECK_THROWS_WITH_AS(load(scratch_dir() / "absent.xpt"), Contains("absent.xpt"),
                       serialization_error);
}

TEST_CASE(".pt2 files: empty, truncated, corrupted, foreign, special and absent") {
  std::filesystem::path const mlp =
      std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" / "pt2" / "mlp.pt2";
  std::ifstream in(mlp, std::ios::binary);
  std::string const bytes{std::istreambuf_iterator<char>(in), {}};
  REQUIRE(bytes.size() > 1000);
  auto load_text = [](std::string const& s) {
    return load_pt2_from_bytes(std::span(reinterpret_cast<std::byte const*>(s.data()), s.size()));
  };
  CHECK_THROWS_WITH_AS(load_text(""), Contains("fewer than a zip archive's end record"),
                       serialization_error);
  CHECK_THROWS_WITH_AS(load_text(bytes.substr(0, bytes.size() / 2)),
                       Contains("xport::load_pt2: not a readable archive"), serialization_error);
  // A flipped byte inside the program JSON: its entry's CRC-32 no longer matches.
  std::string flipped = bytes;
  std::size_t const at = flipped.find("graph_module");
  REQUIRE(at != std::string::npos);
  flipped[at] = 'G';
  CHECK_THROWS_WITH_AS(load_text(flipped), Contains("is corrupted: its CRC-32 does not match"),
                       serialization_error);
  std::stringstream xpt;
  save(affine_program(), xpt);
  CHECK_THROWS_WITH_AS(load_text(xpt.str()), Contains("read it with xport::load"),
                       serialization_error);
  CHECK_THROWS_WITH_AS(
      load_from_bytes(std::span(reinterpret_cast<std::byte const*>(bytes.data()), bytes.size())),
      Contains("read it with xport::load_pt2"), serialization_error);
  std::filesystem::path const fifo = scratch_dir() / "model.pt2";
  std::filesystem::remove(fifo);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(load_pt2(fifo), Contains("is not a regular file (it is a FIFO)"),
                       serialization_error);
  std::filesystem::remove(fifo);
  CHECK_THROWS_WITH_AS(load_pt2(scratch_dir() / "absent.pt2"), Contains("absent.pt2"),
                       serialization_error);
  // A loaded program keeps its contract: a batch past the archive's max is refused.
  ExportedModule m = load_pt2(mlp).module();
  CHECK_THROWS_WITH_AS(m.call<Tensor>(zeros({1025, 8})),
                       Contains("Expected input at input.shape[0] to be <= 1024"),
                       constraint_violation);
}

TEST_CASE("views and joins: incompatible strides, ranks and inner sizes") {
  Tensor const x = test::iota({3, 4});
  CHECK_THROWS_WITH_AS(x.t().view({12}), Contains("view size is not compatible"), shape_error);
  CHECK_THROWS_WITH_AS(cat({x, test::iota({4})}, 0),
                       Contains("Tensors must have same number of dimensions"), shape_error);
  CHECK_THROWS_WITH_AS(matmul(x, x), Contains("cannot be multiplied (3x4 and 3x4)"), shape_error);
  CHECK_THROWS_WITH_AS(
      x.expand({4}), Contains("must be greater or equal to the number of dimensions"), shape_error);
  CHECK_THROWS_WITH_AS(stack({x, test::iota({3, 5})}, 0),
                       Contains("stack expects each tensor to be equal size"), shape_error);
}
