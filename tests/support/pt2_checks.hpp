// Checks of a program read from a PyTorch fixture (tests/fixtures/pt2/) against torch's
// outputs and refusals, for the load_pt2 and save_pt2 tests.
#pragma once

#include <xport/core/compare.hpp>
#include <xport/core/print.hpp>
#include <xport/export/exported_module.hpp>
#include <xport/serde/load_pt2.hpp>

#include <support/pt2_fixtures.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

namespace xport_test::pt2 {

//! How a test gets the program of an archive: `load_pt2` itself, or a round trip.
using loader = std::function<xport::ExportedProgram(std::filesystem::path const&)>;

inline xport::ExportedProgram plain_load(std::filesystem::path const& path) {
  return xport::load_pt2(path);
}

//! `str(ep)`: the program as `operator<<` prints it.
inline std::string printed(xport::ExportedProgram const& ep) {
  std::ostringstream out;
  out << ep;
  return out.str();
}

//! Runs every case of fixture `name` and compares with torch's outputs.
inline void check_cases(std::string const& name,
                        xport::tolerance tol = {.rtol = 1e-4, .atol = 1e-5},
                        loader const& load = plain_load) {
  nlohmann::json const cases = read_json(name + ".json");
  REQUIRE(cases.at("cases").size() >= 1);
  for (nlohmann::json const& c : cases.at("cases")) {
    // A fresh module per case: a program that mutates a buffer starts from the saved one.
    xport::ExportedModule module = load(fixture(name + ".pt2")).module();
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

//! Every bad case of fixture `name` is refused by the contract (the message has
//! `phrase`), before any kernel runs.
inline void check_bad_cases(std::string const& name, std::string const& phrase,
                            loader const& load = plain_load) {
  nlohmann::json const cases = read_json(name + ".json");
  xport::ExportedModule module = load(fixture(name + ".pt2")).module();
  REQUIRE(cases.at("bad_cases").size() >= 1);
  for (nlohmann::json const& c : cases.at("bad_cases")) {
    INFO(name << ": torch says " << c.at("error").get<std::string>());
    CHECK_THROWS_WITH_AS(module.run(leaves_of(c.at("inputs"))), doctest::Contains(phrase.c_str()),
                         xport::constraint_violation);
  }
}

} // namespace xport_test::pt2
