#include <xport/api/elementwise.hpp>
#include <xport/api/elementwise_inplace.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>
#include <xport/export/export.hpp>

#include <doctest/doctest.h>

using namespace xport;

namespace {

struct Scale : Module<Scale> {
  BOOST_HANA_DEFINE_STRUCT(Scale, (Parameter, weight), (Buffer, calls));
  Scale() : weight(ones({4})), calls(zeros({1})) {}
  Tensor forward(Tensor const& x) {
    add_(calls, 1.0);
    return relu(x + weight);
  }
};

// A non-persistent buffer (a scale that is state but not saved) and a persistent one.
struct Scaled : Module<Scaled> {
  BOOST_HANA_DEFINE_STRUCT(Scaled, (Buffer, shift), (NonPersistentBuffer, scale));
  Scaled() : shift(ones({3})), scale(full({3}, 2.0)) {}
  Tensor forward(Tensor const& x) {
    mul_(scale, 0.5); // mutating a non-persistent buffer is a buffer mutation too
    return x * scale + shift;
  }
};

} // namespace

TEST_CASE("non-persistent buffers are in constants, not the state dict, and can be mutated") {
  Scaled m;
  ExportedProgram ep = export_program(m, std::tuple{ones({2, 3})}, {}, {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(text.find("b_shift: BUFFER target='shift' persistent=True") != std::string::npos);
  CHECK(text.find("b_scale: BUFFER target='scale' persistent=False") != std::string::npos);
  CHECK(text.find("mul: BUFFER_MUTATION target='scale'") != std::string::npos);
  CHECK(ep.state_dict.contains("shift"));
  CHECK_FALSE(ep.state_dict.contains("scale"));
  REQUIRE(ep.constants.contains("scale"));
  ExportedModule run = ep.module();
  CHECK(equal(run.call<Tensor>(ones({2, 3})), full({2, 3}, 2.0))); // 1 * 1 + 1
  CHECK(equal(ep.constants.at("scale"), full({3}, 1.0)));
  CHECK(equal(run.call<Tensor>(ones({2, 3})), full({2, 3}, 1.5))); // 1 * 0.5 + 1
}

TEST_CASE("export records placeholders, calls, and a buffer mutation") {
  Scale m;
  Tensor const x = from<float>({{-3.f, 0.f, 1.f, 2.f}, {1.f, 1.f, -5.f, 0.f}});
  auto batch = Dim("batch", {.min = 1, .max = 64});
  ExportedProgram ep = export_program(m, std::tuple{x}, {{batch, 4}}, {.input_names = {"x"}});
  std::string const text = ep.str();
  INFO(text);
  CHECK(text.find("p_weight: \"f32[4]\"") != std::string::npos);
  CHECK(text.find("b_calls: \"f32[1]\"") != std::string::npos);
  CHECK(text.find("x: \"f32[s0, 4]\"") != std::string::npos);
  CHECK(text.find("add: \"f32[1]\" = aten::add.Tensor(b_calls, other=1.0, alpha=1)")
        != std::string::npos);
  CHECK(text.find("add_1: \"f32[s0, 4]\" = aten::add.Tensor(x, p_weight") != std::string::npos);
  CHECK(text.find("add: BUFFER_MUTATION target='calls'") != std::string::npos);
  CHECK(text.find("b_calls: BUFFER target='calls' persistent=True") != std::string::npos);
  // Example sizes 0 and 1 are specialized (PyTorch's 0/1 policy), so the range starts at
  // 2; a batch of 1 is still accepted at call time.
  CHECK(text.find("Range constraints: {s0: VR[2, 64]}") != std::string::npos);
  // The module was left as it was.
  CHECK_FALSE(m.weight.is_fake());
  CHECK(m.calls.at<float>({0}) == 0.f);

  ExportedModule run = ep.module();
  Tensor const y = from<float>({{-2.f, 1.f, 0.f, 3.f}});
  Tensor const out = run.call<Tensor>(y);
  CHECK(equal(out, from<float>({{0.f, 2.f, 1.f, 4.f}})));
  CHECK(ep.state_dict.at("calls").at<float>({0}) == 1.f); // the mutation was applied
  CHECK(equal(run.call<Tensor>(x), relu(x + m.weight)));
  CHECK(ep.state_dict.at("calls").at<float>({0}) == 2.f);

  CHECK_THROWS_WITH_AS(run.call<Tensor>(zeros({65, 4})),
                       doctest::Contains("Expected input at x.shape[0] to be <= 64, but got 65"),
                       constraint_violation);
  CHECK_THROWS_WITH_AS(run.call<Tensor>(zeros({2, 4}, {.dtype = dtype::float64})),
                       doctest::Contains("Expected input at x to have dtype torch.float32"),
                       dtype_error);
}
