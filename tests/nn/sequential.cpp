#include "nn/toy_modules.hpp"

#include <xport/core/factories.hpp>
#include <xport/nn/module_stack.hpp>
#include <xport/nn/sequential.hpp>

#include <doctest/doctest.h>

#include <string>
#include <type_traits>
#include <vector>

using xport::module_frame;
using xport::Tensor;
using frames_sequential = std::vector<module_frame>;
using names_sequential = std::vector<std::string>;

namespace toy {

// Shape changers built from views: each records the stack, so the chain order is visible.
struct Flatten : xport::Module<Flatten> {
  Tensor forward(Tensor const& x) const {
    record_stack();
    return x.flatten();
  }
};

struct Unsqueeze : xport::Module<Unsqueeze> {
  std::int64_t dim = 0;
  explicit Unsqueeze(std::int64_t d = 0) : dim(d) {}
  Tensor forward(Tensor const& x) const {
    record_stack();
    return x.unsqueeze(dim);
  }
};

// A non-const forward: Sequential's non-const forward reaches it.
struct Counter : xport::Module<Counter> {
  int calls = 0;
  Tensor forward(Tensor const& x) {
    ++calls;
    return x;
  }
};

struct Net : xport::Module<Net> {
  xport::nn::Sequential<Affine, Flatten, Affine> body{Affine(3, 2), Flatten{}, Affine(6, 1, false)};
  Tensor forward(Tensor const& x) const { return body(x); }
};

} // namespace toy

BOOST_HANA_ADAPT_STRUCT(toy::Net, body);

TEST_CASE("Sequential chains forward in order, each element with its own frame") {
  toy::recorded_stacks().clear();
  xport::nn::Sequential seq{toy::Flatten{}, toy::Unsqueeze(1), toy::Unsqueeze{}};
  static_assert(
      std::is_same_v<decltype(seq),
                     xport::nn::Sequential<toy::Flatten, toy::Unsqueeze, toy::Unsqueeze>>);
  static_assert(decltype(seq)::size() == 3);
  Tensor const y = seq(xport::zeros({2, 3}));
  CHECK(std::vector<std::int64_t>(y.sizes().begin(), y.sizes().end())
        == std::vector<std::int64_t>{1, 6, 1});
  auto const& stacks = toy::recorded_stacks();
  REQUIRE(stacks.size() == 3);
  std::string_view const seq_type = xport::type_name<decltype(seq)>();
  CHECK(stacks[0] == frames_sequential{{"", seq_type}, {"0", "toy::Flatten"}});
  CHECK(stacks[1] == frames_sequential{{"", seq_type}, {"1", "toy::Unsqueeze"}});
  CHECK(stacks[2] == frames_sequential{{"", seq_type}, {"2", "toy::Unsqueeze"}});
}

TEST_CASE("Sequential inside a module: elements named body.0, body.1, ...") {
  toy::Net const net;
  CHECK(net.state_dict().keys()
        == names_sequential{"body.0.weight", "body.0.bias", "body.2.weight"});
  std::vector<std::string> modules;
  for (auto const& entry : net.named_modules())
    modules.push_back(entry.name);
  CHECK(modules == names_sequential{"", "body", "body.0", "body.1", "body.2"});
  CHECK(net.body.get<2>().weight.is_same(net.named_parameters()[2].second));

  toy::recorded_stacks().clear();
  net(xport::zeros({2, 3}));
  REQUIRE(toy::recorded_stacks().size() == 3);
  CHECK(toy::recorded_stacks()[1].back() == module_frame{"body.1", "toy::Flatten"});
  CHECK(toy::recorded_stacks()[2].size() == 3);
  CHECK(toy::recorded_stacks()[2][1].path == "body");
}

TEST_CASE("Sequential propagates train/eval and loads state dicts like any module") {
  toy::Net source, target;
  source.body.get<0>().weight.copy_(xport::full({2, 3}, 4));
  target.load_state_dict(source.state_dict());
  CHECK(target.body.get<0>().weight.at<float>({1, 2}) == 4.0f);
  target.eval();
  CHECK_FALSE(target.body.is_training());
  CHECK_FALSE(target.body.get<1>().is_training());
}

TEST_CASE("a non-const Sequential reaches non-const forwards; an empty one is the identity") {
  xport::nn::Sequential<toy::Counter, toy::Counter> counters;
  counters(xport::zeros({1}));
  counters(xport::zeros({1}));
  CHECK(counters.get<0>().calls == 2);
  CHECK(counters.get<1>().calls == 2);

  xport::nn::Sequential<> const empty;
  Tensor const x = xport::zeros({2});
  CHECK(empty(x).is_same(x));
  CHECK(empty.named_modules().size() == 1);
}
