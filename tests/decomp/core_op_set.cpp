// The core op set and the default rules as docs/decomp.md lists them: the tables there are
// generated from the code by this test (XPORT_UPDATE_GOLDEN=1 rewrites them), so the
// document cannot drift from the op structs and the rules' emits lists.
#include <xport/decomp/core_op_set.hpp>
#include <xport/decomp/rules.hpp>

#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

using namespace xport;

namespace {

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

std::string core_table() {
  std::string out = "| op | attributes |\n|---|---|\n";
  decomp::core_op_set::for_each([&]<class Op>() {
    out += "| `" + std::string(Op::name) + "` | " + attributes_text<Op>() + " |\n";
  });
  return out;
}

std::string rules_table() {
  std::string out = "| op | attributes | emits |\n|---|---|---|\n";
  decomp::default_rules::for_each([&]<class Rule>() {
    std::string emits;
    Rule::emits::for_each([&]<class Op>() {
      emits += (emits.empty() ? "" : ", ") + std::string("`") + std::string(Op::name) + "`";
    });
    out += "| `" + std::string(Rule::op::name) + "` | " + attributes_text<typename Rule::op>()
           + " | " + emits + " |\n";
  });
  return out;
}

// The text between `<!-- name:begin -->` and `<!-- name:end -->` in docs/decomp.md
// against `generated`; XPORT_UPDATE_GOLDEN=1 writes it instead.
void check_section(std::string const& name, std::string const& generated) {
  std::string const here = __FILE__;
  std::string const path = here.substr(0, here.rfind("/tests/")) + "/docs/decomp.md";
  std::stringstream buffer;
  buffer << std::ifstream(path).rdbuf();
  std::string doc = buffer.str();
  std::string const begin = "<!-- " + name + ":begin -->\n", end = "<!-- " + name + ":end -->";
  std::size_t const b = doc.find(begin), e = doc.find(end);
  REQUIRE_MESSAGE((b != std::string::npos && e != std::string::npos && b < e),
                  path << " has no " << name << " section");
  std::size_t const from = b + begin.size();
  if (char const* update = std::getenv("XPORT_UPDATE_GOLDEN");
      update && std::string(update) == "1") {
    doc.replace(from, e - from, generated);
    std::ofstream(path) << doc;
    return;
  }
  CHECK(doc.substr(from, e - from) == generated);
}

} // namespace

TEST_CASE("docs/decomp.md lists the core op set and the default rules as the code has them") {
  CHECK(decomp::core_op_set::size == 115);
  decomp::core_op_set::for_each(
      [&]<class Op>() { CHECK_MESSAGE(Op::kind == ops::op_kind::core, Op::name); });
  check_section("core-ops", core_table());
  check_section("rules", rules_table());
}
