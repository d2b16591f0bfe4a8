// Generated documentation: op tables written from the op declarations into docs/*.md,
// between `<!-- name:begin -->` and `<!-- name:end -->` markers. The tests that generate
// them fail when the committed page is stale; XPORT_UPDATE_GOLDEN=1 rewrites it.
#pragma once

#include <xport/core/dtype.hpp>
#include <xport/core/scalar.hpp>
#include <xport/core/sym_int.hpp>
#include <xport/ops/data_dependent.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/for_each.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace docs {

using xport::dtype;
using xport::Scalar;
using xport::SymInt;
namespace ops = xport::ops;

// A schema-like spelling of an attribute's C++ type.
template <class T>
struct type_text {
  static std::string get() { return "?"; }
};
template <>
struct type_text<std::int64_t> {
  static std::string get() { return "int"; }
};
template <>
struct type_text<double> {
  static std::string get() { return "float"; }
};
template <>
struct type_text<bool> {
  static std::string get() { return "bool"; }
};
template <>
struct type_text<Scalar> {
  static std::string get() { return "Scalar"; }
};
template <>
struct type_text<SymInt> {
  static std::string get() { return "SymInt"; }
};
template <>
struct type_text<std::string> {
  static std::string get() { return "str"; }
};
template <>
struct type_text<dtype> {
  static std::string get() { return "ScalarType"; }
};
template <>
struct type_text<ops::comparison> {
  static std::string get() { return "comparison"; }
};
template <class T>
struct type_text<std::vector<T>> {
  static std::string get() { return type_text<T>::get() + "[]"; }
};
template <class T>
struct type_text<std::optional<T>> {
  static std::string get() { return type_text<T>::get() + "?"; }
};

template <class Op>
std::string attributes_text() {
  std::string out;
  boost::hana::for_each(boost::hana::accessors<typename Op::attributes>(), [&](auto pair) {
    using field = std::remove_cvref_t<decltype(boost::hana::second(pair)(
        std::declval<typename Op::attributes const&>()))>;
    out += (out.empty() ? "" : ", ") + type_text<field>::get() + " "
           + boost::hana::to<char const*>(boost::hana::first(pair));
  });
  return out.empty() ? "—" : out;
}

// The section `name` of the page `path` (relative to the repository) against
// `generated`; XPORT_UPDATE_GOLDEN=1 writes it instead.
inline void check_section(std::string const& path, std::string const& name,
                          std::string const& generated) {
  std::string const here = __FILE__;
  std::string const file = here.substr(0, here.rfind("/tests/")) + "/" + path;
  std::stringstream buffer;
  buffer << std::ifstream(file).rdbuf();
  std::string doc = buffer.str();
  std::string const begin = "<!-- " + name + ":begin -->", end = "<!-- " + name + ":end -->";
  std::size_t const b = doc.find(begin), e = doc.find(end);
  REQUIRE_MESSAGE((b != std::string::npos && e != std::string::npos && b < e),
                  file << " has no " << name << " section");
  std::size_t const from = b + begin.size();
  if (char const* update = std::getenv("XPORT_UPDATE_GOLDEN");
      update && std::string(update) == "1") {
    doc.replace(from, e - from, generated);
    std::ofstream(file) << doc;
    return;
  }
  CHECK_MESSAGE(doc.substr(from, e - from) == generated,
                file << ": the " << name
                     << " section is stale; rerun this test with "
                        "XPORT_UPDATE_GOLDEN=1 to regenerate it");
}

} // namespace docs
