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

} // namespace

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
