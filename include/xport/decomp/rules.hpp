//! @file
//! The default decomposition rules, one per composite op (rules_tensor.hpp,
//! rules_nn.hpp), as the type list `default_rules`; its closure over the core set is
//! checked at compile time (tests/decomp/closure.static.cpp).
#pragma once

#include <xport/decomp/rules_nn.hpp>

namespace xport::decomp {

//! @brief The rules of the default table.
using default_rules = rule_list<
    rules::linear_rule, rules::matmul_rule, rules::t_rule, rules::transpose_rule,
    rules::reshape_rule, rules::flatten_rule, rules::unflatten_rule, rules::squeeze_rule,
    rules::contiguous_rule, rules::narrow_rule, rules::stack_rule, rules::split_rule,
    rules::chunk_rule, rules::tril_rule, rules::triu_rule, rules::silu_rule, rules::softplus_rule,
    rules::round_decimals_rule, rules::rsub_rule, rules::remainder_scalar_tensor_rule,
    rules::masked_fill_tensor_rule, rules::fill_tensor_rule, rules::zero_rule, rules::zeros_rule,
    rules::ones_rule, rules::zeros_like_rule, rules::ones_like_rule, rules::max_rule,
    rules::min_rule, rules::all_rule, rules::all_dims_rule, rules::std_rule, rules::var_mean_rule,
    rules::logsumexp_rule, rules::softmax_rule, rules::log_softmax_rule, rules::layer_norm_rule,
    rules::group_norm_rule, rules::conv1d_rule, rules::conv2d_rule, rules::conv1d_padding_rule,
    rules::conv2d_padding_rule, rules::pad_rule, rules::dropout_rule,
    rules::scaled_dot_product_attention_rule, rules::max_pool2d_rule,
    rules::adaptive_avg_pool2d_rule, rules::functional_rule<ops::add_>,
    rules::functional_rule<ops::mul_>, rules::functional_rule<ops::fill_>,
    rules::functional_rule<ops::fill_tensor_>, rules::functional_rule<ops::zero_>,
    rules::functional_rule<ops::copy_>, rules::functional_rule<ops::index_put_>>;

} // namespace xport::decomp
