// The checks the OpInfo sweep runs on every op x dtype x sample (see opinfo.hpp):
//  - eager against an independent reference: PyTorch's own result, generated once by
//    tests/opinfo/make_references.py into tests/opinfo/references.json, or a closed form;
//  - the meta rule against the kernel's actual output dtypes and sizes;
//  - trace -> export -> module() equal to eager, with every dim of every input Dim::Auto;
//  - that program equal to eager on other sizes drawn inside its contract, and refusing
//    sizes drawn just outside it with the contract's message;
//  - run_decompositions equal to eager;
//  - save -> load giving the same program and the same values, and so save_pt2 ->
//    load_pt2 (PyTorch's format), with the same contract;
// and, for every dtype an op does not declare, a dtype_error naming the op and the dtype
// before any memory is allocated.
//
// With XPORT_OPINFO_MANIFEST=<file> set, the sweep instead writes every sample (op,
// attributes, inputs) to that file as JSON lines, for make_references.py.
#include "opinfo/opinfo.hpp"
#include "support/contract_draws.hpp"

#include <xport/xport.hpp>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>

namespace opinfo {
namespace {

using json = nlohmann::json;
namespace ops = xport::ops;

std::string key_of(ops::op_schema const& op, dtype d, std::string const& label) {
  return std::string(op.name) + "|" + std::string(xport::name(d)) + "|" + label;
}

// ---- the reference fixture -------------------------------------------------------------

std::string references_path() {
  std::string const here = __FILE__;
  return here.substr(0, here.find_last_of('/')) + "/references.json";
}

json const& references() {
  static json const table = [] {
    std::ifstream in(references_path());
    if (!in) return json::object();
    return json::parse(in);
  }();
  return table;
}

char const* manifest_path() {
  return std::getenv("XPORT_OPINFO_MANIFEST");
}

// A value as JSON: NaN and infinities as strings (JSON has no such numbers).
json number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return x;
}

double number_of(json const& j) {
  if (j.is_string()) {
    std::string const s = j.get<std::string>();
    if (s == "nan") return std::nan("");
    return s == "inf" ? INFINITY : -INFINITY;
  }
  return j.get<double>();
}

// The elements of `t` in row-major order, as doubles.
std::vector<double> elements(Tensor const& t) {
  Tensor const d = t.to(dtype::float64).contiguous();
  return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// A tensor for the manifest: dtype, sizes, strides, offset and its whole storage.
json describe(Tensor const& t) {
  if (!t.defined()) return nullptr;
  std::int64_t const elements_in_storage =
      static_cast<std::int64_t>(t.storage().nbytes() / xport::element_size(t.dtype()));
  Tensor const base(t.storage(), t.dtype(), {elements_in_storage}, {1}, 0);
  json values = json::array();
  for (double x : elements(base))
    values.push_back(number(x));
  return {{"dtype", xport::name(t.dtype())},
          {"sizes", std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end())},
          {"strides", std::vector<std::int64_t>(t.strides().begin(), t.strides().end())},
          {"offset", t.storage_offset()},
          {"storage", values}};
}

void dump(ops::op_schema const& op, dtype d, sample const& s) {
  static std::ofstream out(manifest_path(), std::ios::trunc);
  json line = {{"key", key_of(op, d, s.label)}, {"op", op.name}, {"values", s.values}};
  if (s.call || s.reference)
    line["skip"] = "not an ATen call";
  else
    line["attributes"] = xport::serde::detail::encode_value(s.attributes.value());
  json inputs = json::array();
  for (Tensor const& t : s.inputs)
    inputs.push_back(describe(t));
  line["inputs"] = inputs;
  out << line.dump() << "\n";
  out.flush();
}

// ---- comparing ---------------------------------------------------------------------------

// The tolerance of a result in `type` against a reference computed independently.
std::pair<double, double> tolerance(dtype type) {
  switch (type) {
  case dtype::float64:
    return {1e-9, 1e-12};
  case dtype::float32:
    return {2e-5, 1e-5};
  case dtype::float16:
    return {2e-3, 2e-3};
  case dtype::bfloat16:
    return {1.6e-2, 1e-2};
  default:
    return {0, 0};
  }
}

bool close(double a, double e, std::pair<double, double> tol) {
  if (std::isnan(e)) return std::isnan(a);
  if (std::isinf(e)) return a == e;
  return std::abs(a - e) <= tol.second + tol.first * std::abs(e);
}

std::string sizes_str(Tensor const& t) {
  return xport::format_sizes(t.sizes());
}

// Checks `actual` against `expected` (dtype, sizes and, when `values`, every element).
void expect_matches(Tensor const& actual, Tensor const& expected, bool values,
                    std::string const& what) {
  INFO(what);
  REQUIRE(actual.defined() == expected.defined());
  if (!actual.defined()) return;
  CHECK_MESSAGE(actual.dtype() == expected.dtype(),
                "dtype " << xport::name(actual.dtype()) << " vs " << xport::name(expected.dtype()));
  CHECK_MESSAGE(sizes_str(actual) == sizes_str(expected),
                "sizes " << sizes_str(actual) << " vs " << sizes_str(expected));
  if (!values || actual.dtype() != expected.dtype() || sizes_str(actual) != sizes_str(expected))
    return;
  auto const tol = tolerance(actual.dtype());
  std::vector<double> const a = elements(actual), e = elements(expected);
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!close(a[i], e[i], tol)) {
      FAIL_CHECK("element " << i << ": " << a[i] << " vs " << e[i]);
      return;
    }
  }
}

void expect_matches(ops::tensor_list const& actual, ops::tensor_list const& expected, bool values,
                    std::string const& what) {
  REQUIRE_MESSAGE(actual.size() == expected.size(),
                  what << ": " << actual.size() << " outputs vs " << expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i)
    expect_matches(actual[i], expected[i], values, what + ", output " + std::to_string(i));
}

ops::tensor_list from_fixture(json const& outputs) {
  ops::tensor_list out;
  for (json const& o : outputs) {
    std::vector<double> v;
    for (json const& x : o.at("values"))
      v.push_back(number_of(x));
    dtype type = dtype::float32;
    for (dtype d : xport::all_dtypes)
      if (xport::name(d) == o.at("dtype").get<std::string>()) type = d;
    out.push_back(maker::from(v, o.at("sizes").get<sizes>(), type));
  }
  return out;
}

// With XPORT_FUZZ_SEEDS=<dir> set, the first saved program of each op is written there as
// <op>.xpt: the fuzz targets' seeds (fuzz/seed.py turns them into the corpus).
void write_fuzz_seed(ops::op_schema const& op, std::string const& archive) {
  static std::set<std::string> written;
  char const* dir = std::getenv("XPORT_FUZZ_SEEDS");
  if (dir == nullptr || !written.insert(std::string(op.name)).second) return;
  std::string name(op.name);
  std::replace_if(
      name.begin(), name.end(),
      [](char ch) { return !std::isalnum(static_cast<unsigned char>(ch)) && ch != '_'; }, '_');
  std::ofstream(std::string(dir) + "/" + name + ".xpt", std::ios::binary) << archive;
}

// ---- inputs of other sizes ---------------------------------------------------------------

// A tensor of `shape` holding `t`'s elements in row-major order, repeated as needed: values
// from the sample's own domain (indices in range, positive inputs of log).
Tensor refilled(Tensor const& t, std::vector<std::int64_t> const& shape) {
  std::vector<double> const v = elements(t);
  std::int64_t n = 1;
  for (std::int64_t s : shape)
    n *= s;
  std::vector<double> out(static_cast<std::size_t>(n), 0.0);
  for (std::size_t i = 0; i < out.size() && !v.empty(); ++i)
    out[i] = v[i % v.size()];
  return maker::from(out, sizes(shape.begin(), shape.end()), t.dtype());
}

// The sample's inputs with the defined ones refilled to `shapes` (in order).
std::vector<Tensor> resized(std::vector<Tensor> const& in, test::shapes const& shapes) {
  std::vector<Tensor> out;
  std::size_t k = 0;
  for (Tensor const& t : in)
    out.push_back(t.defined() ? refilled(t, shapes.at(k++)) : t);
  return out;
}

// ---- running a sample --------------------------------------------------------------------

// A copy with its own storage and the same view (sizes, strides, offset): runs that
// write into their inputs (in-place ops) leave the sample as it was.
Tensor deep_copy(Tensor const& t) {
  if (!t.defined()) return t;
  xport::Storage storage(t.storage().nbytes(), t.device());
  std::memcpy(storage.data(), t.storage().data(), t.storage().nbytes());
  return Tensor(storage, t.dtype(), t.sizes(), t.strides(), t.storage_offset());
}

std::vector<Tensor> copies(std::vector<Tensor> const& in) {
  std::vector<Tensor> out;
  for (Tensor const& t : in)
    out.push_back(deep_copy(t));
  return out;
}

ops::tensor_list run_eager(sample const& s, std::vector<Tensor> const& in) {
  std::span<Tensor const> const span(in.data(), in.size());
  return s.call ? s.call(span) : xport::kernels::eager_call(s.attributes, span);
}

// A module whose forward makes one call of the sample's op; the defined inputs are its
// arguments (undefined ones, absent optional inputs, are put back in their places).
struct op_module : xport::Module<op_module> {
  BOOST_HANA_DEFINE_STRUCT(op_module);
  sample const* s = nullptr;
  std::vector<bool> present;

  std::vector<Tensor> forward(std::vector<Tensor> const& args) const {
    std::vector<Tensor> in;
    std::size_t k = 0;
    for (bool p : present)
      in.push_back(p ? args.at(k++) : Tensor());
    std::span<Tensor const> const span(in.data(), in.size());
    ops::tensor_list const out =
        s->call ? s->call(span) : ops::call(s->attributes, span, xport::source_location::current());
    return std::vector<Tensor>(out.begin(), out.end());
  }
};

std::vector<Tensor> defined_only(std::vector<Tensor> const& in) {
  std::vector<Tensor> out;
  for (Tensor const& t : in)
    if (t.defined()) out.push_back(t);
  return out;
}

// Every dim of every input but the sample's static ones left to tracing (Dim::Auto):
// dynamic unless the op needs it static, never a violation.
xport::sym::dynamic_shapes automatic(sample const& s) {
  std::vector<xport::sym::shape_spec> leaves;
  for (std::size_t k = 0; k < s.inputs.size(); ++k) {
    Tensor const& t = s.inputs[k];
    if (!t.defined()) continue;
    bool const fixed =
        std::find(s.static_inputs.begin(), s.static_inputs.end(), k) != s.static_inputs.end();
    std::vector<xport::sym::dim_spec> d(static_cast<std::size_t>(t.dim()),
                                        fixed ? xport::Dim::Static : xport::Dim::Auto);
    leaves.emplace_back(std::move(d));
  }
  return xport::sym::dynamic_shapes(std::move(leaves));
}

ops::tensor_list as_list(std::vector<Tensor> const& v) {
  return ops::tensor_list(v.begin(), v.end());
}

// A CPU allocator that counts allocations, installed for a scope.
class counting_allocator final : public xport::device_allocator {
public:
  counting_allocator() : saved_(&xport::allocator_for(xport::Device{})) {
    xport::register_allocator(xport::device_kind::cpu, *this);
  }
  counting_allocator(counting_allocator const&) = delete;
  counting_allocator& operator=(counting_allocator const&) = delete;
  ~counting_allocator() override { xport::register_allocator(xport::device_kind::cpu, *saved_); }
  void* allocate(std::size_t nbytes, xport::Device device) override {
    ++count;
    return saved_->allocate(nbytes, device);
  }
  void deallocate(void* data, xport::Device device) noexcept override {
    saved_->deallocate(data, device);
  }
  void copy(void* dst, xport::Device dst_device, void const* src, xport::Device src_device,
            std::size_t nbytes) override {
    saved_->copy(dst, dst_device, src, src_device, nbytes);
  }
  std::size_t count = 0;

private:
  xport::device_allocator* saved_;
};

// The program on sizes drawn inside its contract (values refilled from the sample's) runs
// equal to eager, or both refuse the data; sizes just outside it are refused by the
// contract's check, with its message, before any kernel runs.
// `copy` (the program through another format) runs like `ep` on sizes drawn inside
// `ep`'s contract, and refuses the sizes drawn just outside it.
void check_same_contract(sample const& s, xport::ExportedProgram const& ep,
                         xport::ExportedProgram const& copy, std::string const& key) {
  xport::ExportedModule original = ep.module(), run = copy.module();
  std::mt19937_64 rng(std::hash<std::string>{}(key) + 1);
  std::optional<test::draw> const d = test::draw_inside(ep.contract, rng, 4);
  REQUIRE(d.has_value());
  std::vector<Tensor> const in = defined_only(resized(s.inputs, d->sizes));
  std::optional<ops::tensor_list> want, got;
  std::string want_error, got_error;
  try {
    want = as_list(original.call<std::vector<Tensor>>(copies(in)));
  } catch (xport::error const& e) {
    want_error = e.what();
  }
  try {
    got = as_list(run.call<std::vector<Tensor>>(copies(in)));
  } catch (xport::error const& e) {
    got_error = e.what();
  }
  INFO("program: " << want_error << "; copy: " << got_error);
  REQUIRE(want.has_value() == got.has_value());
  if (want) expect_matches(*got, *want, s.values, "copy vs program, drawn sizes");
  for (test::violation const& v : test::draw_outside(ep.contract, *d)) {
    INFO("outside the contract: " << v.what);
    CHECK_THROWS_AS(run.call<std::vector<Tensor>>(defined_only(resized(s.inputs, v.sizes))),
                    xport::error);
  }
}

void check_contract(sample const& s, xport::ExportedProgram const& ep, std::string const& key,
                    counts& c) {
  INFO(ep.contract.to_string());
  xport::ExportedModule run = ep.module();
  std::mt19937_64 rng(std::hash<std::string>{}(key));
  std::optional<test::draw> first;
  for (int i = 0; i < 2; ++i) {
    std::optional<test::draw> const d = test::draw_inside(ep.contract, rng, 4);
    REQUIRE_MESSAGE(d.has_value(), "no sizes inside the contract");
    if (!first) first = d;
    std::vector<Tensor> const in = resized(s.inputs, d->sizes);
    std::string eager_error, export_error;
    std::optional<ops::tensor_list> eager, exported;
    try {
      eager = run_eager(s, copies(in));
    } catch (xport::error const& e) {
      eager_error = e.what();
    }
    try {
      exported = as_list(run.call<std::vector<Tensor>>(defined_only(copies(in))));
    } catch (xport::error const& e) {
      export_error = e.what();
    }
    INFO("drawn sizes " << i << ": eager: " << eager_error << "; exported: " << export_error);
    REQUIRE(eager.has_value() == exported.has_value());
    if (eager)
      expect_matches(*exported, *eager, s.values, "exported vs eager, drawn sizes");
    else
      ++c.inside_refused;
    ++c.inside;
  }
  for (test::violation const& v : test::draw_outside(ep.contract, *first)) {
    INFO("outside the contract: " << v.what);
    std::vector<Tensor> const in = defined_only(resized(s.inputs, v.sizes));
    if (v.is_rank)
      CHECK_THROWS_WITH_AS(run.call<std::vector<Tensor>>(in), doctest::Contains(v.phrase.c_str()),
                           xport::shape_error);
    else
      CHECK_THROWS_WITH_AS(run.call<std::vector<Tensor>>(in), doctest::Contains(v.phrase.c_str()),
                           xport::constraint_violation);
    ++c.outside;
  }
}

} // namespace

void run_checks(ops::op_schema const& op, dtype d, sample const& s, counts& c);

void check_sample(ops::op_schema const& op, dtype d, sample const& s, counts& c) {
  std::string const key = key_of(op, d, s.label);
  INFO(key);
  try {
    run_checks(op, d, s, c);
  } catch (std::exception const& e) {
    FAIL_CHECK("threw: " << std::string(e.what()));
  }
}

void run_checks(ops::op_schema const& op, dtype d, sample const& s, counts& c) {
  std::string const key = key_of(op, d, s.label);
  if (manifest_path() != nullptr) {
    dump(op, d, s);
    return;
  }

  // Eager, against the reference.
  ops::tensor_list const eager = run_eager(s, copies(s.inputs));
  if (s.reference) {
    expect_matches(eager, s.reference(std::span<Tensor const>(copies(s.inputs))), s.values,
                   "eager vs closed form");
  } else {
    json const& table = references();
    auto const it = table.find(key);
    REQUIRE_MESSAGE(it != table.end(), "no PyTorch reference for "
                                           << key
                                           << ": regenerate tests/opinfo/references.json "
                                              "with tests/opinfo/make_references.py");
    if (it->contains("error")) {
      FAIL_CHECK(
          "PyTorch refuses this sample, xport does not: " << it->at("error").get<std::string>());
    } else {
      expect_matches(eager, from_fixture(it->at("outputs")), s.values, "eager vs PyTorch");
    }
  }
  ++c.eager;

  // The meta rule against what the kernel made (data-dependent sizes are the kernel's).
  if (!s.call) {
    auto const metas = xport::kernels::metas_of(s.inputs);
    ops::eager_meta_context context;
    ops::meta_list const predicted =
        s.attributes.meta(std::span<ops::tensor_meta const>(metas.data(), metas.size()), context);
    REQUIRE(predicted.size() == eager.size());
    bool const data_sized = xport::ops::has_tag(op.tags, ops::op_tag::data_dependent);
    for (std::size_t i = 0; i < eager.size(); ++i) {
      CHECK_MESSAGE(predicted[i].dtype == eager[i].dtype(), "output " << i << " dtype");
      if (!data_sized)
        CHECK_MESSAGE(xport::format_sizes(predicted[i].concrete_sizes()) == sizes_str(eager[i]),
                      "output " << i << " sizes");
    }
    ++c.metas;
  }

  if (!s.exportable) {
    ++c.skipped;
    return;
  }
  // trace -> export -> module().
  op_module m;
  m.s = &s;
  for (Tensor const& t : s.inputs)
    m.present.push_back(t.defined());
  std::vector<Tensor> const args = defined_only(s.inputs);
  xport::ExportedProgram const ep = xport::export_program(m, std::tuple{args}, automatic(s));
  ops::tensor_list const traced =
      as_list(ep.module().call<std::vector<Tensor>>(defined_only(copies(s.inputs))));
  expect_matches(traced, eager, s.values, "exported vs eager");
  ++c.exported;
  check_contract(s, ep, key, c);

  if (s.decomposes) {
    xport::ExportedProgram const lowered = ep.run_decompositions();
    ops::tensor_list const decomposed =
        as_list(lowered.module().call<std::vector<Tensor>>(defined_only(copies(s.inputs))));
    expect_matches(decomposed, eager, s.values, "decomposed vs eager");
    ++c.decomposed;
  } else {
    ++c.skipped;
  }

  std::stringstream bytes;
  xport::save(ep, bytes);
  write_fuzz_seed(op, bytes.str());
  xport::ExportedProgram const loaded = xport::load(bytes);
  CHECK(loaded.str() == ep.str());
  ops::tensor_list const reloaded =
      as_list(loaded.module().call<std::vector<Tensor>>(defined_only(copies(s.inputs))));
  expect_matches(reloaded, traced, s.values, "loaded vs exported");
  ++c.saved;

  xport::ExportedProgram const from_pt2 = xport::load_pt2_from_bytes(xport::save_pt2_to_bytes(ep));
  ops::tensor_list const rerun =
      as_list(from_pt2.module().call<std::vector<Tensor>>(defined_only(copies(s.inputs))));
  expect_matches(rerun, traced, s.values, "load_pt2(save_pt2) vs exported");
  check_same_contract(s, ep, from_pt2, key);
  ++c.pt2;
}

void check_refused(ops::op_schema const& op, dtype d, sample const& s, counts& c) {
  INFO(key_of(op, d, s.label));
  if (manifest_path() != nullptr) return;
  std::vector<Tensor> const in = copies(s.inputs);
  std::string message;
  std::size_t allocations = 0;
  {
    counting_allocator counter;
    try {
      (void)run_eager(s, in);
    } catch (xport::dtype_error const& e) {
      message = e.what();
    }
    allocations = counter.count;
  }
  REQUIRE_MESSAGE(!message.empty(), "an undeclared dtype was not refused");
  CHECK_MESSAGE(allocations == 0, "memory was allocated before the refusal");
  auto const lower = [](std::string t) {
    for (char& ch : t)
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return t;
  };
  std::string const text = lower(message);
  bool const names_dtype =
      text.find(lower(std::string(xport::scalar_type_name(d)))) != std::string::npos
      || text.find(lower(std::string(xport::name(d)))) != std::string::npos;
  CHECK_MESSAGE(names_dtype, "the message does not name the dtype: " << message);
  ++c.refused;
}

// Every op of the default set is swept by one of the family files.
using swept = ops::elementwise_ops::join<ops::reduction_ops>::join<ops::linalg_ops>::
    join<ops::conv_ops>::join<ops::pool_ops>::join<ops::norm_ops>::join<ops::embedding_ops>::join<
        ops::dropout_ops>::join<ops::attention_ops>::join<ops::shape_ops>::join<ops::creation_ops>::
        join<ops::indexing_ops>::join<ops::data_dependent_ops>::join<ops::control_flow_ops>;
static_assert(
    swept::size == ops::default_op_set::size &&
        [] {
          bool all = true;
          ops::default_op_set::for_each([&]<class Op>() { all = all && swept::contains<Op>; });
          return all;
        }(),
    "an op family of the default op set has no OpInfo sample file");

TEST_CASE("opinfo: the PyTorch reference file") {
  if (manifest_path() != nullptr) return; // listing the samples for make_references.py
  json const& table = references();
  REQUIRE_MESSAGE(table.contains("__pytorch__"),
                  "tests/opinfo/references.json is missing or has no PyTorch version: run "
                  "tests/opinfo/make_references.py");
  std::size_t outputs = 0;
  for (auto const& item : table.items()) {
    // Not a structured binding: clang 14 cannot capture one in INFO's lambda.
    std::string const& key = item.key();
    json const& entry = item.value();
    if (key == "__pytorch__") continue;
    INFO(key);
    CHECK(key.find('|') != std::string::npos);
    CHECK((entry.contains("outputs") || entry.contains("error")));
    outputs += entry.contains("outputs") ? 1 : 0;
  }
  CHECK(outputs > 1000);
  std::cout << "opinfo references: " << table.size() - 1 << " samples, from PyTorch "
            << table.at("__pytorch__").get<std::string>() << "\n";
}

void report(std::string_view family, counts const& c) {
  if (manifest_path() != nullptr) return;
  std::cout << "opinfo " << family << ": eager vs reference " << c.eager << ", meta vs kernel "
            << c.metas << ", exported " << c.exported << " (drawn sizes inside the contract "
            << c.inside << " (" << c.inside_refused << " refused by both), outside refused "
            << c.outside << "), decomposed " << c.decomposed << ", saved and loaded " << c.saved
            << ", through .pt2 " << c.pt2 << ", undeclared dtypes refused " << c.refused
            << ", not exportable or not decomposable " << c.skipped << "\n";
}

} // namespace opinfo
