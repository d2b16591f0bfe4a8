// libFuzzer target: Dim and spec binding and solving, structure-aware. The bytes choose
// root Dims (names, ranges, some absurd), input shapes whose dims are static sizes, hints
// (Auto, Static, Dynamic with ranges), roots or derived forms `a*d + b`, example sizes, and
// the guards a program's shape logic would record; the target then binds the spec as
// export does, solves, renders the message and the suggested fixes, and applies them.
//
// Anything may be refused with an xport::error. Beyond not crashing, one property must
// hold: when the solver accepts the spec, the input contract it makes accepts the example
// sizes the program was traced with (a contract that refuses its own example is a bug).
#include <xport/sym/fix.hpp>
#include <xport/sym/solver.hpp>

// clang's header; the test suite's replay of this target (any compiler) names its path.
#ifdef XPORT_FUZZED_DATA_PROVIDER
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#include XPORT_FUZZED_DATA_PROVIDER
#pragma GCC diagnostic pop
#else
#include <fuzzer/FuzzedDataProvider.h>
#endif

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

namespace {

namespace sym = xport::sym;

// Mostly small values (where the interesting boundaries are), sometimes the extremes.
std::int64_t size_value(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 15)) {
  case 0:
    return std::numeric_limits<std::int64_t>::max();
  case 1:
    return std::numeric_limits<std::int64_t>::min();
  case 2:
    return in.ConsumeIntegral<std::int64_t>();
  default:
    return in.ConsumeIntegralInRange<std::int64_t>(-2, 40);
  }
}

std::vector<xport::Dim> roots_of(FuzzedDataProvider& in) {
  std::vector<xport::Dim> roots;
  int const count = in.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < count; ++i) {
    std::string name = "d" + std::to_string(i);
    if (in.ConsumeIntegralInRange(0, 15) == 0) name = in.ConsumeRandomLengthString(6);
    sym::dim_range range;
    if (in.ConsumeBool()) range.min = size_value(in);
    if (in.ConsumeBool()) range.max = size_value(in);
    try {
      roots.emplace_back(name, range);
    } catch (xport::error const&) {
      // a bad name or range: refused, as the user would see
    }
  }
  return roots;
}

sym::dim_spec dim_of(FuzzedDataProvider& in, std::vector<xport::Dim> const& roots) {
  int const kind = in.ConsumeIntegralInRange(0, 6);
  if (kind >= 4 && !roots.empty()) {
    xport::Dim const& root = roots[in.ConsumeIntegralInRange<std::size_t>(0, roots.size() - 1)];
    if (kind == 4) return root;
    std::int64_t const a = in.ConsumeIntegralInRange<std::int64_t>(-1, 4);
    std::int64_t const b = in.ConsumeIntegralInRange<std::int64_t>(-4, 6);
    return a * root + b; // may throw for a form PyTorch refuses
  }
  sym::hint_range range;
  if (in.ConsumeBool()) range.min = size_value(in);
  if (in.ConsumeBool()) range.max = size_value(in);
  switch (kind) {
  case 0:
    return size_value(in);
  case 1:
    return xport::Dim::Auto(range);
  case 2:
    return xport::Dim::Static;
  default:
    return xport::Dim::Dynamic(range);
  }
}

// The guards a traced program might record between two input sizes.
sym::relation guard_of(FuzzedDataProvider& in, sym::expr const& x, sym::expr const& y) {
  std::int64_t const k = in.ConsumeIntegralInRange<std::int64_t>(1, 8);
  switch (in.ConsumeIntegralInRange(0, 5)) {
  case 0:
    return sym::le(x, y);
  case 1:
    return sym::eq(x, y);
  case 2:
    return sym::ge(x, k * y);
  case 3:
    return sym::divisible(x, k);
  case 4:
    return sym::le(x, sym::expr(16));
  default:
    return sym::ne(x + k, y);
  }
}

struct traced {
  sym::spec_binding binding;
  sym::trace_facts facts;
};

traced trace(sym::dynamic_shapes const& spec, std::vector<sym::example_input> const& inputs,
             FuzzedDataProvider guards) {
  sym::ShapeEnv env;
  traced t{sym::bind_spec(spec, inputs, sym::symbol_factory_for(env)), {}};
  int const count = guards.ConsumeIntegralInRange(0, 3);
  for (int i = 0; i < count && !t.binding.dims.empty(); ++i) {
    auto pick = [&] {
      return t.binding
          .dims[guards.ConsumeIntegralInRange<std::size_t>(0, t.binding.dims.size() - 1)]
          .value;
    };
    sym::expr const x = pick();
    sym::expr const y = pick();
    env.evaluate(guard_of(guards, x, y), "fuzz");
  }
  t.facts = sym::trace_facts_of(env);
  return t;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  try {
    std::vector<xport::Dim> const roots = roots_of(in);
    int const count = in.ConsumeIntegralInRange(1, 3);
    std::vector<std::vector<std::int64_t>> sizes(static_cast<std::size_t>(count));
    std::vector<sym::shape_spec> shapes;
    std::vector<std::string> paths;
    for (int i = 0; i < count; ++i) {
      int const rank = in.ConsumeIntegralInRange(0, 4);
      std::vector<sym::dim_spec> dims;
      for (int d = 0; d < rank; ++d) {
        dims.push_back(dim_of(in, roots));
        sizes[static_cast<std::size_t>(i)].push_back(
            in.ConsumeIntegralInRange<std::int64_t>(0, 40));
      }
      shapes.emplace_back(std::move(dims));
      paths.push_back("args[" + std::to_string(i) + "]");
    }
    std::vector<sym::example_input> inputs;
    for (int i = 0; i < count; ++i)
      inputs.push_back({paths[static_cast<std::size_t>(i)], sizes[static_cast<std::size_t>(i)]});
    sym::dynamic_shapes const spec(shapes);
    (void)spec.to_string();
    // The rest of the bytes are the program's guards; the refined spec is traced again
    // with the same ones.
    std::vector<std::uint8_t> const rest = in.ConsumeRemainingBytes<std::uint8_t>();
    traced const t = trace(spec, inputs, FuzzedDataProvider(rest.data(), rest.size()));
    sym::solve_result const solved = sym::solve(t.binding, t.facts);
    (void)solved.message();
    if (solved.ok()) {
      sym::input_contract const contract = sym::make_input_contract(
          t.binding, t.facts, paths, sym::zero_one_policy::accept_at_runtime);
      (void)contract.to_string();
      std::vector<sym::shape_view> views(sizes.begin(), sizes.end());
      try {
        contract.check(views);
      } catch (xport::error const& e) {
        std::fprintf(stderr, "the contract refuses its own example: %s\n%s\n", e.what(),
                     contract.to_string().c_str());
        std::abort();
      }
    } else {
      for (sym::suggested_fix const& f : solved.fixes)
        (void)f.to_string();
      sym::dynamic_shapes const refined = sym::refine(spec, solved.fixes);
      traced const again = trace(refined, inputs, FuzzedDataProvider(rest.data(), rest.size()));
      (void)sym::solve(again.binding, again.facts).message();
    }
  } catch (xport::error const&) {
    // refused with a message
  }
  return 0;
}
