#include <xport/kernels/cpu/attention.hpp> // schemas instantiate eager execution
#include <xport/ops/attention.hpp>
#include <xport/sym/sym_node.hpp>

#include <doctest/doctest.h>

using namespace xport;
using xport::sym::dynamic_size;
using xport::sym::ShapeEnv;

namespace {

ops::tensor_meta meta_attention_meta(ops::sym_sizes sizes,
                                     xport::dtype type = xport::dtype::float32) {
  return {type, Device{}, std::move(sizes)};
}

ops::tensor_meta const no_mask{.sizes = {}, .defined = false};
ops::scaled_dot_product_attention::attributes const plain{0.0, false, std::nullopt, false, 0};

} // namespace

TEST_CASE("sdpa output is (..., L, Ev) over symbolic sizes") {
  ShapeEnv env;
  SymInt const b = dynamic_size(env, 4, "q.size(0)");
  SymInt const l = dynamic_size(env, 7, "q.size(2)");
  SymInt const s = dynamic_size(env, 9, "k.size(2)");
  ops::tensor_meta const in[] = {meta_attention_meta({b, 8, l, 64}),
                                 meta_attention_meta({b, 8, s, 64}),
                                 meta_attention_meta({b, 8, s, 32}), no_mask};
  auto const out = ops::scaled_dot_product_attention::meta(in, plain);
  CHECK(out[0].str() == "f32[s0, 8, s1, 32]");
  CHECK(env.guards().empty());

  ops::tensor_meta const masked[] = {in[0], in[1], in[2],
                                     meta_attention_meta({l, s}, xport::dtype::bool_)};
  CHECK(ops::scaled_dot_product_attention::meta(masked, plain)[0].str() == "f32[s0, 8, s1, 32]");
  CHECK(env.guards().empty());
}

TEST_CASE("sdpa guards symbolic embedding sizes and broadcasts batch dimensions") {
  ShapeEnv env;
  SymInt const e = dynamic_size(env, 16, "q.size(-1)");
  SymInt const h = dynamic_size(env, 4, "k.size(0)");
  ops::tensor_meta const in[] = {meta_attention_meta({1, 5, e}), meta_attention_meta({h, 6, 16}),
                                 meta_attention_meta({h, 6, 3}), no_mask};
  auto const out = ops::scaled_dot_product_attention::meta(in, plain);
  CHECK(out[0].str() == "f32[s1, 5, 3]"); // batch 1 broadcast against s1
  REQUIRE_FALSE(env.guards().empty());
  CHECK(to_string(env.guards().front().rel) == "Eq(s0, 16)");
}

TEST_CASE("sdpa meta errors on symbolic shapes") {
  ShapeEnv env;
  SymInt const l = dynamic_size(env, 7, "q.size(0)");
  ops::tensor_meta const mismatch[] = {meta_attention_meta({l, 8}), meta_attention_meta({5, 4}),
                                       meta_attention_meta({5, 2}), no_mask};
  CHECK_THROWS_WITH_AS(ops::scaled_dot_product_attention::meta(mismatch, plain),
                       doctest::Contains("but got 8 and 4 (query [s0, 8], key [5, 4]"),
                       shape_error);
  ops::tensor_meta const bad_mask[] = {meta_attention_meta({l, 8}), meta_attention_meta({5, 8}),
                                       meta_attention_meta({5, 2}), meta_attention_meta({3, 5})};
  CHECK_THROWS_WITH_AS(ops::scaled_dot_product_attention::meta(bad_mask, plain),
                       doctest::Contains("attn_mask of size [3, 5] does not broadcast to the "
                                         "attention weights' size [s0, 5]"),
                       shape_error);
  ops::tensor_meta const with_mask[] = {meta_attention_meta({l, 8}), meta_attention_meta({5, 8}),
                                        meta_attention_meta({5, 2}),
                                        meta_attention_meta({1, 5}, xport::dtype::bool_)};
  CHECK_THROWS_AS(ops::scaled_dot_product_attention::meta(with_mask, {0.0, true, {}, false, 0}),
                  value_error);
}

TEST_CASE("sdpa schema formats its attributes") {
  CHECK(ops::boxed_attributes::of<ops::scaled_dot_product_attention>(plain).str()
        == "dropout_p=0.0, is_causal=False, enable_gqa=False, seed=0");
  CHECK(ops::boxed_attributes::of<ops::scaled_dot_product_attention>({0.1, true, 0.125, true, 42})
            .str()
        == "dropout_p=0.1, is_causal=True, scale=0.125, enable_gqa=True, seed=42");
  CHECK(ops::attention_ops::find("aten::scaled_dot_product_attention")
        == &ops::schema_of<ops::scaled_dot_product_attention>);
}
