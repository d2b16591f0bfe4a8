#include <xport/kernels/cpu/conv.hpp> // boxed schemas run ops, so kernels must be visible
#include <xport/kernels/cpu/linalg.hpp>
#include <xport/kernels/cpu/pool.hpp>
#include <xport/ops/schema.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace xport;
using ops::tensor_meta;

namespace {

template <class Op>
ops::meta_list run_linalg_meta(std::vector<tensor_meta> const& in,
                               typename Op::attributes const& a = {}) {
  return Op::meta(in, a);
}

tensor_meta const absent{.sizes = {}, .defined = false}; // no bias

tensor_meta f32(ops::sym_sizes sizes) {
  return tensor_meta{dtype::float32, Device{}, std::move(sizes)};
}

std::string guards_of(sym::ShapeEnv const& env) {
  std::string out;
  for (auto const& g : env.guards())
    out += (out.empty() ? "" : "; ") + sym::to_string(g.rel);
  return out;
}

} // namespace

TEST_CASE("mm: a shared symbol needs no guard; equal hints record Eq") {
  sym::ShapeEnv env;
  SymInt const n = sym::dynamic_size(env, 8, "x.size(0)");
  SymInt const k = sym::dynamic_size(env, 4, "x.size(1)");
  auto const out = run_linalg_meta<ops::mm>({f32({n, k}), f32({k, 5})});
  CHECK(out[0].str() == "f32[s0, 5]");
  CHECK(env.guards().empty());
  SymInt const k2 = sym::dynamic_size(env, 4, "w.size(0)");
  auto const out2 = run_linalg_meta<ops::mm>({f32({n, k}), f32({k2, 5})});
  CHECK(out2[0].str() == "f32[s0, 5]");
  CHECK(guards_of(env) == "Eq(s1, s2)");
}

TEST_CASE("mm: a static mismatch is an error naming both shapes") {
  sym::ShapeEnv env;
  SymInt const n = sym::dynamic_size(env, 8, "x.size(0)");
  CHECK_THROWS_WITH_AS(
      run_linalg_meta<ops::mm>({f32({n, 3}), f32({4, 5})}),
      doctest::Contains("mat1 and mat2 shapes cannot be multiplied (s0x3 and 4x5)"), shape_error);
}

TEST_CASE("matmul: symbolic batch broadcasting and 1-D operands") {
  sym::ShapeEnv env;
  SymInt const b = sym::dynamic_size(env, 6, "x.size(0)");
  SymInt const t = sym::dynamic_size(env, 10, "x.size(1)");
  CHECK(run_linalg_meta<ops::matmul>({f32({b, t, 16}), f32({16, 32})})[0].str()
        == "f32[s0, s1, 32]");
  CHECK(run_linalg_meta<ops::matmul>({f32({b, 1, t, 16}), f32({3, 16, 2})})[0].str()
        == "f32[s0, 3, s1, 2]");
  CHECK(run_linalg_meta<ops::matmul>({f32({16}), f32({b, 16, 2})})[0].str() == "f32[s0, 2]");
  CHECK(run_linalg_meta<ops::matmul>({f32({b, t, 16}), f32({16})})[0].str() == "f32[s0, s1]");
  CHECK(run_linalg_meta<ops::matmul>({f32({t}), f32({t})})[0].str() == "f32[]");
  CHECK(env.guards().empty());
  // batch dims s0 and s2 broadcast: equal hints give a guard (neither is 1)
  SymInt const b2 = sym::dynamic_size(env, 6, "y.size(0)");
  CHECK(run_linalg_meta<ops::matmul>({f32({b, 2, 3}), f32({b2, 3, 4})})[0].str()
        == "f32[s0, 2, 4]");
  CHECK_FALSE(env.guards().empty());
}

TEST_CASE("linear and addmm over symbolic leading dims") {
  sym::ShapeEnv env;
  SymInt const b = sym::dynamic_size(env, 4, "x.size(0)");
  SymInt const s = sym::dynamic_size(env, 9, "x.size(1)");
  tensor_meta const bias = f32({64});
  CHECK(run_linalg_meta<ops::linear>({f32({b, s, 32}), f32({64, 32}), bias})[0].str()
        == "f32[s0, s1, 64]");
  CHECK_THROWS_WITH_AS(run_linalg_meta<ops::linear>({f32({b, s, 32}), f32({64, 31}), bias}),
                       doctest::Contains("(s0*s1x32 and 31x64)"), shape_error);
  CHECK(run_linalg_meta<ops::addmm>({f32({64}), f32({b, 32}), f32({32, 64})}, {1, 1})[0].str()
        == "f32[s0, 64]");
}

TEST_CASE("conv output size stays symbolic") {
  sym::ShapeEnv env;
  SymInt const n = sym::dynamic_size(env, 2, "x.size(0)");
  SymInt const h = sym::dynamic_size(env, 32, "x.size(2)");
  SymInt const w = sym::dynamic_size(env, 24, "x.size(3)");
  ops::conv_attributes const a{{2}, {0}, {1}, 1};
  auto const out = run_linalg_meta<ops::conv2d>({f32({n, 3, h, w}), f32({8, 3, 3, 3}), absent}, a);
  CHECK(out[0].sizes[0].str() == "s0");
  CHECK(out[0].sizes[1].str() == "8");
  CHECK(out[0].sizes[2].str() == "(s1 - 1)//2");
  CHECK(out[0].sizes[3].str() == "(s2 - 1)//2");
  ops::conv_attributes const padded{{1}, {1}, {1}, 1};
  auto const same =
      run_linalg_meta<ops::conv2d>({f32({n, 3, h, w}), f32({8, 3, 3, 3}), absent}, padded);
  CHECK(same[0].str() == "f32[s0, 8, s1, s2]");
  ops::conv_padding_attributes const mode{{1}, "same", {1}, 1};
  auto const by_mode =
      run_linalg_meta<ops::conv2d_padding>({f32({n, 3, h, w}), f32({8, 3, 2, 4}), absent}, mode);
  CHECK(by_mode[0].str() == "f32[s0, 8, s1, s2]");
  // 1-D, unbatched
  auto const one = run_linalg_meta<ops::conv1d>({f32({3, h}), f32({4, 3, 5}), absent},
                                                ops::conv_attributes{{1}, {0}, {2}, 1});
  CHECK(one[0].str() == "f32[4, s1 - 8]");
  CHECK(env.guards().size() >= 1); // the kernel-fits check guards on the symbolic size
}

TEST_CASE("conv: symbolic channel count is guarded; a static one is checked") {
  sym::ShapeEnv env;
  SymInt const c = sym::dynamic_size(env, 3, "x.size(1)");
  ops::conv_attributes const a{{1}, {0}, {1}, 1};
  run_linalg_meta<ops::conv2d>({f32({1, c, 8, 8}), f32({8, 3, 3, 3}), absent}, a);
  CHECK(guards_of(env).find("Eq(s0, 3)") != std::string::npos);
  CHECK_THROWS_WITH_AS(
      run_linalg_meta<ops::conv2d>({f32({1, 4, 8, 8}), f32({8, 3, 3, 3}), absent}, a),
      doctest::Contains("to have 3 channels, but got 4 channels instead"), shape_error);
}

TEST_CASE("pool output size: floor and ceil mode on a symbolic size") {
  sym::ShapeEnv env;
  SymInt const h = sym::dynamic_size(env, 9, "x.size(2)");
  CHECK(ops::pool_output_size(h, 3, 2, 0, 1, false).str() == "(s0 - 1)//2");
  ops::max_pool2d::attributes const a{{2}, {}, {0}, {1}, false};
  CHECK(run_linalg_meta<ops::max_pool2d>({f32({2, 3, h, h})}, a)[0].str()
        == "f32[2, 3, s0//2, s0//2]");
  // ceil mode: (s0 - 2 + 1)//2 + 1, and the drop-the-last-window test guards on s0
  std::size_t const before = env.guards().size();
  ops::max_pool2d::attributes const c{{2}, {}, {0}, {1}, true};
  auto const out = run_linalg_meta<ops::max_pool2d>({f32({2, 3, h, h})}, c);
  CHECK(out[0].sizes[2].str() == "(s0 - 1)//2 + 1");
  CHECK(env.guards().size() > before);
  ops::adaptive_avg_pool2d::attributes const ad{{SymInt(1), h}};
  CHECK(run_linalg_meta<ops::adaptive_avg_pool2d>({f32({h, 4, 4})}, ad)[0].str()
        == "f32[s0, 1, s0]");
}

TEST_CASE("boxed schemas print every attribute") {
  CHECK(ops::boxed_attributes::of<ops::addmm>({1, 2}).str() == "beta=1, alpha=2");
  CHECK(ops::boxed_attributes::of<ops::mm>({}).str().empty());
  CHECK(
      ops::boxed_attributes::of<ops::convolution>({{2, 2}, {1, 1}, {1, 1}, false, {0, 0}, 1}).str()
      == "stride=[2, 2], padding=[1, 1], dilation=[1, 1], transposed=False, "
         "output_padding=[0, 0], groups=1");
  CHECK(ops::boxed_attributes::of<ops::conv2d_padding>({{1}, "same", {1}, 2}).str()
        == "stride=[1], padding='same', dilation=[1], groups=2");
  CHECK(ops::boxed_attributes::of<ops::avg_pool2d>({{3}, {}, {1}, true, false, 4}).str()
        == "kernel_size=[3], stride=[], padding=[1], ceil_mode=True, count_include_pad=False, "
           "divisor_override=4");
  using all = ops::linalg_ops::join<ops::conv_ops>::join<ops::pool_ops>;
  all::for_each([]<class Op>() { CHECK(all::find(Op::name) == &ops::schema_of<Op>); });
  CHECK(all::find("aten::conv2d.padding") == &ops::schema_of<ops::conv2d_padding>);
  CHECK(all::find("aten::max_pool2d_with_indices")
        == &ops::schema_of<ops::max_pool2d_with_indices>);
  CHECK(ops::schema_of<ops::linear>.kind == ops::op_kind::composite);
  CHECK(ops::schema_of<ops::convolution>.kind == ops::op_kind::core);
}
