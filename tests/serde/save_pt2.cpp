// xport::save_pt2: programs written as PyTorch archives. Here the archives are read back
// with load_pt2 and checked against torch's outputs (torch's fixtures, written again) or
// against the program that was saved (programs xport exported); that torch itself loads
// and runs them is checked by tests/fixtures/pt2/check_roundtrip.py. Also the archive's
// layout and sympy text, and the refusals: programs PyTorch's format cannot hold, state
// without data, paths that are not regular files.
#include "export/models.hpp"
#include "serde/golden_models.hpp"

#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>
#include <xport/export/spec_tree.hpp>
#include <xport/serde/detail/pt2_expr.hpp>
#include <xport/serde/load_pt2.hpp>
#include <xport/serde/save_pt2.hpp>

#include <support/pt2_checks.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <sys/stat.h>

namespace {

using namespace xport_test::pt2;
using xport::ExportedProgram;
using xport::Tensor;

ExportedProgram resaved(std::filesystem::path const& path) {
  return xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(xport::load_pt2(path)));
}

// The entries of a `.pt2` archive's zip, and its program JSON.
struct archive {
  std::set<std::string> entries;
  nlohmann::json model;
  std::vector<std::byte> bytes;

  explicit archive(std::vector<std::byte> data) : bytes(std::move(data)) {
    xport::serde::detail::zip_reader const zip(bytes, "test", "a .pt2 archive");
    for (auto const& [name, entry] : zip.entries())
      entries.insert(name);
    auto const json = zip.data(*zip.find("archive/models/model.json"));
    model =
        nlohmann::json::parse(std::string(reinterpret_cast<char const*>(json.data()), json.size()));
  }

  std::vector<std::string> targets() const {
    std::vector<std::string> out;
    for (nlohmann::json const& node : model["graph_module"]["graph"]["nodes"])
      out.push_back(node["target"].get<std::string>());
    return out;
  }
};

bool contains(std::vector<std::string> const& list, std::string const& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Calls `saved` and `loaded` on the same inputs and compares every output.
void check_same_outputs(ExportedProgram const& saved, ExportedProgram const& loaded,
                        std::vector<xport::leaf> const& inputs) {
  std::vector<xport::leaf> const want = saved.module().run(inputs);
  std::vector<xport::leaf> const got = loaded.module().run(inputs);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    CHECK(xport::equal(std::get<Tensor>(got[i]), std::get<Tensor>(want[i])));
}

} // namespace

TEST_CASE("torch's archives, read and written again, load and run equal to torch") {
  for (char const* name :
       {"mlp", "mlp_decomposed", "cnn", "cnn_decomposed", "transformer", "transformer_decomposed",
        "derived", "dict_tuple", "buffer_mutation", "kv_cache", "int_ops", "int_input",
        "int_input_specialized", "cond", "while_loop", "map", "constant_inputs", "data_dependent",
        "data_dependent_nonzero"}) {
    INFO(name);
    check_cases(name, {.rtol = 1e-4, .atol = 1e-5}, resaved);
    // The program reads back as it was: same graph, signature and contract.
    CHECK(printed(resaved(fixture(std::string(name) + ".pt2")))
          == printed(xport::load_pt2(fixture(std::string(name) + ".pt2"))));
  }
  check_cases("bf16", {.rtol = 1e-2, .atol = 1e-2}, resaved);
  check_bad_cases("derived", "Expected input", resaved);
  check_bad_cases("mlp", "Expected input", resaved);
}

TEST_CASE("programs xport exported: read back with the same outputs, contract and messages") {
  xport::Generator gen{8};
  SUBCASE("a dynamic batch") {
    ExportedProgram const ep = golden::linear_relu();
    ExportedProgram const loaded = xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(ep));
    check_same_outputs(ep, loaded, {xport::randn({7, 4}, gen)});
    CHECK(printed(loaded).find("Range constraints: {s0: VR[2, 32]}") != std::string::npos);
    CHECK_THROWS_WITH_AS(loaded.module().call<Tensor>(xport::randn({33, 4}, gen)),
                         doctest::Contains("Expected input at x.shape[0] to be <= 32, but got 33"),
                         xport::constraint_violation);
  }
  SUBCASE("a data-dependent size and its runtime asserts") {
    ExportedProgram const ep = golden::head();
    ExportedProgram const loaded = xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(ep));
    Tensor const x = xport::randn({6, 2}, gen);
    for (std::int64_t n : {0, 2, 4})
      check_same_outputs(ep, loaded, {x, xport::scalar_tensor(n, {.dtype = xport::dtype::int64})});
    CHECK_THROWS_WITH_AS(
        loaded.module().call<Tensor>(x, xport::scalar_tensor(5, {.dtype = xport::dtype::int64})),
        doctest::Contains("u0 <= 4"), xport::constraint_violation);
  }
  SUBCASE("cond, its true branch reading a constant") {
    ExportedProgram const ep = golden::branches();
    ExportedProgram const loaded = xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(ep));
    check_same_outputs(ep, loaded, {xport::ones({4, 3})});
    check_same_outputs(ep, loaded, {xport::full({5, 3}, -1.0)});
  }
  SUBCASE("while_loop reading a buffer, then map over the rows") {
    ExportedProgram const ep = golden::loops();
    archive const file(xport::save_pt2_to_bytes(ep));
    CHECK(contains(file.targets(), "torch.ops.higher_order.while_loop"));
    CHECK(contains(file.targets(), "torch.ops.higher_order.map_impl"));
    // torch runs a while_loop only if its condition graph returns a tensor, not a 1-tuple.
    for (nlohmann::json const& node : file.model["graph_module"]["graph"]["nodes"])
      if (node["target"] == "torch.ops.higher_order.while_loop")
        CHECK(node["inputs"][0]["arg"]["as_graph"]["graph"]["is_single_tensor_return"] == true);
    ExportedProgram const loaded = xport::load_pt2_from_bytes(file.bytes);
    CHECK(printed(loaded).find("higher_order::while_loop(while_loop_cond_graph_0, "
                               "while_loop_body_graph_0, (x,), (limit, c_step))")
          != std::string::npos);
    for (double limit : {50.0, 1.0, 1000.0})
      check_same_outputs(
          ep, loaded, {xport::abs(xport::randn({5, 3}, gen)) + 0.5, xport::scalar_tensor(limit)});
  }
  SUBCASE("a derived dim, and a size computed from a multiple of a symbol") {
    models::Shifted shifted;
    auto d = xport::Dim("d", {.min = 2, .max = 32});
    ExportedProgram const ep = xport::export_program(
        shifted, std::tuple{xport::zeros({5}), xport::zeros({6})},
        xport::sym::dynamic_shapes({xport::sym::shape_spec{d}, xport::sym::shape_spec{d + 1}}),
        {.input_names = {"x", "y"}});
    ExportedProgram const loaded = xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(ep));
    check_same_outputs(ep, loaded, {xport::randn({7}, gen), xport::randn({8}, gen)});
    CHECK_THROWS_AS(loaded.module().call<Tensor>(xport::ones({7}), xport::ones({9})),
                    xport::constraint_violation);

    models::Rows rows;
    auto r = xport::Dim("r", {.max = 16});
    ExportedProgram const by_four = xport::export_program(
        rows, std::tuple{xport::zeros({8})},
        xport::sym::dynamic_shapes({xport::sym::shape_spec{4 * r}}), {.input_names = {"x"}});
    ExportedProgram const again = xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(by_four));
    check_same_outputs(by_four, again, {xport::randn({12}, gen)});
    CHECK_THROWS_WITH_AS(again.module().call<Tensor>(xport::zeros({6})),
                         doctest::Contains("to be of the form 4*s0"), xport::constraint_violation);

    // The size 4*s0**2 where only x's 2*s0 is known: s0 is x.size(0) // 2.
    models::Square square;
    auto h = xport::Dim("h", {.max = 8});
    ExportedProgram const squared = xport::export_program(
        square, std::tuple{xport::zeros({6})},
        xport::sym::dynamic_shapes({xport::sym::shape_spec{2 * h}}), {.input_names = {"x"}});
    archive const file(xport::save_pt2_to_bytes(squared));
    CHECK(contains(file.targets(), "_operator.floordiv"));
    check_same_outputs(squared, xport::load_pt2_from_bytes(file.bytes), {xport::randn({10}, gen)});
  }
}

TEST_CASE("integer inputs, and contract guards, which torch checks as runtime asserts") {
  models::Tile tile;
  Tensor const x = xport::from<float>({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  auto n = xport::Dim("n", {.min = 1, .max = 8});
  ExportedProgram const dynamic = xport::export_program(
      tile, std::tuple{x, xport::SymInt(3)},
      xport::spec_tree::tuple({xport::spec_tree::none(), xport::spec_tree::integer(n)}),
      {.input_names = {"x", "n"}});
  archive const file(xport::save_pt2_to_bytes(dynamic));
  CHECK(file.model["graph_module"]["graph"]["inputs"][1]
        == nlohmann::json{{"as_sym_int", {{"as_name", "n"}}}});
  CHECK(file.model["graph_module"]["graph"]["sym_int_values"]["n"]["as_expr"]["expr_str"]
        == "Symbol('s0', integer=True)"); // an integer, not a size: not known positive
  ExportedProgram const loaded = xport::load_pt2_from_bytes(file.bytes);
  CHECK(xport::equal(loaded.module().call<Tensor>(x, std::int64_t{5}),
                     dynamic.module().call<Tensor>(x, std::int64_t{5})));
  CHECK_THROWS_WITH_AS(loaded.module().call<Tensor>(x, std::int64_t{9}),
                       doctest::Contains("Expected input at n to be <= 8, but got 9"),
                       xport::constraint_violation);

  ExportedProgram const fixed =
      xport::export_program(tile, std::tuple{x, xport::SymInt(3)}, {}, {.input_names = {"x", "n"}});
  archive const constant(xport::save_pt2_to_bytes(fixed));
  CHECK(constant.model["graph_module"]["signature"]["input_specs"][1]
        == nlohmann::json{{"constant_input", {{"name", "n"}, {"value", {{"as_int", 3}}}}}});
  CHECK_THROWS_WITH_AS(
      xport::load_pt2_from_bytes(constant.bytes).module().call<Tensor>(x, std::int64_t{4}),
      doctest::Contains("Expected input at n to be equal to 3, but got 4"),
      xport::constraint_violation);

  models::Prefix prefix;
  ExportedProgram const guarded = xport::export_program(
      prefix, std::tuple{xport::zeros({6, 2}), xport::zeros({4, 2})},
      xport::sym::dynamic_shapes({xport::sym::shape_spec{xport::Dim::Auto, 2},
                                  xport::sym::shape_spec{xport::Dim::Auto, 2}}),
      {.input_names = {"x", "y"}});
  REQUIRE(!guarded.contract.guards().empty());
  archive const with_guards(xport::save_pt2_to_bytes(guarded));
  CHECK(contains(with_guards.targets(), "torch.ops.aten._assert_scalar.default"));
  ExportedProgram const checked = xport::load_pt2_from_bytes(with_guards.bytes);
  check_same_outputs(guarded, checked, {xport::ones({5, 2}), xport::ones({3, 2})});
  CHECK_THROWS_WITH_AS(checked.module().call<Tensor>(xport::ones({3, 2}), xport::ones({5, 2})),
                       doctest::Contains("Input contract violated"), xport::constraint_violation);
}

TEST_CASE("the archive: PyTorch's layout, schema 8.20, sympy sizes, nodes for symbolic sizes") {
  archive const file(xport::save_pt2_to_bytes(xport::load_pt2(fixture("transformer.pt2"))));
  for (char const* entry :
       {"archive/archive_format", "archive/archive_version", "archive/byteorder",
        "archive/.data/version", "archive/models/model.json",
        "archive/data/weights/model_weights_config.json",
        "archive/data/constants/model_constants_config.json", "archive/data/sample_inputs/model.pt",
        "archive/data/weights/weight_0"})
    CHECK_MESSAGE(file.entries.contains(entry), entry);
  CHECK(file.model["schema_version"] == nlohmann::json{{"major", 8}, {"minor", 20}});
  nlohmann::json const& graph = file.model["graph_module"]["graph"];
  nlohmann::json const& src = graph["tensor_values"]["src"];
  CHECK(src["sizes"][0]["as_expr"]["expr_str"] == "Symbol('s0', integer=True, positive=True)");
  CHECK(src["strides"][0]["as_expr"]["expr_str"]
        == "Mul(Integer(16), Symbol('s1', integer=True, positive=True))");
  // The attention's view sizes are computed by nodes, as torch writes them.
  std::vector<std::string> const targets = file.targets();
  CHECK(contains(targets, "torch.ops.aten.sym_size.int"));
  CHECK(contains(targets, "_operator.mul"));
  CHECK(file.model["range_constraints"]["s0"] == nlohmann::json{{"min_val", 1}, {"max_val", 64}});
  // Deterministic: the same program gives the same bytes, by path, stream or bytes.
  auto const path = std::filesystem::temp_directory_path() / "xport_save_pt2_test.pt2";
  ExportedProgram const ep = xport::load_pt2(fixture("transformer.pt2"));
  xport::save_pt2(ep, path);
  std::ostringstream stream;
  xport::save_pt2(ep, stream);
  std::string const text = stream.str();
  CHECK(std::vector<std::byte>(reinterpret_cast<std::byte const*>(text.data()),
                               reinterpret_cast<std::byte const*>(text.data()) + text.size())
        == file.bytes);
  CHECK(read_file_bytes(path) == file.bytes);
  std::filesystem::remove(path);
}

TEST_CASE("sympy text: each expression xport writes parses back to itself") {
  namespace d = xport::serde::detail;
  namespace sym = xport::sym;
  sym::symbol const s0{sym::symbol_kind::backed, 0}, s1{sym::symbol_kind::backed, 1},
      u0{sym::symbol_kind::unbacked, 0};
  CHECK(d::pt2_srepr(2 * sym::expr(s0) + 1)
        == "Add(Mul(Integer(2), Symbol('s0', integer=True, positive=True)), Integer(1))");
  CHECK(d::pt2_srepr(sym::expr(u0)) == "Symbol('u0', integer=True)");
  std::vector<sym::expr> const cases = {
      sym::expr(7),
      sym::expr(s0) * s1 - 3,
      sym::apply(sym::op_kind::floordiv, sym::expr(s0) * s0, 4),
      sym::apply(sym::op_kind::mod, sym::expr(s1) + 1, 3) * u0,
      sym::apply(sym::op_kind::max, sym::expr(s0), sym::expr(s1) * 2),
      sym::apply(sym::op_kind::min, sym::expr(u0), 6),
  };
  for (sym::expr const& e : cases) {
    std::string const text = d::pt2_srepr(e);
    INFO(text);
    d::pt2_value const back = d::parse_pt2_expr(
        text,
        [&](std::string const& name) -> sym::expr {
          return name == "s0" ? s0 : name == "s1" ? s1 : u0;
        },
        "test");
    REQUIRE(std::holds_alternative<sym::expr>(back));
    CHECK(std::get<sym::expr>(back) == e);
  }
}

TEST_CASE("specialized float, bool and integer inputs are constant inputs, as in torch") {
  models::Scaled scaled;
  ExportedProgram const ep = xport::export_program(scaled, std::tuple{xport::ones({2}), 2.5}, {},
                                                   {.input_names = {"x", "scale"}});
  archive const file(xport::save_pt2_to_bytes(ep));
  nlohmann::json const& graph = file.model["graph_module"]["graph"];
  CHECK(graph["inputs"][1] == nlohmann::json{{"as_float", 2.5}});
  CHECK(file.model["graph_module"]["signature"]["input_specs"][1]
        == nlohmann::json{{"constant_input", {{"name", "scale"}, {"value", {{"as_float", 2.5}}}}}});
  ExportedProgram const loaded = xport::load_pt2_from_bytes(file.bytes);
  CHECK(xport::equal(loaded.module().call<Tensor>(xport::ones({2}), 2.5), xport::full({2}, 2.5)));
  CHECK_THROWS_WITH_AS(loaded.module().call<Tensor>(xport::ones({2}), 3.5),
                       doctest::Contains("Expected input at scale to be equal to 2.5, but got 3.5"),
                       xport::constraint_violation);
}

TEST_CASE("a program PyTorch's format cannot hold is refused whole; nothing is written") {
  auto const path = std::filesystem::temp_directory_path() / "xport_save_pt2_refused.pt2";
  std::filesystem::remove(path);
  // A struct input: torch.export.load would need the dataclass registered in Python.
  models::SumFields sum;
  ExportedProgram const ep =
      xport::export_program(sum, std::tuple{models::Fields{xport::ones({2}), xport::ones({2})}});
  CHECK_THROWS_WITH_AS(xport::save_pt2(ep, path),
                       doctest::Contains("xport::save_pt2: the program uses 1 unsupported op "
                                         "(nothing was written):\n  input or output of struct "
                                         "type: 1 node, first 'models::Fields' (PyTorch reads only "
                                         "the dataclasses registered in Python)"),
                       xport::unsupported_error);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("state without data, and paths that are not regular files, are refused") {
  ExportedProgram ep = golden::linear_relu();
  ExportedProgram broken = ep;
  broken.state_dict.at("fc.bias") = Tensor{};
  CHECK_THROWS_WITH_AS(xport::save_pt2_to_bytes(broken), doctest::Contains("fc.bias"),
                       xport::error);
  auto const fifo = std::filesystem::temp_directory_path() / "xport_save_pt2_fifo";
  std::filesystem::remove(fifo);
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH_AS(xport::save_pt2(ep, fifo), doctest::Contains("not a regular file"),
                       xport::serialization_error);
  CHECK(std::filesystem::is_fifo(fifo)); // left as it was
  std::filesystem::remove(fifo);
}
