#include "nn/toy_modules.hpp"

#include <xport/core/factories.hpp>
#include <xport/nn/module.hpp>
#include <xport/nn/module_stack.hpp>

#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using xport::module_frame;
using xport::Tensor;
using frames_module_stack = std::vector<module_frame>;

namespace toy {

// Calls a module that reflection cannot reach (a temporary) and a grandchild directly.
struct Shortcut : xport::Module<Shortcut> {
  Encoder encoder;
  Tensor forward(Tensor const& x) const {
    Affine const temporary(1, 1);
    return encoder.layers[1].fc2(temporary(x));
  }
};

// A module whose only member is a module.
struct Wrapper : xport::Module<Wrapper> {
  Affine inner{1, 1};
  Tensor forward(Tensor const& x) const {
    record_stack();
    return inner(x);
  }
};

struct Outer : xport::Module<Outer> {
  Wrapper wrapper;
  Tensor forward(Tensor const& x) const { return wrapper(x); }
};

struct Throwing : xport::Module<Throwing> {
  Affine inner{1, 1};
  Tensor forward(Tensor const& x) const {
    inner(x);
    throw std::runtime_error("forward failed");
  }
};

// Nested containers and a map of modules.
struct Grid : xport::Module<Grid> {
  std::vector<std::vector<Affine>> rows{{Affine(1, 1)}, {Affine(1, 1), Affine(1, 1)}};
  std::map<std::string, Affine> named{{"k", Affine(1, 1)}, {"q", Affine(1, 1)}};
  std::optional<Affine> maybe = Affine(1, 1);
  Tensor forward(Tensor const& x) const {
    rows[1][1](x);
    named.at("q")(x);
    return (*maybe)(x);
  }
};

} // namespace toy

BOOST_HANA_ADAPT_STRUCT(toy::Grid, rows, named, maybe);
BOOST_HANA_ADAPT_STRUCT(toy::Shortcut, encoder);
BOOST_HANA_ADAPT_STRUCT(toy::Wrapper, inner);
BOOST_HANA_ADAPT_STRUCT(toy::Outer, wrapper);
BOOST_HANA_ADAPT_STRUCT(toy::Throwing, inner);

namespace {

Tensor input() {
  return xport::zeros({1, 4});
}

} // namespace

TEST_CASE("the module stack is empty outside module calls") {
  CHECK(xport::current_module_stack().empty());
}

TEST_CASE("nested calls see dotted paths and type names without the user naming anything") {
  toy::recorded_stacks().clear();
  toy::Model const model;
  model(input());
  auto const& stacks = toy::recorded_stacks();
  // Model, Encoder, then per layer: Block, fc1, fc2; then the two heads.
  REQUIRE(stacks.size() == 1 + 1 + 2 * 3 + 2);
  CHECK(stacks[0] == frames_module_stack{{"", "toy::Model"}});
  CHECK(stacks[1] == frames_module_stack{{"", "toy::Model"}, {"encoder", "toy::Encoder"}});
  CHECK(stacks[2]
        == frames_module_stack{
            {"", "toy::Model"}, {"encoder", "toy::Encoder"}, {"encoder.layers.0", "toy::Block"}});
  CHECK(stacks[7]
        == frames_module_stack{{"", "toy::Model"},
                               {"encoder", "toy::Encoder"},
                               {"encoder.layers.1", "toy::Block"},
                               {"encoder.layers.1.fc2", "toy::Affine"}});
  CHECK(stacks[8] == frames_module_stack{{"", "toy::Model"}, {"heads.0", "toy::Affine"}});
  CHECK(stacks[9] == frames_module_stack{{"", "toy::Model"}, {"heads.1", "toy::Affine"}});
  CHECK(xport::current_module_stack().empty());
}

TEST_CASE("a sub-module called on its own is the root of its stack") {
  toy::recorded_stacks().clear();
  toy::Model model;
  model.encoder.layers[0](input());
  REQUIRE(toy::recorded_stacks().size() == 3);
  CHECK(toy::recorded_stacks()[0] == frames_module_stack{{"", "toy::Block"}});
  CHECK(toy::recorded_stacks()[2]
        == frames_module_stack{{"", "toy::Block"}, {"fc2", "toy::Affine"}});
}

TEST_CASE("a descendant called past its parent gets its full path; a temporary its caller's") {
  toy::recorded_stacks().clear();
  toy::Shortcut const shortcut;
  shortcut(xport::zeros({1, 3}));
  auto const& stacks = toy::recorded_stacks();
  REQUIRE(stacks.size() == 2);
  CHECK(stacks[0] == frames_module_stack{{"", "toy::Shortcut"}, {"", "toy::Affine"}});
  CHECK(stacks[1]
        == frames_module_stack{{"", "toy::Shortcut"}, {"encoder.layers.1.fc2", "toy::Affine"}});
}

TEST_CASE("a module called by its parent, and its member called by it") {
  toy::recorded_stacks().clear();
  toy::Outer const outer;
  outer(xport::zeros({1}));
  auto const& stacks = toy::recorded_stacks();
  REQUIRE(stacks.size() == 2);
  CHECK(stacks[0] == frames_module_stack{{"", "toy::Outer"}, {"wrapper", "toy::Wrapper"}});
  CHECK(stacks[1]
        == frames_module_stack{
            {"", "toy::Outer"}, {"wrapper", "toy::Wrapper"}, {"wrapper.inner", "toy::Affine"}});
}

TEST_CASE("elements of nested containers, maps and optionals get their dotted paths") {
  toy::recorded_stacks().clear();
  toy::Grid const grid;
  grid(xport::zeros({1}));
  auto const& stacks = toy::recorded_stacks();
  REQUIRE(stacks.size() == 3);
  CHECK(stacks[0].back() == module_frame{"rows.1.1", "toy::Affine"});
  CHECK(stacks[1].back() == module_frame{"named.q", "toy::Affine"});
  CHECK(stacks[2].back() == module_frame{"maybe", "toy::Affine"});
}

TEST_CASE("paths follow the module: copies and moved vectors need no renaming") {
  toy::Encoder encoder;
  encoder.layers.push_back(toy::Block{}); // reallocates: every block moves
  toy::Encoder const copy = encoder;
  toy::recorded_stacks().clear();
  copy(input());
  auto const& stacks = toy::recorded_stacks();
  REQUIRE(stacks.size() == 1 + 3 * 3);
  CHECK(stacks.back()
        == frames_module_stack{
            {"", "toy::Encoder"}, {"layers.2", "toy::Block"}, {"layers.2.fc2", "toy::Affine"}});
}

TEST_CASE("frames are popped when forward throws") {
  toy::recorded_stacks().clear();
  toy::Throwing const throwing;
  CHECK_THROWS_AS(throwing(xport::zeros({1})), std::runtime_error);
  CHECK(xport::current_module_stack().empty());
  REQUIRE(toy::recorded_stacks().size() == 1);
  CHECK(toy::recorded_stacks()[0]
        == frames_module_stack{{"", "toy::Throwing"}, {"inner", "toy::Affine"}});
}

TEST_CASE("each thread has its own module stack") {
  struct Probe : xport::Module<Probe> {
    std::size_t* depth_seen;
    Tensor forward(Tensor const& x) const {
      std::thread([this] { *depth_seen = xport::current_module_stack().size(); }).join();
      return x;
    }
  };
  std::size_t depth = 99;
  Probe probe;
  probe.depth_seen = &depth;
  probe(xport::zeros({1}));
  CHECK(depth == 0);
}
