// xport::load on corrupted and hostile archives: every case raises serialization_error
// with a message naming what is wrong, and nothing crashes or reads out of bounds (the
// sanitizer run and the fuzz target check the latter). Also: atomic saves, schema
// versions, custom op sets.
#include <xport/core/compare.hpp>
#include <xport/serde/serde.hpp>

#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

using namespace xport;
namespace sd = xport::serde::detail;

namespace {

std::filesystem::path golden_dir() {
  return std::filesystem::path(__FILE__).parent_path() / "golden";
}

std::vector<std::byte> read_file(std::filesystem::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

std::vector<std::byte> const& linear_relu() {
  static auto const bytes = read_file(golden_dir() / "linear_relu.xpt");
  return bytes;
}

std::vector<std::byte> const& head() {
  static auto const bytes = read_file(golden_dir() / "head.xpt");
  return bytes;
}

std::vector<std::byte> const& branches() {
  static auto const bytes = read_file(golden_dir() / "branches.xpt");
  return bytes;
}

// The archive `bytes` rebuilt with `edit` applied to its entries (name -> bytes).
std::vector<std::byte>
rebuild(std::vector<std::byte> const& bytes,
        std::function<void(std::vector<std::pair<std::string, std::vector<std::byte>>>&)> edit) {
  sd::zip_reader const zip(bytes);
  std::vector<std::pair<std::string, std::vector<std::byte>>> entries;
  for (std::string const name :
       {"archive/archive_format", "archive/byteorder", "archive/models/model.json"}) {
    auto const data = zip.data(*zip.find(name));
    entries.emplace_back(name, std::vector<std::byte>(data.begin(), data.end()));
  }
  for (auto const& [name, e] : zip.entries()) {
    if (name.starts_with("archive/data/")) {
      auto const data = zip.data(e);
      entries.emplace_back(name, std::vector<std::byte>(data.begin(), data.end()));
    }
  }
  edit(entries);
  std::vector<std::byte> out;
  sd::zip_writer writer([&](void const* p, std::size_t n) {
    auto const* b = static_cast<std::byte const*>(p);
    out.insert(out.end(), b, b + n);
  });
  for (auto const& [name, data] : entries)
    writer.add(name, data);
  writer.finish();
  return out;
}

// The archive with its program JSON edited by `edit`.
std::vector<std::byte> with_json(std::vector<std::byte> const& bytes,
                                 std::function<void(nlohmann::json&)> edit) {
  return rebuild(bytes, [&](auto& entries) {
    for (auto& [name, data] : entries) {
      if (name != "archive/models/model.json") continue;
      auto j = nlohmann::json::parse(reinterpret_cast<char const*>(data.data()),
                                     reinterpret_cast<char const*>(data.data()) + data.size());
      edit(j);
      std::string const text = j.dump();
      data.assign(reinterpret_cast<std::byte const*>(text.data()),
                  reinterpret_cast<std::byte const*>(text.data()) + text.size());
    }
  });
}

nlohmann::json& node_named(nlohmann::json& j, std::string const& name) {
  for (auto& n : j["graph"]["nodes"])
    if (n["name"] == name) return n;
  FAIL("no node " << name);
  return j;
}

std::string load_error(std::vector<std::byte> const& bytes) {
  INFO("loading");
  try {
    (void)load_from_bytes(bytes);
  } catch (serialization_error const& e) {
    return e.what();
  }
  return "(loaded)";
}

// A custom op for the op-set tests: x * factor.
struct my_scale {
  static constexpr std::string_view name = "my::scale";
  static constexpr ops::op_kind kind = ops::op_kind::core;
  struct attributes {
    BOOST_HANA_DEFINE_STRUCT(attributes, (double, factor));
  };
  static ops::meta_list meta(std::span<ops::tensor_meta const> in, attributes const&) {
    return {in[0]};
  }
};

} // namespace

// Loading `bytes` raises serialization_error whose message contains `text`.
#define CHECK_REFUSED(bytes, text)                                                                 \
  CHECK_THROWS_WITH_AS(load_from_bytes(bytes), doctest::Contains(text), serialization_error)

TEST_CASE("the goldens load") {
  CHECK(load_from_bytes(linear_relu()).str().find("aten::relu(linear)") != std::string::npos);
  CHECK(load_from_bytes(head()).str().find("aten::_assert_scalar") != std::string::npos);
}

TEST_CASE("truncated files: every prefix is refused") {
  auto const& full = linear_relu();
  for (std::size_t n = 0; n < full.size(); ++n) {
    std::vector<std::byte> const part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS_AS(load_from_bytes(part), serialization_error);
  }
  CHECK_REFUSED((std::vector<std::byte>(full.begin(), full.begin() + 10)),
                "fewer than a zip archive's end record");
  CHECK_REFUSED((std::vector<std::byte>(full.begin(), full.end() - 1)),
                "no end-of-central-directory record");
}

TEST_CASE("flipped bytes: refused or harmless, never a crash or another error") {
  auto const& full = head();
  std::size_t refused = 0, loaded = 0;
  for (std::size_t i = 0; i < full.size(); ++i) {
    std::vector<std::byte> bad = full;
    bad[i] ^= std::byte{0x20};
    try {
      (void)load_from_bytes(bad);
      ++loaded; // a byte nothing reads (alignment padding, a time stamp)
    } catch (serialization_error const&) {
      ++refused;
    }
  }
  MESSAGE(refused << " of " << full.size() << " single-byte flips refused, " << loaded
                  << " harmless");
  CHECK(refused > full.size() * 3 / 4);
  // Inside the program JSON or a weight, the checksum catches it.
  std::vector<std::byte> bad = linear_relu();
  sd::zip_reader const zip(bad);
  bad[zip.find("archive/data/storage_0")->offset] ^= std::byte{1};
  CHECK_REFUSED(bad, "entry 'archive/data/storage_0' is corrupted: its CRC-32");
  CHECK_NOTHROW(load_from_bytes(bad, {.verify_checksums = false})); // asked not to check
}

TEST_CASE("wrong magic, other archives, an unknown schema major") {
  std::vector<std::byte> bad = linear_relu();
  bad[0] = std::byte{'X'};
  CHECK_REFUSED(bad, "wrong magic");
  auto const other = rebuild(linear_relu(), [](auto& entries) { entries[0].first = "readme"; });
  CHECK_REFUSED(other, "no 'archive/archive_format' entry");
  auto const pt2 = rebuild(linear_relu(), [](auto& entries) {
    entries[0].second = {std::byte{'p'}, std::byte{'t'}, std::byte{'2'}};
  });
  CHECK_REFUSED(pt2, "PyTorch .pt2 archive");
  auto const newer = with_json(linear_relu(), [](auto& j) {
    j["schema_version"]["major"] = 2;
    j["schema_version"]["minor"] = 0;
  });
  CHECK_REFUSED(newer, "schema version 2.0, but this xport reads major version 1 (it was "
                       "written by a newer xport; upgrade xport to read it)");
  auto const text = with_json(linear_relu(), [](auto&) {});
  std::vector<std::byte> not_json =
      rebuild(text, [](auto& entries) { entries[2].second.resize(entries[2].second.size() / 2); });
  CHECK_REFUSED(not_json, "models/model.json is not valid JSON");
}

TEST_CASE("schema minors: a newer minor's extra fields are ignored, an older one's missing "
          "optional fields default") {
  auto const newer = with_json(linear_relu(), [](auto& j) {
    j["schema_version"]["minor"] = 7;
    j["added_in_1_7"] = {{"anything", 1}};
    node_named(j, "relu")["added_in_1_7"] = true;
  });
  CHECK(load_from_bytes(newer).str() == load_from_bytes(linear_relu()).str());
  // 1.0 is the first version; this archive lacks every field marked optional in
  // docs/format.md, as one written before they were added would.
  // The fields of 1.1 (a call's `subgraphs`) are absent from 1.0 files: linear_relu has
  // no cond, and loads as it did.
  auto const older = with_json(linear_relu(), [](auto& j) {
    j["schema_version"]["minor"] = 0;
    j.erase("module_call_graph");
    for (auto& n : j["graph"]["nodes"]) {
      n.erase("where");
      n.erase("module_stack");
      n.erase("scalar");
      n.erase("from");
    }
    for (auto& in : j["contract"]["inputs"])
      in.erase("scalar");
  });
  ExportedProgram const ep = load_from_bytes(older);
  CHECK(ep.str().find("= aten::relu(linear)\n") != std::string::npos);
  CHECK(ep.module_call_graph.empty());
}

TEST_CASE("ops outside the op set: the error names the op and how to register it") {
  auto const custom = with_json(linear_relu(), [](auto& j) {
    auto& n = node_named(j, "relu");
    n["target"] = "my::scale";
    n["attributes"] = {{"factor", 2.5}};
  });
  std::string const message = load_error(custom);
  CHECK(message.find("graph.nodes[4] ('relu'): unknown op 'my::scale'") != std::string::npos);
  CHECK(message.find("xport::load<xport::ops::default_op_set::extend<my_op>>(path)")
        != std::string::npos);
  // With an op set that has it, the program loads; saving needs no op set (attributes
  // are written through each node's schema), and the saved program loads again.
  // (A small set keeps this test quick to compile; default_op_set::extend<my_scale> is
  // the usual spelling.)
  using my_ops = ops::op_set<ops::linear, my_scale>;
  ExportedProgram const ep = load_from_bytes<my_ops>(custom);
  CHECK(ep.str().find("= my::scale(linear, factor=2.5)") != std::string::npos);
  CHECK(load_from_bytes<my_ops>(save_to_bytes(ep)).str() == ep.str());
}

TEST_CASE("wrong attribute types and unknown attributes") {
  auto slice_edit = [](auto edit) {
    return with_json(head(), [&](auto& j) { edit(node_named(j, "slice")["attributes"]); });
  };
  CHECK_REFUSED(slice_edit([](auto& a) { a["dim"] = "zero"; }),
                "('slice').attributes.dim: expected an integer, got string");
  CHECK_REFUSED(slice_edit([](auto& a) { a["step"] = 1.5; }),
                "attributes.step: expected an integer, got number");
  CHECK_REFUSED(slice_edit([](auto& a) { a.erase("dim"); }), "missing attribute 'dim'");
  CHECK_REFUSED(slice_edit([](auto& a) { a["color"] = 1; }), "unknown attribute 'color'");
  auto const bad_enum = with_json(head(), [](auto& j) {
    for (auto& n : j["graph"]["nodes"])
      if (n.value("target", "") == "aten::_assert_scalar") n["attributes"]["op"] = "=<";
  });
  CHECK_REFUSED(bad_enum, "'=<' is not a value of this attribute's enumeration");
  auto const bad_symbol = slice_edit([](auto& a) {
    using j = nlohmann::json;
    a["end"] = {{"expr", j::array({j::array({1, j::array({j::array({"u7", 1})})})})}};
  });
  CHECK_REFUSED(bad_symbol, "the symbol u7 is not defined (the program has 1 unbacked");
}

TEST_CASE("storages: byte counts, offsets past the end, absurd sizes") {
  auto const more_bytes =
      with_json(linear_relu(), [](auto& j) { j["storages"][0]["nbytes"] = 52; });
  CHECK_REFUSED(more_bytes, "storages[0].nbytes: the storage records 52 bytes, but its "
                            "entry holds 12");
  auto const past_end = with_json(linear_relu(), [](auto& j) { j["state_dict"][0]["offset"] = 1; });
  CHECK_REFUSED(past_end, "reaches past the end of storage");
  auto const absurd = with_json(
      linear_relu(), [](auto& j) { j["state_dict"][0]["sizes"] = {std::int64_t{1} << 62}; });
  CHECK_REFUSED(absurd, "reaches past the end of storage");
  auto const negative =
      with_json(linear_relu(), [](auto& j) { j["state_dict"][0]["strides"][0] = -4; });
  CHECK_REFUSED(negative, "strides[0]: -4 is outside [0,");
  auto const missing =
      with_json(linear_relu(), [](auto& j) { j["storages"][0]["entry"] = "data/x"; });
  CHECK_REFUSED(missing, "the archive has no entry 'data/x'");
  // A zip directory claiming a 4 GB entry is refused before anything is allocated.
  std::vector<std::byte> huge = linear_relu();
  sd::zip_reader const zip(huge);
  std::size_t const central = [&] {
    std::string const text(reinterpret_cast<char const*>(huge.data()), huge.size());
    return text.rfind("PK\x01\x02");
  }();
  for (std::size_t const k : {std::size_t{20}, std::size_t{24}})
    for (std::size_t b = 0; b < 4; ++b)
      huge[central + k + b] = std::byte{0xF0};
  CHECK_REFUSED(huge, "runs past the data area");
}

TEST_CASE("names outside their tables: signature kinds, expression operations") {
  auto const input_kind =
      with_json(linear_relu(), [](auto& j) { j["signature"]["inputs"][0]["kind"] = "WEIGHT"; });
  CHECK_REFUSED(input_kind, "signature.inputs[0].kind: unknown input kind 'WEIGHT'");
  auto const output_kind =
      with_json(linear_relu(), [](auto& j) { j["signature"]["outputs"][0]["kind"] = "LOSS"; });
  CHECK_REFUSED(output_kind, "signature.outputs[0].kind: unknown output kind 'LOSS'");
  auto const operation = with_json(linear_relu(), [](auto& j) {
    nlohmann::json const atom = {{"op", "pow"}, {"args", {{{1, {{"s0", 1}}}}, {{2, {}}}}}};
    node_named(j, "relu")["values"][0]["sizes"][0] = {{"expr", {{1, {{atom, 1}}}}}};
  });
  CHECK_REFUSED(operation, "unknown operation 'pow' (floordiv, mod, min, max)");
  // A symbolic integer is a size forward returned: an output, never a specialized input.
  auto const symbolic_input = with_json(linear_relu(), [](auto& j) {
    j["input_constants"][0] = {{"symint", {{"expr", {{1, {{"s0", 1}}}}}}}};
  });
  CHECK_REFUSED(symbolic_input,
                "input_constants[0].symint: a symbolic integer can only be an output");
}

TEST_CASE("stored state that disagrees with its placeholder is refused at load") {
  // A bias stored as [1] where [3] was traced would broadcast silently if it loaded.
  auto const fewer = with_json(linear_relu(), [](auto& j) { j["state_dict"][0]["sizes"] = {1}; });
  CHECK_REFUSED(fewer, "xport::load: the state 'fc.bias' (placeholder p_fc_bias) has size [1], "
                       "but the program was traced with [3]");
  auto const other_dtype =
      with_json(linear_relu(), [](auto& j) { j["state_dict"][0]["dtype"] = "int32"; });
  CHECK_REFUSED(other_dtype, "'fc.bias' (placeholder p_fc_bias) has dtype int32, but the program "
                             "was traced with float32");
  auto const transposed = with_json(linear_relu(), [](auto& j) {
    j["state_dict"][1]["sizes"] = {4, 3};
    j["state_dict"][1]["strides"] = {1, 4};
  });
  CHECK_REFUSED(transposed, "'fc.weight' (placeholder p_fc_weight) has size [4, 3]");
}

TEST_CASE("duplicate names and cycles") {
  auto const dup_node =
      with_json(linear_relu(), [](auto& j) { node_named(j, "relu")["name"] = "linear"; });
  CHECK_REFUSED(dup_node, "duplicate node name 'linear'");
  auto const dup_state = with_json(
      linear_relu(), [](auto& j) { j["state_dict"][1]["name"] = j["state_dict"][0]["name"]; });
  CHECK_REFUSED(dup_state, "duplicate state name 'fc.bias'");
  auto const cycle = with_json(linear_relu(), [](auto& j) {
    node_named(j, "linear")["args"][0] = {{"node", "relu"}, {"output", 0}};
  });
  CHECK_REFUSED(cycle, "refers to 'relu', which is not a node defined before this one (a "
                       "cycle or a forward reference)");
  auto const self = with_json(linear_relu(), [](auto& j) {
    node_named(j, "relu")["args"][0] = {{"node", "relu"}, {"output", 0}};
  });
  CHECK_REFUSED(self, "refers to 'relu'");
  auto const bad_output =
      with_json(linear_relu(), [](auto& j) { node_named(j, "relu")["args"][0]["output"] = 3; });
  CHECK_REFUSED(bad_output, "'linear' has 1 outputs, so output 3 does not exist");
  auto const wrong_meta = with_json(
      linear_relu(), [](auto& j) { node_named(j, "relu")["values"][0]["dtype"] = "int64"; });
  CHECK_REFUSED(wrong_meta, "the program is inconsistent");
  // Not a generic lambda: clang 14 leaks the nested initializer lists' temporaries in one.
  auto const deep = with_json(linear_relu(), [](nlohmann::json& j) {
    nlohmann::json e = {{1, {{"s0", 1}}}};
    for (int i = 0; i < 40; ++i)
      e = {{1, {{{{"op", "max"}, {"args", {e, {{1, {}}}}}}, 1}}}};
    node_named(j, "relu")["values"][0]["sizes"][0] = {{"expr", e}};
  });
  CHECK_REFUSED(deep, "expressions nest deeper than 32 levels");
}

TEST_CASE("a stored contract that disagrees with the placeholders' sizes is refused") {
  // Found by the load fuzzer (fuzz/regressions/load/contract-disagrees-with-placeholder): a
  // [2, 2] contract on a [5, 2] placeholder let a call through that made a three-way split
  // return one tensor.
  auto const other_size = with_json(linear_relu(), [](nlohmann::json& j) {
    j["contract"]["inputs"][0]["dims"][1] = nlohmann::json::parse("[[5, []]]");
  });
  CHECK_REFUSED(other_size,
                "placeholder 'x' has size 4 in dim 1, but the input contract requires 5 of x");
  auto const other_rank = with_json(linear_relu(), [](nlohmann::json& j) {
    j["contract"]["inputs"][0]["dims"].push_back(nlohmann::json::parse("[[1, []]]"));
  });
  CHECK_REFUSED(other_rank, "placeholder 'x' has 2 dims, but the input contract gives x 3");
  auto const other_symbol = with_json(
      linear_relu(), [](nlohmann::json& j) { j["contract"]["symbols"][0]["name"] = "s7"; });
  CHECK_REFUSED(other_symbol, "the input contract's symbol s7 is not a symbol of the graph");
  auto const fewer = with_json(
      linear_relu(), [](nlohmann::json& j) { j["contract"]["inputs"] = nlohmann::json::array(); });
  CHECK_REFUSED(fewer, "placeholder 'x' is a user input the input contract does not list");
}

TEST_CASE("saving is atomic: a failure mid-write leaves the old file and no temporary") {
  auto const dir = std::filesystem::temp_directory_path() / "xport_serde_atomic";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto const path = dir / "model.xpt";
  ExportedProgram const ep = load_from_bytes(linear_relu());
  save(ep, path);
  auto const before = read_file(path);
  CHECK(before == save_to_bytes(ep));
  ExportedProgram const other = load_from_bytes(head());
  for (std::size_t limit : {std::size_t{0}, std::size_t{100}, before.size() / 2}) {
    sd::fail_write_after() = limit;
    CHECK_THROWS_WITH_AS(save(other, path), doctest::Contains("cannot write"), serialization_error);
    sd::fail_write_after() = std::numeric_limits<std::size_t>::max();
    CHECK(read_file(path) == before);
    CHECK(std::distance(std::filesystem::directory_iterator(dir),
                        std::filesystem::directory_iterator())
          == 1);
  }
  save(other, path); // and without a failure, the new program replaces it
  CHECK(read_file(path) == save_to_bytes(other));
  CHECK_THROWS_WITH_AS(save(ep, dir / "missing" / "m.xpt"),
                       doctest::Contains("cannot create a temporary file next to"),
                       serialization_error);
  CHECK_THROWS_WITH_AS(load(dir / "absent.xpt"), doctest::Contains("cannot open"),
                       serialization_error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("sub-graphs: missing, miscounted, misnamed references, wrong operands, deep nesting") {
  CHECK(load_from_bytes(branches()).str().find("class true_graph_0:") != std::string::npos);
  auto edit = [](auto change) {
    return with_json(branches(), [&](auto& j) { change(node_named(j, "cond")); });
  };
  CHECK_REFUSED(edit([](auto& cond) { cond["subgraphs"][0].erase("graph"); }),
                "graph.nodes[4] ('cond').subgraphs[0]");
  CHECK_REFUSED(edit([](auto& cond) { cond["subgraphs"].erase(1); }),
                "graph.nodes[4] ('cond').subgraphs: graph: node 'cond' takes 2 sub-graphs, not 1");
  CHECK_REFUSED(edit([](auto& cond) { cond["attributes"]["op"] = ">"; }),
                "cond: a predicate over sizes needs all of lhs, op and rhs");
  CHECK_REFUSED(edit([](auto& cond) {
                  cond["attributes"]["op"] = ">";
                  cond["attributes"]["lhs"] = 1;
                  cond["attributes"]["rhs"] = 0;
                }),
                "cond: the predicate is both a tensor and a relation of sizes");
  CHECK_REFUSED(edit([](auto& cond) { cond.erase("subgraphs"); }),
                "node 'cond': carries 0 sub-graphs, but 'higher_order::cond' takes 2");
  // A branch's names are its own: it cannot read the outer graph's nodes.
  CHECK_REFUSED(edit([](auto& cond) {
                  for (auto& n : cond["subgraphs"][0]["graph"]["nodes"])
                    if (n["name"] == "cos") n["args"][0]["node"] = "sum";
                }),
                "refers to 'sum', which is not a node defined before this one");
  CHECK_REFUSED(edit([](auto& cond) {
                  cond["args"][2] = {{"node", "x"}, {"output", 0}};
                }),
                "operand 1 (f32[s0, 3]) does not match placeholder 'c_scale' of 'true_graph_0' "
                "(f32[3])");
  CHECK_REFUSED(edit([](auto& cond) {
                  auto& nodes = cond["subgraphs"][1]["graph"]["nodes"];
                  nodes.back()["args"][0] = {{"node", "c_scale"}, {"output", 0}};
                }),
                "for output 0: true_fn returns f32[s0, 3], false_fn returns f32[3]");
  // Sub-graphs 20 deep: refused before anything is built from them.
  CHECK_REFUSED(edit([](auto& cond) {
                  nlohmann::json inner = cond;
                  for (int level = 0; level < 20; ++level) {
                    nlohmann::json outer = cond;
                    outer["args"] = nlohmann::json::array(); // no references to resolve
                    outer["subgraphs"][0]["graph"]["nodes"] = nlohmann::json::array({inner});
                    inner = std::move(outer);
                  }
                  cond = std::move(inner);
                }),
                "sub-graphs nest deeper than 16 levels");
}

TEST_CASE(
    "ZIP64 records (the layout of archives past 4 GiB): read back, and hostile ones refused") {
  ExportedProgram const ep = load_from_bytes(linear_relu());
  serde::detail::always_zip64() = true;
  std::vector<std::byte> const big = save_to_bytes(ep);
  serde::detail::always_zip64() = false;
  REQUIRE(big.size() > linear_relu().size());
  auto find = [&](std::uint32_t signature) {
    for (std::size_t i = 0; i + 4 <= big.size(); ++i) {
      std::uint32_t v = 0;
      std::memcpy(&v, big.data() + i, 4);
      if (v == signature) return i;
    }
    return big.size();
  };
  std::size_t const record = find(0x06064b50), locator = find(0x07064b50);
  REQUIRE(record < big.size());
  REQUIRE(locator == record + 56);
  ExportedProgram const back = load_from_bytes(big);
  CHECK(back.str() == ep.str());
  REQUIRE(back.state_dict.size() == ep.state_dict.size());
  for (auto const& [name, t] : ep.state_dict)
    CHECK(equal(back.state_dict.at(name), t));
  for (std::size_t n = 0; n < big.size(); n += 7) {
    std::vector<std::byte> const part(big.begin(), big.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS_AS(load_from_bytes(part), serialization_error);
  }
  auto patched = [&](std::size_t at, std::uint64_t value, int width) {
    std::vector<std::byte> out = big;
    for (int k = 0; k < width; ++k)
      out[at + static_cast<std::size_t>(k)] = static_cast<std::byte>((value >> (8 * k)) & 0xFFU);
    return out;
  };
  CHECK_REFUSED(patched(locator, 0, 4), "its locator is missing");
  CHECK_REFUSED(patched(locator + 8, big.size() * 2, 8), "the ZIP64 end record (offset");
  CHECK_REFUSED(patched(record, 0, 4), "the ZIP64 end record has a wrong signature");
  CHECK_REFUSED(patched(record + 48, big.size() * 4, 8), "lies outside the file");
  CHECK_REFUSED(patched(record + 24, 3, 8), "entry counts disagree");
  // The first central entry's ZIP64 field, cut to one value: too short for its sizes.
  std::uint64_t directory = 0;
  std::memcpy(&directory, big.data() + record + 48, 8);
  std::size_t const name_size = static_cast<std::size_t>(big[directory + 28]);
  std::size_t const field = directory + 46 + name_size;
  CHECK_REFUSED(patched(field + 2, 8, 2), "has a ZIP64 field too short for its sizes");
  CHECK_REFUSED(patched(field, 0x9999, 2), "has saturated sizes but no ZIP64 field");
}
