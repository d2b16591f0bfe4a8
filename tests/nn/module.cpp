#include "nn/toy_modules.hpp"

#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/nn/module.hpp>

#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using xport::Tensor;

namespace {

std::vector<std::string> names_of(std::vector<xport::named_tensor> const& entries) {
  std::vector<std::string> names_module;
  for (auto const& [name, tensor] : entries)
    names_module.push_back(name);
  return names_module;
}

using names_module = std::vector<std::string>;

} // namespace

namespace toy {

// Members declared inside with BOOST_HANA_DEFINE_STRUCT instead of adapted outside.
struct Defined : xport::Module<Defined> {
  BOOST_HANA_DEFINE_STRUCT(Defined, (xport::Parameter, gain), (Affine, inner),
                           (std::optional<Affine>, extra), (std::shared_ptr<Affine>, shared),
                           (std::unique_ptr<Affine>, owned), (std::map<std::string, Affine>, heads),
                           (std::vector<xport::Parameter>, biases), (int, flag));

  Defined() : gain(xport::ones({2})), inner(2, 2), flag(0) {}

  Tensor forward(Tensor const& x) const { return inner(x); }
};

// A stateless module without reflection: no members.
struct Identity : xport::Module<Identity> {
  Tensor forward(Tensor const& x) const { return x; }
};

// Embedding and output projection sharing one weight.
struct Tied : xport::Module<Tied> {
  Affine embedding{3, 5, false};
  Affine head{3, 5};
  Tied() { head.weight = embedding.weight; }
  Tensor forward(Tensor const& x) const { return head(embedding(x)); }
};

// Two handles to one sub-module.
struct SharedPair : xport::Module<SharedPair> {
  std::shared_ptr<Affine> first, second;
  Tensor forward(Tensor const& x) const { return (*second)((*first)(x)); }
};

} // namespace toy

BOOST_HANA_ADAPT_STRUCT(toy::Tied, embedding, head);
BOOST_HANA_ADAPT_STRUCT(toy::SharedPair, first, second);

TEST_CASE("named_parameters: nested structs, vectors and arrays get dotted names") {
  toy::Model const model;
  CHECK(names_of(model.named_parameters())
        == names_module{"encoder.scale", "encoder.layers.0.fc1.weight", "encoder.layers.0.fc1.bias",
                        "encoder.layers.0.fc2.weight", "encoder.layers.0.fc2.bias",
                        "encoder.layers.1.fc1.weight", "encoder.layers.1.fc1.bias",
                        "encoder.layers.1.fc2.weight", "encoder.layers.1.fc2.bias",
                        "heads.0.weight", "heads.0.bias", "heads.1.weight"});
  auto const parameters = model.parameters();
  REQUIRE(parameters.size() == 12);
  CHECK(parameters[1].is_same(model.encoder.layers[0].fc1.weight));
  CHECK(parameters[11].is_same(model.heads[1].weight));
}

TEST_CASE("a module's own tensors come before its sub-modules', as in PyTorch") {
  toy::Encoder const encoder;
  auto const names_module = names_of(encoder.named_parameters());
  REQUIRE(!names_module.empty());
  CHECK(names_module.front() == "scale"); // declared after `layers`, listed first
}

TEST_CASE("named_buffers lists persistent and non-persistent buffers; constants apart") {
  toy::Block const block;
  CHECK(names_of(block.named_buffers()) == names_module{"running_mean", "cache", "steps"});
  CHECK(block.buffers().size() == 3);
  CHECK(names_of(block.named_constants()).empty());

  toy::Model const model;
  CHECK(names_of(model.named_constants()) == names_module{"mask"});
  CHECK(names_of(model.named_buffers()).size() == 6);
}

TEST_CASE("state_dict holds parameters and persistent buffers in PyTorch's order") {
  toy::Block const block;
  auto const state = block.state_dict();
  CHECK(
      state.keys()
      == names_module{"running_mean", "steps", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"});
  CHECK(!state.contains("cache"));
  CHECK(state.at("fc1.weight").is_same(block.fc1.weight)); // shares, does not copy
}

TEST_CASE("optional, pointers, maps and vectors of parameters; undefined tensors skipped") {
  toy::Defined defined;
  CHECK(names_of(defined.named_parameters()) == names_module{"gain", "inner.weight", "inner.bias"});

  defined.extra = toy::Affine(2, 1, false);
  defined.shared = std::make_shared<toy::Affine>(1, 1);
  defined.owned = std::make_unique<toy::Affine>(1, 1, false);
  defined.heads.emplace("q", toy::Affine(1, 1, false));
  defined.heads.emplace("k", toy::Affine(1, 1, false));
  defined.biases = {xport::zeros({1}), Tensor(), xport::zeros({2})};
  CHECK(names_of(defined.named_parameters())
        == names_module{"gain", "biases.0", "biases.2", "inner.weight", "inner.bias",
                        "extra.weight", "shared.weight", "shared.bias", "owned.weight",
                        "heads.k.weight", "heads.q.weight"});
}

TEST_CASE("a module without reflection has no members") {
  toy::Identity const identity;
  CHECK(identity.named_parameters().empty());
  CHECK(identity.state_dict().empty());
  auto const modules = identity.named_modules();
  REQUIRE(modules.size() == 1);
  CHECK(modules[0].name == "");
  CHECK(modules[0].type == "toy::Identity");
}

TEST_CASE("named_modules: root first, depth first, with type names") {
  toy::Model const model;
  auto const modules = model.named_modules();
  std::vector<std::string> listed;
  for (auto const& entry : modules)
    listed.push_back(entry.name + ":" + std::string(entry.type));
  CHECK(listed
        == names_module{":toy::Model", "encoder:toy::Encoder", "encoder.layers.0:toy::Block",
                        "encoder.layers.0.fc1:toy::Affine", "encoder.layers.0.fc2:toy::Affine",
                        "encoder.layers.1:toy::Block", "encoder.layers.1.fc1:toy::Affine",
                        "encoder.layers.1.fc2:toy::Affine", "heads.0:toy::Affine",
                        "heads.1:toy::Affine"});
  CHECK(modules[2].module == &model.encoder.layers[0]);
}

TEST_CASE("a sub-module reachable twice is listed once by named_modules") {
  toy::SharedPair pair;
  pair.first = std::make_shared<toy::Affine>(2, 1);
  pair.second = pair.first;
  std::vector<std::string> listed;
  for (auto const& entry : pair.named_modules())
    listed.push_back(entry.name);
  CHECK(listed == names_module{"", "first"});
  listed.clear();
  for (auto const& entry : pair.named_modules(false))
    listed.push_back(entry.name);
  CHECK(listed == names_module{"", "first", "second"});
  CHECK(names_of(pair.named_parameters()) == names_module{"first.weight", "first.bias"});
  CHECK(pair.state_dict().keys()
        == names_module{"first.weight", "first.bias", "second.weight", "second.bias"});
}

TEST_CASE("tied weights: named_parameters lists the shared tensor once, under its first name") {
  toy::Tied const tied;
  CHECK(names_of(tied.named_parameters()) == names_module{"embedding.weight", "head.bias"});
  CHECK(names_of(tied.named_parameters(false))
        == names_module{"embedding.weight", "head.weight", "head.bias"});
  // state_dict keeps every name, as PyTorch's does.
  CHECK(tied.state_dict().keys() == names_module{"embedding.weight", "head.weight", "head.bias"});
}

TEST_CASE("train() and eval() propagate to every sub-module") {
  toy::Model model;
  CHECK(model.is_training());
  CHECK(&model.eval() == &model);
  for (auto const& entry : model.named_modules()) {
    CAPTURE(entry.name);
    CHECK_FALSE(entry.module->is_training());
  }
  CHECK_FALSE(model.encoder.layers[1].fc2.is_training());
  model.encoder.train();
  CHECK_FALSE(model.is_training());
  CHECK(model.encoder.layers[1].fc2.is_training());
  CHECK_FALSE(model.heads[0].is_training());
  model.train(true);
  for (auto const& entry : model.named_modules())
    CHECK(entry.module->is_training());
}

TEST_CASE("to(dtype) converts floating-point parameters and buffers in place, keeps ties") {
  toy::Tied tied;
  tied.to(xport::dtype::float64);
  CHECK(tied.embedding.weight.dtype() == xport::dtype::float64);
  CHECK(tied.head.bias.dtype() == xport::dtype::float64);
  CHECK(tied.head.weight.is_same(tied.embedding.weight));
  CHECK(tied.head.weight.at<double>({4, 2}) == 14.0);

  toy::Model model;
  Tensor const mask_before = model.mask;
  model.to(xport::dtype::float16);
  auto const& block = model.encoder.layers[1];
  CHECK(block.running_mean.dtype() == xport::dtype::float16);
  CHECK(block.cache.dtype() == xport::dtype::float16);
  CHECK(block.steps.dtype() == xport::dtype::int64); // integer state keeps its dtype
  CHECK(model.mask.is_same(mask_before));            // constants are not moved
  CHECK_THROWS_WITH_AS(
      model.to(xport::dtype::int32),
      doctest::Contains("only accepts floating point dtypes, but got desired dtype=torch.int32"),
      xport::dtype_error);
}

TEST_CASE("to(Device): a no-op move keeps the same tensors; a failed move changes nothing") {
  toy::Block block;
  Tensor const weight = block.fc1.weight;
  block.to(xport::Device(xport::cpu));
  CHECK(block.fc1.weight.is_same(weight));
  try {
    block.to(xport::Device(xport::cuda));
    CHECK(block.fc1.weight.device().is_cuda()); // a machine with a GPU: everything moved
    CHECK(block.cache.device().is_cuda());
  } catch (xport::device_error const&) { // no GPU: nothing moved
    CHECK(block.fc1.weight.is_same(weight));
    CHECK(block.running_mean.device().is_cpu());
  }
}

TEST_CASE("clone() copies every tensor and keeps ties inside the copy") {
  toy::Tied const tied;
  toy::Tied copy = tied.clone();
  CHECK_FALSE(copy.embedding.weight.is_same(tied.embedding.weight));
  CHECK(copy.head.weight.is_same(copy.embedding.weight));
  CHECK(xport::equal(copy.head.weight, tied.head.weight));
  copy.head.weight.copy_(xport::zeros({5, 3}));
  CHECK(tied.head.weight.at<float>({4, 2}) == 14.0f);

  toy::Model const model;
  toy::Model const model_copy = model.clone();
  CHECK_FALSE(model_copy.mask.is_same(model.mask));
  CHECK_FALSE(model_copy.encoder.layers[1].steps.is_same(model.encoder.layers[1].steps));
}

TEST_CASE("copying a module shares its tensors, like copying a Tensor") {
  toy::Block const block;
  toy::Block const copy = block;
  CHECK(copy.fc1.weight.is_same(block.fc1.weight));
}
