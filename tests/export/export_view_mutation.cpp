// Writes through views, functionalized: an in-place op on a slice, narrow, select or
// rearranging view of a buffer, an input or an intermediate is recorded as the functional
// op and a scatter (or inverse view) into the viewed tensor, so the buffer or input is
// mutated as eager execution mutates it. Each model runs eagerly on its own copy of the
// state and through the exported program (saved and loaded, and decomposed), and the
// outputs and the state after the call must agree. PyTorch's twins: test_export.py's
// test_mutate_buffer_through_view-style tests (slice assignment of a buffer, a KV cache)
// and the functionalization of views (`x[0].add_(1)` on an input).
#include <xport/api/control_flow.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/api/indexing.hpp>
#include <xport/api/reduction.hpp>
#include <xport/api/shape.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/core/generator.hpp>
#include <xport/export/export.hpp>

#include <support/programs.hpp>

#include <doctest/doctest.h>

#include <string>
#include <tuple>

using namespace xport;
using xport_test::reloaded;
using xport_test::says;

namespace {

// A key cache: new keys for `n` positions written at the front of a fixed cache (n is
// dynamic), then the attention-like sum over the cache.
struct KeyCache : Module<KeyCache> {
  BOOST_HANA_DEFINE_STRUCT(KeyCache, (Buffer, keys));
  KeyCache() : keys(zeros({2, 8, 4})) {}
  Tensor forward(Tensor const& k) {
    copy_(narrow(keys, 1, 0, k.sym_size(1)), k);
    return sum(keys, {1});
  }
};

// Writes through a select, through a view of a view (transpose then slice with a step),
// and reads a view made before the writes, which must see them.
struct Chains : Module<Chains> {
  BOOST_HANA_DEFINE_STRUCT(Chains, (Buffer, state));
  Chains() : state(zeros({3, 4})) {}
  Tensor forward(Tensor const& x) {
    Tensor const head = slice(state, 0, 0, 2); // made before the writes
    add_(select(state, 0, 1), x);
    fill_(slice(t(state), 0, 1, {}, 2), 5.0); // columns 1 and 3
    mul_(unsqueeze(state, 0), 2.0);
    return head * 1.0;
  }
};

// Writes into a view of a user input and into a view of an intermediate.
struct InputAndIntermediate : Module<InputAndIntermediate> {
  BOOST_HANA_DEFINE_STRUCT(InputAndIntermediate);
  Tensor forward(Tensor const& x) const {
    zero_(narrow(x, 0, 1, 2));
    Tensor const y = x + 1.0;
    fill_(select(permute(y, {1, 0}), 0, 0), -1.0); // y's column 0
    return y;
  }
};

// Scatters rows into one slot of a cache by index (`cache[slot][positions] = rows`).
struct IndexedCache : Module<IndexedCache> {
  BOOST_HANA_DEFINE_STRUCT(IndexedCache, (Buffer, cache));
  IndexedCache() : cache(zeros({2, 6, 3})) {}
  Tensor forward(Tensor const& positions, Tensor const& rows) {
    index_put_(select(cache, 0, 1), {positions}, rows);
    return sum(cache, {1});
  }
};

// Runs `make()`'s forward eagerly and through `ep` (and `ep` saved and loaded, and
// decomposed), each on fresh state, and checks that the outputs agree and so do the
// module's one buffer and the program's `buffer`.
template <class Make>
void check_against_eager(ExportedProgram const& ep, Make make, Tensor const& x,
                         std::string const& buffer) {
  auto eager = make();
  Tensor const want = eager(x.clone());
  for (ExportedProgram const& program : {ep, reloaded(ep), ep.run_decompositions()}) {
    ExportedProgram fresh = program;
    fresh.state_dict.at(buffer) = make().buffers().front().clone();
    ExportedModule run = fresh.module();
    CHECK(allclose(run.call<Tensor>(x.clone()), want));
    CHECK(allclose(run.program().state_dict.at(buffer), eager.buffers().front()));
  }
}

} // namespace

TEST_CASE("a write through narrow into a buffer is a slice_scatter and a buffer mutation") {
  KeyCache m;
  Generator gen{61};
  auto n = Dim("n", {.min = 1, .max = 8});
  ExportedProgram const ep =
      export_program(m, std::tuple{randn({2, 3, 4}, gen)}, {{2, n, 4}}, {.input_names = {"k"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(says(text, "aten::copy(narrow, k, non_blocking=False)"));
  CHECK(says(text, "aten::slice_scatter(b_keys, copy, dim=1, start=0, end=s0, step=1)"));
  CHECK(says(text, "slice_scatter: BUFFER_MUTATION target='keys'"));
  CHECK(allclose(m.keys, zeros({2, 8, 4}))); // export does not run forward on the buffer
  for (std::int64_t const len : {1, 5, 8})
    check_against_eager(
        ep, [] { return KeyCache(); }, randn({2, len, 4}, gen), "keys");
}

TEST_CASE("writes through select, a view of a view, and a view read after the writes") {
  Chains m;
  Generator gen{62};
  ExportedProgram const ep = export_program(m, std::tuple{randn({4}, gen)});
  std::string const text = ep.str();
  INFO(text);
  CHECK(says(text, "aten::select_scatter(b_state, add, dim=0, index=1)"));
  CHECK(
      says(text, "aten::slice_scatter(t, fill, dim=0, start=1, end=9223372036854775807, step=2)"));
  // The view made before the writes is made again from the written buffer.
  CHECK(says(text, "aten::slice.Tensor(reshape, dim=0, start=0, end=2, step=1)"));
  check_against_eager(
      ep, [] { return Chains(); }, randn({4}, gen), "state");
  // The closed form: row 1 += x, columns 1 and 3 set to 5, everything doubled; the
  // output is the first two rows after every write.
  Chains eager;
  Tensor const x = arange(4, {.dtype = dtype::float32});
  Tensor const out = eager(x);
  Tensor const want = from<float>({{0, 10, 0, 10}, {0, 10, 4, 10}});
  CHECK(allclose(out, want));
}

TEST_CASE("a write through a view of a user input is an input mutation") {
  InputAndIntermediate m;
  Generator gen{63};
  ExportedProgram const ep = export_program(m, std::tuple{randn({4, 3}, gen)});
  std::string const text = ep.str();
  INFO(text);
  CHECK(says(text, "USER_INPUT_MUTATION"));
  Tensor const x = randn({4, 3}, gen);
  Tensor const eager_x = x.clone();
  Tensor const want = m(eager_x);
  Tensor const run_x = x.clone();
  Tensor const got = ep.module().call<Tensor>(run_x);
  CHECK(allclose(got, want));
  CHECK(allclose(run_x, eager_x)); // rows 1 and 2 zeroed in the caller's tensor
  CHECK(allclose(run_x.narrow(0, 1, 2), zeros({2, 3})));
  CHECK(allclose(got.select(1, 0), full({4}, -1.0)));
}

TEST_CASE("index_put_ into a select of a buffer is an index_put and a select_scatter") {
  IndexedCache m;
  Generator gen{64};
  Tensor const positions = from<std::int64_t>({4, 0});
  ExportedProgram const ep = export_program(m, std::tuple{positions, randn({2, 3}, gen)});
  std::string const text = ep.str();
  INFO(text);
  CHECK(says(text, "aten::index_put(select, args_0, args_1, accumulate=False)"));
  CHECK(says(text, "aten::select_scatter(b_cache, index_put, dim=0, index=1)"));
  IndexedCache eager;
  Tensor const rows = randn({2, 3}, gen);
  Tensor const want = eager(positions, rows);
  ExportedProgram fresh = ep;
  fresh.state_dict.at("cache") = zeros({2, 6, 3});
  ExportedModule run = fresh.module();
  CHECK(allclose(run.call<Tensor>(positions, rows), want));
  CHECK(allclose(run.program().state_dict.at("cache"), eager.cache));
  CHECK(allclose(eager.cache.select(0, 1).select(0, 4), rows.select(0, 0)));
}

namespace {
struct WritesExpanded : Module<WritesExpanded> {
  BOOST_HANA_DEFINE_STRUCT(WritesExpanded, (Buffer, state));
  WritesExpanded() : state(zeros({1, 4})) {}
  Tensor forward(Tensor const& x) {
    add_(expand(state, {3, 4}), x);
    return x;
  }
};

struct WritesSplit : Module<WritesSplit> {
  BOOST_HANA_DEFINE_STRUCT(WritesSplit, (Buffer, state));
  WritesSplit() : state(zeros({4})) {}
  Tensor forward(Tensor const& x) {
    fill_(split(state, 2).front(), 1.0);
    return x + state;
  }
};
} // namespace

namespace {
// A branch of cond writes through a view of its operand.
struct BranchWritesView : Module<BranchWritesView> {
  BOOST_HANA_DEFINE_STRUCT(BranchWritesView);
  Tensor forward(Tensor const& x) const {
    return cond(
        sum(x) > 0.0,
        [](Tensor const& v) {
          fill_(narrow(v, 0, 0, 1), 0.0);
          return v * 2.0;
        },
        [](Tensor const& v) { return v + 1.0; }, x);
  }
};

// Writes through a view of a tensor made in forward (a lifted constant).
struct WritesConstantView : Module<WritesConstantView> {
  BOOST_HANA_DEFINE_STRUCT(WritesConstantView);
  Tensor forward(Tensor const& x) const {
    Tensor const table = ones({4});
    fill_(narrow(table, 0, 0, 2), 0.0);
    return x + table;
  }
};

// Writes through a view of a tensor member (a constant of the program).
struct WritesMemberView : Module<WritesMemberView> {
  BOOST_HANA_DEFINE_STRUCT(WritesMemberView, (Tensor, table));
  WritesMemberView() : table(ones({4})) {}
  Tensor forward(Tensor const& x) {
    fill_(narrow(table, 0, 0, 2), 0.0);
    return x + table;
  }
};

// Reads, after a write to the buffer, a reshape of it (a view: it sees the write) and a
// contiguous copy of its transpose (a copy in eager execution: it does not).
struct CopiesAndViews : Module<CopiesAndViews> {
  BOOST_HANA_DEFINE_STRUCT(CopiesAndViews, (Buffer, state));
  CopiesAndViews() : state(zeros({2, 3})) {}
  std::tuple<Tensor, Tensor> forward(Tensor const& x) {
    Tensor const flat = reshape(state, {-1});
    Tensor const copied = contiguous(t(state));
    add_(state, x);
    return {flat * 1.0, copied * 1.0};
  }
};
} // namespace

TEST_CASE("a view read after its base is written: views see the write, copies do not") {
  CopiesAndViews m;
  ExportedProgram const ep = export_program(m, std::tuple{ones({2, 3})});
  INFO(ep.str());
  Tensor const x = arange(6, {.dtype = dtype::float32}).view({2, 3});
  CopiesAndViews eager;
  auto const [flat, copied] = eager(x);
  CHECK(allclose(flat, arange(6, {.dtype = dtype::float32}))); // eager reshape is a view
  CHECK(allclose(copied, zeros({3, 2})));                      // a copy made before the add
  ExportedProgram fresh = ep;
  fresh.state_dict.at("state") = zeros({2, 3});
  auto const [got_flat, got_copied] = fresh.module().call<std::tuple<Tensor, Tensor>>(x);
  CHECK(allclose(got_flat, flat));
  CHECK(allclose(got_copied, copied));
}

TEST_CASE("writes through views that cannot be recorded are refused, naming the view") {
  BranchWritesView branch;
  CHECK_THROWS_WITH_AS(export_program(branch, std::tuple{ones({3})}),
                       doctest::Contains("mutates an operand or a tensor from outside the branch"),
                       unsupported_error);
  WritesConstantView constant;
  CHECK_THROWS_WITH_AS(export_program(constant, std::tuple{ones({4})}),
                       doctest::Contains("a view of a tensor the program cannot write"),
                       unsupported_error);
  WritesMemberView member;
  CHECK_THROWS_WITH_AS(export_program(member, std::tuple{ones({4})}),
                       doctest::Contains("forward mutated CONSTANT_TENSOR 'table' in place"),
                       value_error);
  WritesExpanded expanded;
  CHECK_THROWS_WITH_AS(export_program(expanded, std::tuple{zeros({3, 4})}),
                       doctest::Contains("more than one element of the written-to tensor refers "
                                         "to a single memory location"),
                       unsupported_error);
  WritesSplit split_model;
  CHECK_THROWS_WITH_AS(export_program(split_model, std::tuple{zeros({4})}),
                       doctest::Contains("a view made by aten::split.Tensor, cannot be recorded"),
                       unsupported_error);
}
