#include <xport/kernels/cpu/norm.hpp> // schemas instantiate eager execution
#include <xport/ops/norm.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

using namespace xport;
using xport::sym::dynamic_size;
using xport::sym::ShapeEnv;

namespace {

ops::tensor_meta meta_norm_meta(ops::sym_sizes sizes, dtype type = dtype::float32) {
  return {type, Device{}, std::move(sizes)};
}

ops::tensor_meta const absent_norm{.sizes = {}, .defined = false};

} // namespace

TEST_CASE("layer_norm keeps symbolic leading sizes and guards the normalized ones") {
  ShapeEnv env;
  SymInt const b = dynamic_size(env, 8, "x.size(0)");
  SymInt const t = dynamic_size(env, 5, "x.size(1)");
  SymInt const d = dynamic_size(env, 4, "x.size(2)");
  ops::tensor_meta const in[] = {meta_norm_meta({b, t, 4}), absent_norm, absent_norm};
  auto out = ops::layer_norm::meta(in, {{4}, 1e-5, true});
  CHECK(ops::format_sym_sizes(out[0].sizes) == "[s0, s1, 4]");
  CHECK(env.guards().empty());

  ops::tensor_meta const sym_in[] = {meta_norm_meta({b, t, d}), meta_norm_meta({d}), absent_norm};
  out = ops::layer_norm::meta(sym_in, {{d}, 1e-5, true}); // same symbol: nothing to decide
  CHECK(ops::format_sym_sizes(out[0].sizes) == "[s0, s1, s2]");
  CHECK(env.guards().empty());

  out = ops::layer_norm::meta(sym_in, {{4}, 1e-5, true}); // s2 must be 4: a guard
  REQUIRE(env.guards().size() >= 1);
  CHECK(to_string(env.guards().front().rel) == "Eq(s2, 4)");

  ops::tensor_meta const bad[] = {meta_norm_meta({b, t}), absent_norm, absent_norm};
  CHECK_THROWS_WITH_AS(ops::layer_norm::meta(bad, {{7}, 1e-5, true}),
                       "Given normalized_shape=[7], expected input with shape [*, 7], but got "
                       "input of size[s0, s1]",
                       shape_error);
}

TEST_CASE("batch_norm checks the channel count symbolically") {
  ShapeEnv env;
  SymInt const n = dynamic_size(env, 8, "x.size(0)");
  SymInt const c = dynamic_size(env, 3, "x.size(1)");
  SymInt const l = dynamic_size(env, 10, "x.size(2)");
  ops::tensor_meta const in[] = {meta_norm_meta({n, c, l}), meta_norm_meta({c}),
                                 meta_norm_meta({c}), meta_norm_meta({c}), meta_norm_meta({c})};
  auto out = ops::batch_norm_functional::meta(in, {true, 0.1, 1e-5});
  REQUIRE(out.size() == 5);
  CHECK(ops::format_sym_sizes(out[0].sizes) == "[s0, s1, s2]");
  CHECK(ops::format_sym_sizes(out[1].sizes) == "[s1]");
  CHECK(ops::format_sym_sizes(out[3].sizes) == "[s1]");
  CHECK(env.guards().empty()); // s0*s2 >= 4 by the ranges: more than one value per channel

  ops::tensor_meta const fixed[] = {meta_norm_meta({n, c, l}), absent_norm, absent_norm,
                                    meta_norm_meta({3}), meta_norm_meta({3})};
  out = ops::batch_norm_no_training::meta(fixed, {0.1, 1e-5});
  REQUIRE(out.size() == 3);
  CHECK(ops::format_sym_sizes(out[1].sizes) == "[0]"); // CPU eval saves nothing
  REQUIRE(env.guards().size() == 1);
  CHECK(to_string(env.guards()[0].rel) == "Eq(s1, 3)");

  ops::tensor_meta const wrong[] = {meta_norm_meta({n, 3}), meta_norm_meta({4}), absent_norm,
                                    meta_norm_meta({3}), meta_norm_meta({3})};
  CHECK_THROWS_WITH_AS(ops::batch_norm_functional::meta(wrong, {true, 0.1, 1e-5}),
                       doctest::Contains("weight should contain 3 elements not 4"), shape_error);
  ops::tensor_meta const single[] = {meta_norm_meta({1, 3}), absent_norm, absent_norm};
  CHECK_THROWS_WITH_AS(ops::batch_norm_no_stats::meta(single, {true, 0.1, 1e-5}),
                       doctest::Contains("got input size [1, 3]"), value_error);
  // Saved statistics: in the input's dtype on CPU (PyTorch's CPU kernel), in float32 for
  // half types on CUDA (its opmath dtype).
  ops::tensor_meta const half_in[] = {meta_norm_meta({n, 3}, dtype::float16), absent_norm,
                                      absent_norm};
  CHECK(ops::batch_norm_no_stats::meta(half_in, {true, 0.1, 1e-5})[1].dtype == dtype::float16);
  ops::tensor_meta half_cuda = meta_norm_meta({n, 3}, dtype::float16);
  half_cuda.device = Device("cuda:0");
  ops::tensor_meta const half_gpu[] = {half_cuda, absent_norm, absent_norm};
  CHECK(ops::batch_norm_no_stats::meta(half_gpu, {true, 0.1, 1e-5})[1].dtype == dtype::float32);
}

TEST_CASE("group_norm guards divisibility of a symbolic channel count") {
  ShapeEnv env;
  SymInt const n = dynamic_size(env, 2, "x.size(0)");
  SymInt const c = dynamic_size(env, 6, "x.size(1)");
  ops::tensor_meta const in[] = {meta_norm_meta({n, c, 5}), absent_norm, absent_norm};
  auto const out = ops::group_norm::meta(in, {3, 1e-5, true});
  CHECK(ops::format_sym_sizes(out[0].sizes) == "[s0, s1, 5]");
  REQUIRE(env.guards().size() == 1);
  CHECK(to_string(env.guards()[0].rel) == "Eq(Mod(s1, 3), 0)");
  CHECK_THROWS_AS(ops::group_norm::meta(in, {4, 1e-5, true}), shape_error);
}

TEST_CASE("norm schemas format their attributes") {
  CHECK(ops::boxed_attributes::of<ops::layer_norm>({{4, 8}, 1e-5, true}).str()
        == "normalized_shape=[4, 8], eps=1e-05, cudnn_enable=True");
  CHECK(ops::boxed_attributes::of<ops::group_norm>({2, 1e-5, true}).str()
        == "num_groups=2, eps=1e-05, cudnn_enabled=True");
  CHECK(ops::boxed_attributes::of<ops::batch_norm_no_training>({0.1, 1e-5}).str()
        == "momentum=0.1, eps=1e-05");
  CHECK(ops::boxed_attributes::of<ops::batch_norm_no_stats>({true, 0.1, 1e-3}).str()
        == "training=True, momentum=0.1, eps=0.001");
  CHECK(ops::norm_ops::find("aten::layer_norm") == &ops::schema_of<ops::layer_norm>);
  CHECK(ops::norm_ops::find("aten::_native_batch_norm_legit.no_stats")
        == &ops::schema_of<ops::batch_norm_no_stats>);
  CHECK(ops::layer_norm::kind == ops::op_kind::composite);
}
