// xport::load_pt2 against archives written by torch.export.save (tests/fixtures/pt2/, made
// by make_fixtures.py with the torch version each NAME.json records): every program
// loads, runs equal to torch's own outputs of the archive, and refuses inputs outside its
// contract; unsupported programs and hostile archives fail with one clear error.
#include <xport/api/elementwise.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/print.hpp>
#include <xport/decomp/decomp.hpp>
#include <xport/export/exported_module.hpp>
#include <xport/serde/load_pt2.hpp>

#include <support/pt2_checks.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using xport::dtype;
using xport::Tensor;
using namespace xport_test::pt2;

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

TEST_CASE("programs after run_decompositions load: addmm, permute, the transformer's core ops, "
          "max_pool2d_with_indices") {
  check_cases("mlp_decomposed");
  check_cases("cnn_decomposed");
  check_cases("transformer_decomposed");
}

TEST_CASE("torch's decomposed attention runs as one fused attention, and its input projection "
          "as one baddbmm, equal to the ops") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("transformer_decomposed.pt2"));
  xport::ExportedModule fused = ep.module();
  xport::ExportedModule plain(ep, {.optimize = false});
  xport::Generator gen{31};
  for (std::int64_t const batch : {1, 5}) {
    Tensor const x = xport::randn({batch, 40, 16}, gen);
    Tensor const want = plain.call<Tensor>(x);
    CHECK(xport::allclose(fused.call<Tensor>(x), want, {.rtol = 1e-5, .atol = 1e-6}));
  }
  xport::passes::report const& r = fused.execution_plan().optimizations();
  REQUIRE(r.fused.size() == 2);
  CHECK(r.fused[0].node == "bmm_2");
  // The attention reads q, k and v as [batch, heads, seq, dim], where torch's
  // decomposition left them before folding them for bmm; its result is viewed back.
  CHECK(r.fused[0].kept.starts_with("view"));
  CHECK(r.fused[0].reason == "softmax(q @ k) @ v with PyTorch's safe softmax is one attention");
  // The input projection, decomposed as bmm of the expanded weight plus the bias.
  CHECK(r.fused[1].node == "add");
  CHECK(r.fused[1].kept == "baddbmm");
  CHECK(r.fused[1].reason == "a matrix product and the bias added to it are one call");
  std::string const steps = fused.execution_plan().str();
  CHECK(steps.find("aten::baddbmm (into)") != std::string::npos);
  CHECK(steps.find("aten::scaled_dot_product_attention (into)") != std::string::npos);
  CHECK(steps.find("aten::_softmax") == std::string::npos);
  CHECK(steps.find("aten::any.dims") == std::string::npos);
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
  CHECK(ep.input_paths
        == std::vector<std::string>{"inputs['a']", "inputs['b']", "pair[0]", "pair[1]"});
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

TEST_CASE("a KV cache written through a slice and selects of a buffer, as torch keeps it") {
  // torch 2.15 saves the writes as they were made (copy_ and add_ on views of the buffer,
  // no mutation output); the plan runs them on the buffer's own memory.
  check_cases("kv_cache");
  check_bad_cases("kv_cache", "Expected input at k.shape[1] to be <= 7, but got 8");
  // Frozen, the buffer the program writes is still read anew on every call.
  xport::ExportedModule plain = xport::load_pt2(fixture("kv_cache.pt2")).module();
  xport::ExportedModule frozen = xport::load_pt2(fixture("kv_cache.pt2")).module({.freeze = true});
  xport::Generator gen{32};
  Tensor k;
  for (std::int64_t n = 1; n <= 3; ++n) {
    k = xport::randn({2, n, 4}, gen);
    CHECK(xport::allclose(frozen.call<Tensor>(k), plain.call<Tensor>(k)));
  }
  Tensor const keys = frozen.program().state_dict.at("keys");
  CHECK(xport::allclose(keys, plain.program().state_dict.at("keys")));
  // The last call wrote k at positions 0..2, then added 1 at keys[1, 0].
  CHECK(xport::allclose(keys.narrow(1, 1, 2), k.narrow(1, 1, 2)));
  CHECK(xport::allclose(keys.select(0, 1).select(0, 0), k.select(0, 1).select(0, 0) + 1.0));
  // Decomposing would turn the writes into values nothing reads: refused, not wrong.
  CHECK_THROWS_WITH_AS(xport::load_pt2(fixture("kv_cache.pt2")).run_decompositions(),
                       doctest::Contains("node 'copy_' (aten::copy_ at"),
                       xport::decomp::decomposition_error);
}

TEST_CASE("integer programs: embedding, reshape with -1 of a dynamic size, integer sums") {
  check_cases("int_ops");
}

TEST_CASE("an integer input: dynamic (a symbol of its own), or specialized to a constant") {
  std::string const text = printed(xport::load_pt2(fixture("int_input.pt2")));
  CHECK(text.find("def forward(self, x: \"f32[2, 3]\", n: \"Sym(s0)\")") != std::string::npos);
  CHECK(text.find("repeat: \"f32[2*s0, 3]\" = aten::repeat(x, repeats=[s0, 1])")
        != std::string::npos);
  check_cases("int_input");
  check_cases("int_input_specialized");
  // torch: "Guard failed: n == 3".
  check_bad_cases("int_input_specialized", "Expected input at n to be equal to 3, but got 4");
}

TEST_CASE("cond: both branches are sub-graphs, and the predicate picks one per call") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("cond.pt2"));
  std::string const text = printed(ep);
  CHECK(text.find("higher_order::cond(gt, true_graph_0, false_graph_0, (x,))")
        != std::string::npos);
  CHECK(text.find("sin: \"f32[s0, 4]\" = aten::sin(x)") != std::string::npos);
  check_cases("cond"); // cases of both branches
  check_bad_cases("cond", "Expected input at x.shape[");
}

TEST_CASE("while_loop: carried and additional inputs, the condition and body sub-graphs") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("while_loop.pt2"));
  std::string const text = printed(ep);
  CHECK(text.find("higher_order::while_loop(while_loop_cond_graph_0, while_loop_body_graph_0, "
                  "(it, x), (p_w,))")
        != std::string::npos);
  CHECK(text.find("lt: \"b8[]\" = aten::lt.Scalar(arg0_1, other=3)") != std::string::npos);
  check_cases("while_loop"); // three passes, one, none
  check_bad_cases("while_loop", "Expected input at x.shape[");
}

TEST_CASE("map_impl: the body runs on each row of the mapped input; other inputs pass whole") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("map.pt2"));
  CHECK(printed(ep).find("higher_order::map_impl(body_graph_0, [xs], [y])") != std::string::npos);
  check_cases("map");
  check_bad_cases("map", "Expected input at ");
}

TEST_CASE("specialized float and bool inputs: constants of the inputs, checked per call") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("constant_inputs.pt2"));
  REQUIRE(ep.input_constants.size() == 3);
  CHECK(std::get<double>(ep.input_constants[1]) == 2.5);
  CHECK(std::get<bool>(ep.input_constants[2]));
  check_cases("constant_inputs");
  // torch: "Guard failed: scale == 2.5".
  check_bad_cases("constant_inputs", "Expected input at scale to be equal to 2.5, but got 3.5");
}

TEST_CASE("a data-dependent size (boolean indexing) and its runtime asserts") {
  xport::ExportedProgram const ep = xport::load_pt2(fixture("data_dependent_nonzero.pt2"));
  std::string const text = printed(ep);
  CHECK(text.find("index: \"f32[u0]\" = aten::index.Tensor(x, gt)") != std::string::npos);
  CHECK(text.find("u0: VR[0, 8]") != std::string::npos);
  check_cases("data_dependent_nonzero");
  check_bad_cases("data_dependent_nonzero", "Expected input at x.shape[1]");
}

TEST_CASE("a size from item() bounded by checks, broadcast against a 0-dim tensor") {
  // Broadcasting [u0] against a 0-dim tensor needs no decision on u0, as in PyTorch.
  xport::ExportedProgram const ep = xport::load_pt2(fixture("data_dependent.pt2"));
  CHECK(printed(ep).find("mul: \"f32[u0]\" = aten::mul.Tensor(new_ones, sum_2)")
        != std::string::npos);
  check_cases("data_dependent");
  nlohmann::json const cases = read_json("data_dependent.json");
  xport::ExportedModule module = ep.module();
  // 7 positive entries break torch._check(n <= 6): the runtime assert; x of 9: the contract.
  CHECK_THROWS_WITH_AS(module.run(leaves_of(cases.at("bad_cases")[0].at("inputs"))),
                       doctest::Contains("u0 <= 6"), xport::constraint_violation);
  CHECK_THROWS_WITH_AS(module.run(leaves_of(cases.at("bad_cases")[1].at("inputs"))),
                       doctest::Contains("Expected input at x.shape[0] to be equal to 8"),
                       xport::constraint_violation);
}

TEST_CASE("archives of older torch minor versions (2.9, 2.11: schema 8.14, 8.17) run equal") {
  for (std::string const version : {"2_9", "2_11"}) {
    check_cases("mlp_torch" + version);
    check_cases("transformer_torch" + version);
    check_cases("derived_torch" + version);
    check_bad_cases("derived_torch" + version, "Expected input");
  }
}

TEST_CASE("an archive of torch 2.8 (pickled weights) is refused, with what to do") {
  CHECK_THROWS_WITH_AS(xport::load_pt2(fixture("mlp_torch2_8.pt2")),
                       doctest::Contains("weights are a pickled state dict"),
                       xport::serialization_error);
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
  CHECK_THROWS_WITH_AS(xport::load_pt2(fixture("missing.pt2")), doctest::Contains("cannot open"),
                       xport::serialization_error);
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

namespace {

// The fixture `archive` (mlp.pt2) with its JSON entries changed by `edit` (called with
// each entry's name, from "models/model.json" on) and the entries whose name ends in
// `drop` left out.
std::vector<std::byte>
edited_archive(std::function<void(std::string const& entry, nlohmann::json&)> const& edit,
               std::string const& drop = {}, std::string const& archive = "mlp.pt2") {
  std::vector<std::byte> const original = read_bytes(archive);
  xport::serde::detail::zip_reader const zip(original);
  std::vector<std::byte> out;
  xport::serde::detail::zip_writer writer([&](void const* p, std::size_t n) {
    auto const* b = static_cast<std::byte const*>(p);
    out.insert(out.end(), b, b + n);
  });
  for (auto const& [name, entry] : zip.entries()) {
    if (!drop.empty() && name.ends_with(drop)) continue;
    auto const bytes = zip.data(entry);
    if (name.ends_with(".json")) {
      nlohmann::json j =
          nlohmann::json::parse(reinterpret_cast<char const*>(bytes.data()),
                                reinterpret_cast<char const*>(bytes.data()) + bytes.size());
      edit(name.substr(name.find('/') + 1), j);
      std::string const text = j.dump();
      writer.add(name, std::as_bytes(std::span(text.data(), text.size())));
    } else {
      writer.add(name, bytes);
    }
  }
  writer.finish();
  return out;
}

// The fixture `archive` (mlp.pt2) with its program JSON changed by `edit`.
std::vector<std::byte> edited_mlp(std::function<void(nlohmann::json&)> const& edit,
                                  std::string const& drop = {},
                                  std::string const& archive = "mlp.pt2") {
  return edited_archive(
      [&](std::string const& entry, nlohmann::json& j) {
        if (entry == "models/model.json") edit(j);
      },
      drop, archive);
}

nlohmann::json& pt2_node_named(nlohmann::json& program, std::string const& name) {
  for (nlohmann::json& n : program["graph_module"]["graph"]["nodes"])
    if (n["name"] == name) return n;
  FAIL("no node " << name);
  throw;
}

} // namespace

TEST_CASE("unsupported ops: one error lists every one, with its count and first node") {
  auto const bytes = edited_mlp([](nlohmann::json& p) {
    pt2_node_named(p, "relu")["target"] = "torch.ops.aten.hardswish.default";
    pt2_node_named(p, "linear_1")["target"] = "torch.ops.my_ns.custom.default";
  });
  CHECK_THROWS_WITH_AS(xport::load_pt2_from_bytes(bytes),
                       "xport::load_pt2: the program uses 2 unsupported ops (nothing was "
                       "loaded):\n  torch.ops.aten.hardswish.default: 1 node, first 'relu'\n"
                       "  torch.ops.my_ns.custom.default: 1 node, first 'linear_1'",
                       xport::unsupported_error);
}

TEST_CASE("hostile archives: each refusal names the JSON path") {
  auto refused = [](std::vector<std::byte> const& bytes, char const* phrase) {
    CHECK_THROWS_WITH_AS(xport::load_pt2_from_bytes(bytes), doctest::Contains(phrase),
                         xport::serialization_error);
  };
  refused(edited_mlp([](nlohmann::json& p) { p["schema_version"]["major"] = 9; }),
          "the program has schema version 9.20; this xport reads major version 8");
  refused(edited_mlp([](nlohmann::json&) {}, "/archive_format"), "no 'archive_format' entry");
  refused(edited_mlp([](nlohmann::json&) {}, "model_weights_config.json"),
          "weights config: the archive has no weights config for '0.weight'");
  refused(edited_mlp([](nlohmann::json&) {}, "weight_2"),
          "the archive has no entry 'data/weights/weight_2'");
  refused(edited_mlp([](nlohmann::json& p) {
            pt2_node_named(p, "relu")["inputs"][0]["arg"]["as_tensor"]["name"] = "nowhere";
          }),
          "graph_module.graph.nodes[1] ('relu').inputs: refers to the tensor 'nowhere', "
          "which no earlier node or input defines");
  refused(edited_mlp([](nlohmann::json& p) {
            p["graph_module"]["graph"]["tensor_values"]["p_0_weight"]["dtype"] = 99;
          }),
          "dtype: the dtype with PyTorch ScalarType number 99 is not supported");
  refused(edited_mlp([](nlohmann::json& p) {
            p["graph_module"]["graph"]["tensor_values"]["relu"]["sizes"][1]["as_int"] = 17;
          }),
          "output 'relu' is recorded as Float[s0, 17], but xport computes Float[s0, 16]");
  refused(
      edited_mlp([](nlohmann::json& p) {
        p["graph_module"]["graph"]["tensor_values"]["input"]["sizes"][0]["as_expr"]["expr_str"] =
            "Mul(Symbol('s31'), Frobnicate(2))";
      }),
      "the function 'Frobnicate' is not supported");
  refused(edited_mlp([](nlohmann::json& p) { p["range_constraints"]["s31"]["min_val"] = 2000; }),
          "range_constraints.s31: the range is empty");
  refused(
      edited_mlp([](nlohmann::json& p) {
        p["graph_module"]["signature"]["input_specs"][0] = {{"token", {{"arg", {{"name", "t"}}}}}};
      }),
      "input kind 'token' is not supported");
  // A graph that relies on more than its contract: dict_tuple adds inputs['a'] [s63, 3]
  // and pair[0], here given a symbol of its own, which broadcasts only if s63 is not 1
  // (and then equal to s9).
  refused(edited_mlp(
              [](nlohmann::json& p) {
                p["graph_module"]["graph"]["tensor_values"]["pair_0"]["sizes"][0] = {
                    {"as_expr",
                     {{"expr_str", "Symbol('s9', positive=True, integer=True)"},
                      {"hint", {{"as_int", 2}}}}}};
                p["range_constraints"]["s9"] = {{"min_val", 1}, {"max_val", 16}};
              },
              {}, "dict_tuple.pt2"),
          "graph_module.graph: the graph relies on Ne(s63, 1), which the archive's "
          "range_constraints and asserts do not state");
}

TEST_CASE("a weight whose view does not fit its payload is refused") {
  // weight_1 (the first bias) holds 16 floats; a view of 16 from offset 1 reaches past it.
  auto const out = edited_archive([](std::string const& entry, nlohmann::json& j) {
    if (entry == "data/weights/model_weights_config.json")
      j["config"]["0.bias"]["tensor_meta"]["storage_offset"]["as_int"] = 1;
  });
  CHECK_THROWS_WITH_AS(xport::load_pt2_from_bytes(out),
                       doctest::Contains("reaches past the end of payload 'weight_1' (64 bytes)"),
                       xport::serialization_error);
}
