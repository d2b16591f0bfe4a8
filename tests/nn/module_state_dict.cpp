#include "nn/toy_modules.hpp"

#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/module.hpp>
#include <xport/nn/state_dict.hpp>

#include <doctest/doctest.h>

#include <string>
#include <vector>

using xport::Tensor;
using names_module_state_dict = std::vector<std::string>;

namespace {

// A state dict of `block` whose every float entry is 7 and whose counter is 3.
xport::StateDict filled_like(toy::Block const& block) {
  xport::StateDict out;
  for (auto const& [name, tensor] : block.state_dict())
    out.insert(name,
               xport::full(tensor.sizes(), name == "steps" ? 3 : 7, {.dtype = tensor.dtype()}));
  return out;
}

} // namespace

TEST_CASE("StateDict keeps insertion order and refuses duplicate names") {
  xport::StateDict dict{{"b", xport::zeros({1})}, {"a", xport::ones({2})}};
  CHECK(dict.keys() == names_module_state_dict{"b", "a"});
  CHECK(dict.size() == 2);
  CHECK(dict.at("a").size(0) == 2);
  CHECK(dict.find("c") == nullptr);
  CHECK_THROWS_WITH_AS(dict.insert("b", xport::zeros({3})),
                       doctest::Contains("already has an entry \"b\""), xport::value_error);
  CHECK_THROWS_WITH_AS((void)dict.at("c"), doctest::Contains("no entry \"c\""), xport::value_error);
  dict.insert_or_assign("b", xport::zeros({4}));
  CHECK(dict.keys() == names_module_state_dict{"b", "a"});
  CHECK(dict.at("b").size(0) == 4);
  CHECK(dict.erase("b"));
  CHECK_FALSE(dict.erase("b"));
  CHECK(dict.keys() == names_module_state_dict{"a"});
  CHECK(dict.at("a").size(0) == 2); // the index follows the erase
}

TEST_CASE("load_state_dict round trip: values copied into the existing tensors") {
  toy::Model source;
  for (auto const& [name, tensor] : source.state_dict())
    tensor.copy_(xport::full_like(tensor, 5));
  toy::Model target;
  Tensor const held = target.encoder.layers[1].fc2.weight; // a handle taken before loading
  auto const result = target.load_state_dict(source.state_dict());
  CHECK(result.missing_keys.empty());
  CHECK(result.unexpected_keys.empty());
  CHECK(held.is_same(target.encoder.layers[1].fc2.weight));
  CHECK(held.at<float>({1, 2}) == 5.0f);
  for (auto const& entry : target.state_dict()) {
    CAPTURE(entry.first);
    CHECK(xport::equal(entry.second, source.state_dict().at(entry.first)));
    CHECK_FALSE(entry.second.is_same(source.state_dict().at(entry.first))); // copied, not shared
  }
}

TEST_CASE("load_state_dict converts dtypes like copy_") {
  toy::Block block;
  xport::StateDict dict = filled_like(block);
  dict.insert_or_assign("fc1.weight", xport::full({3, 4}, 2, {.dtype = xport::dtype::float64}));
  block.load_state_dict(dict);
  CHECK(block.fc1.weight.dtype() == xport::dtype::float32);
  CHECK(block.fc1.weight.at<float>({2, 3}) == 2.0f);
  CHECK(block.steps.at<std::int64_t>({0}) == 3);
}

TEST_CASE("missing keys: PyTorch's message, and nothing is loaded") {
  toy::Block block;
  xport::StateDict dict = filled_like(block);
  dict.erase("fc2.weight");
  dict.erase("steps");
  CHECK_THROWS_WITH_AS(block.load_state_dict(dict),
                       "Error(s) in loading state_dict for toy::Block:\n"
                       "\tMissing key(s) in state_dict: \"steps\", \"fc2.weight\".",
                       xport::state_dict_error);
  CHECK(block.fc1.weight.at<float>({0, 1}) == 1.0f); // unchanged: all checks come first
  try {
    block.load_state_dict(dict);
    FAIL("load_state_dict accepted a state dict with missing keys");
  } catch (xport::state_dict_error const& error) {
    CHECK(error.missing_keys() == names_module_state_dict{"steps", "fc2.weight"});
    CHECK(error.unexpected_keys().empty());
    CHECK(error.mismatched_keys().empty());
  }
}

TEST_CASE("unexpected keys, including a non-persistent buffer, are errors when strict") {
  toy::Block block;
  xport::StateDict dict = filled_like(block);
  dict.insert("cache", xport::zeros({1}));
  dict.insert("fc3.weight", xport::zeros({1}));
  CHECK_THROWS_WITH_AS(block.load_state_dict(dict),
                       "Error(s) in loading state_dict for toy::Block:\n"
                       "\tUnexpected key(s) in state_dict: \"cache\", \"fc3.weight\".",
                       xport::value_error);
}

TEST_CASE("size mismatch: PyTorch's words, raised strict or not") {
  toy::Affine affine(4, 10);
  xport::StateDict dict{{"weight", xport::zeros({10, 5})}, {"bias", xport::zeros({10})}};
  std::string const expected =
      "Error(s) in loading state_dict for toy::Affine:\n"
      "\tsize mismatch for weight: copying a param with shape [10, 5] from checkpoint, the "
      "shape in current model is [10, 4].";
  CHECK_THROWS_WITH_AS(affine.load_state_dict(dict), expected.c_str(), xport::state_dict_error);
  CHECK_THROWS_WITH_AS(affine.load_state_dict(dict, false), expected.c_str(),
                       xport::state_dict_error);
  CHECK(affine.weight.at<float>({9, 3}) == 39.0f);
  try {
    affine.load_state_dict(dict);
    FAIL("load_state_dict accepted a mis-shaped state dict");
  } catch (xport::state_dict_error const& error) {
    CHECK(error.mismatched_keys() == names_module_state_dict{"weight"});
  }
}

TEST_CASE("every kind of error in one message: missing, unexpected, then size mismatches") {
  toy::Block block;
  xport::StateDict dict = filled_like(block);
  dict.erase("running_mean");
  dict.insert("extra", xport::zeros({1}));
  dict.insert_or_assign("fc1.bias", xport::zeros({4}));
  dict.insert_or_assign("fc2.bias", Tensor());
  CHECK_THROWS_WITH_AS(
      block.load_state_dict(dict),
      "Error(s) in loading state_dict for toy::Block:\n"
      "\tMissing key(s) in state_dict: \"running_mean\".\n"
      "\tUnexpected key(s) in state_dict: \"extra\".\n"
      "\tsize mismatch for fc1.bias: copying a param with shape [4] from checkpoint, the shape "
      "in current model is [3].\n"
      "\tundefined tensor for fc2.bias in state_dict.",
      xport::state_dict_error);
}

TEST_CASE("strict = false returns the missing and unexpected keys and loads the rest") {
  toy::Block block;
  xport::StateDict dict = filled_like(block);
  dict.erase("fc1.bias");
  dict.insert("head.weight", xport::zeros({2}));
  auto const result = block.load_state_dict(dict, false);
  CHECK(result.missing_keys == names_module_state_dict{"fc1.bias"});
  CHECK(result.unexpected_keys == names_module_state_dict{"head.weight"});
  CHECK(block.fc1.weight.at<float>({0, 0}) == 7.0f);
  CHECK(block.fc1.bias.at<float>({0}) == 0.0f); // missing: left as it was
}

TEST_CASE("tied weights load through both names") {
  toy::Block block;
  block.fc2.bias = block.running_mean; // tie a parameter to a buffer of the same shape
  xport::StateDict dict = filled_like(block);
  dict.insert_or_assign("fc2.bias", xport::full({2}, 9));
  block.load_state_dict(dict);
  // Both names_module_state_dict reach one tensor; the later entry (fc2.bias) wins.
  CHECK(block.running_mean.at<float>({1}) == 9.0f);
}
