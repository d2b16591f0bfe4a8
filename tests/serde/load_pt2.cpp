// xport::load_pt2 against archives written by torch.export.save (tests/fixtures/pt2/, made
// by make_fixtures.py with the torch version each NAME.json records): every program
// loads, runs equal to torch's own outputs of the archive, and refuses inputs outside its
// contract; unsupported programs and hostile archives fail with one clear error.
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/print.hpp>
#include <xport/export/exported_module.hpp>
#include <xport/serde/load_pt2.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using xport::dtype;
using xport::Tensor;

std::filesystem::path fixture(std::string const& name) {
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" / "pt2" / name;
}

nlohmann::json read_json(std::string const& name) {
  std::ifstream in(fixture(name));
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

std::vector<std::byte> read_bytes(std::string const& name) {
  std::ifstream in(fixture(name), std::ios::binary);
  REQUIRE(in.good());
  std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(data.size());
  std::memcpy(out.data(), data.data(), data.size());
  return out;
}

// A tensor of the fixture JSON: {"dtype": "float32", "sizes": [..], "data": [..]}.
Tensor tensor_of(nlohmann::json const& j) {
  dtype const type = xport::parse_dtype(j.at("dtype").get<std::string>());
  std::vector<std::int64_t> const sizes = j.at("sizes").get<std::vector<std::int64_t>>();
  Tensor t = xport::empty(sizes, {.dtype = type});
  nlohmann::json const& data = j.at("data");
  REQUIRE(static_cast<std::int64_t>(data.size()) == t.numel());
  xport::visit_dtype(type, [&]<class T>() {
    T* out = t.data_ptr<T>();
    for (std::size_t i = 0; i < data.size(); ++i) {
      if constexpr (std::is_same_v<T, bool>)
        out[i] = data[i].get<bool>();
      else if constexpr (std::is_integral_v<T>)
        out[i] = static_cast<T>(data[i].get<std::int64_t>());
      else if constexpr (std::is_same_v<T, double>)
        out[i] = data[i].get<double>();
      else
        out[i] = static_cast<T>(data[i].get<float>());
    }
  });
  return t;
}

std::vector<xport::leaf> leaves_of(nlohmann::json const& tensors) {
  std::vector<xport::leaf> out;
  for (nlohmann::json const& t : tensors)
    out.emplace_back(tensor_of(t));
  return out;
}

// Runs every case of fixture `name` and compares with torch's outputs.
void check_cases(std::string const& name, xport::tolerance tol = {.rtol = 1e-4, .atol = 1e-5}) {
  nlohmann::json const cases = read_json(name + ".json");
  xport::ExportedProgram ep = xport::load_pt2(fixture(name + ".pt2"));
  REQUIRE(cases.at("cases").size() >= 1);
  for (nlohmann::json const& c : cases.at("cases")) {
    // A fresh module per case: a program that mutates a buffer starts from the saved one.
    xport::ExportedModule module = xport::load_pt2(fixture(name + ".pt2")).module();
    std::vector<xport::leaf> const outputs = module.run(leaves_of(c.at("inputs")));
    nlohmann::json const& expected = c.at("outputs");
    REQUIRE(outputs.size() == expected.size());
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      Tensor const& got = std::get<Tensor>(outputs[i]);
      Tensor const want = tensor_of(expected[i]);
      INFO(name << " output " << i << ": got " << got << "\nwant " << want);
      CHECK(got.dtype() == want.dtype());
      CHECK(std::ranges::equal(got.sizes(), want.sizes()));
      CHECK(xport::allclose(got, want, tol));
    }
  }
}

// Every bad case of fixture `name` is refused by the contract (the message names the
// input's dim), before any kernel runs.
void check_bad_cases(std::string const& name, std::string const& phrase) {
  nlohmann::json const cases = read_json(name + ".json");
  xport::ExportedModule module = xport::load_pt2(fixture(name + ".pt2")).module();
  REQUIRE(cases.at("bad_cases").size() >= 1);
  for (nlohmann::json const& c : cases.at("bad_cases")) {
    INFO(name << ": torch says " << c.at("error").get<std::string>());
    CHECK_THROWS_WITH_AS(module.run(leaves_of(c.at("inputs"))),
                         doctest::Contains(phrase.c_str()), xport::constraint_violation);
  }
}

std::string printed(xport::ExportedProgram const& ep) {
  std::ostringstream out;
  out << ep;
  return out.str();
}

} // namespace

TEST_CASE("an MLP exported by torch loads, prints and runs equal to torch") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("mlp.pt2"));
  std::string const text = printed(ep);
  CHECK(text.find("input: \"f32[s0, 8]\"") != std::string::npos);
  CHECK(text.find("aten::linear(input, p_0_weight, p_0_bias)") != std::string::npos);
  CHECK(text.find("Range constraints: {s0: VR[1, 1024]}") != std::string::npos);
  CHECK(ep.state_dict.size() == 4);
  CHECK(std::ranges::equal(ep.state_dict.at("0.weight").sizes(), std::vector<std::int64_t>{16, 8}));
  check_cases("mlp");
  check_bad_cases("mlp", "Expected input at input.shape[");
  CHECK_THROWS_WITH_AS(ep.module().call<Tensor>(xport::zeros({1025, 8})),
                       "Expected input at input.shape[0] to be <= 1024, but got 1025",
                       xport::constraint_violation);
}

TEST_CASE("programs after run_decompositions load: addmm, permute, the transformer's core ops") {
  check_cases("mlp_decomposed");
  check_cases("transformer_decomposed");
}

TEST_CASE("a CNN with batch norm and pooling runs equal to torch") {
  check_cases("cnn");
  check_bad_cases("cnn", "Expected input");
}

TEST_CASE("a transformer encoder layer with dynamic batch and sequence runs equal to torch") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("transformer.pt2"));
  CHECK(ep.contract.num_symbols() == 2);
  check_cases("transformer");
  check_bad_cases("transformer", "Expected input");
}

TEST_CASE("a derived dim (d + 1) becomes part of the contract") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("derived.pt2"));
  CHECK(ep.contract.num_symbols() == 1);
  check_cases("derived");
  check_bad_cases("derived", "Expected input");
}

TEST_CASE("dict and tuple inputs and a dict output keep their structure") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("dict_tuple.pt2"));
  CHECK(ep.input_paths == std::vector<std::string>{"inputs['a']", "inputs['b']", "pair[0]",
                                                   "pair[1]"});
  CHECK(ep.out_spec.kind() == xport::node_kind::dict);
  check_cases("dict_tuple");
  check_bad_cases("dict_tuple", "Expected input at inputs['");
}

TEST_CASE("bfloat16 weights and inputs") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("bf16.pt2"));
  CHECK(ep.state_dict.at("weight").dtype() == dtype::bfloat16);
  check_cases("bf16", {.rtol = 1e-2, .atol = 1e-2});
}

TEST_CASE("a buffer mutated in forward changes across calls, as in torch") {
  check_cases("buffer_mutation");
}

TEST_CASE("integer programs: embedding, reshape with -1 of a dynamic size, integer sums") {
  check_cases("int_ops");
}

TEST_CASE("an archive of torch 2.6 (the older layout) is refused, with what to do") {
  CHECK_THROWS_WITH_AS(xport::load_pt2(fixture("mlp_torch2_6.pt2")),
                       doctest::Contains("the layout of torch 2.6 and older"),
                       xport::serialization_error);
}

TEST_CASE("the stream and bytes forms read the same program") {
  std::vector<std::byte> const bytes = read_bytes("mlp.pt2");
  xport::ExportedProgram const a = xport::load_pt2_from_bytes(bytes);
  std::ifstream in(fixture("mlp.pt2"), std::ios::binary);
  xport::ExportedProgram const b = xport::load_pt2(in);
  CHECK(printed(a) == printed(b));
  CHECK(printed(a) == printed(xport::load_pt2(fixture("mlp.pt2"), {.map_weights = true})));
}

TEST_CASE("an xport archive and a missing file are refused by load_pt2") {
  CHECK_THROWS_WITH_AS(xport::load_pt2(fixture("missing.pt2")),
                       doctest::Contains("cannot open"), xport::serialization_error);
  std::filesystem::path const golden =
      std::filesystem::path(__FILE__).parent_path() / "golden" / "linear_relu.xpt";
  CHECK_THROWS_WITH_AS(xport::load_pt2(golden), doctest::Contains("read it with xport::load"),
                       xport::serialization_error);
}

TEST_CASE("every ATen op xport declares has PyTorch's schema") {
  std::size_t count = 0;
  xport::ops::default_op_set::for_each([&]<class Op>() {
    if (!Op::name.starts_with("aten::")) return;
    INFO(Op::name);
    CHECK(xport::serde::detail::find_pt2_schema(Op::name) != nullptr);
    ++count;
  });
  CHECK(count > 150);
}
