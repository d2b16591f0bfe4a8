// Tests for include/xport/sym/fix.hpp: suggested fixes, their rendering, refine(spec, fixes).
#include <xport/sym/fix.hpp>

#include <doctest/doctest.h>

#include <vector>

using xport::value_error;
using xport::sym::Dim;
using xport::sym::dynamic_shapes;
using xport::sym::refine;
using xport::sym::suggested_fix;

TEST_CASE("fixes render as PyTorch prints them") {
  CHECK(suggested_fix::narrow("dx", {.max = 16}).to_string() == "dx = Dim('dx', max=16)");
  CHECK(suggested_fix::narrow("dx", {.min = 3, .max = 6}).to_string()
        == "dx = Dim('dx', min=3, max=6)");
  CHECK(suggested_fix::narrow("_dx", {.max = 12}).to_string() == "_dx = Dim('_dx', max=12)");
  CHECK(suggested_fix::specialize("dw", 4).to_string() == "dw = 4");
  CHECK(suggested_fix::relate("dy", "dx", 1, 0).to_string() == "dy = dx");
  CHECK(suggested_fix::relate("dz", "dx", 1, 1).to_string() == "dz = dx + 1");
  CHECK(suggested_fix::relate("dx", "_dx", 2, 0).to_string() == "dx = 2*_dx");
  CHECK(suggested_fix::relate("dx", "_dx", 3, -1).to_string() == "dx = 3*_dx - 1");
  CHECK_THROWS_AS(static_cast<void>(suggested_fix::relate("dx", "dy", 0, 1)), value_error);

  const std::vector<suggested_fix> fixes{suggested_fix::narrow("dx", {.max = 16}),
                                         suggested_fix::relate("dy", "dx", 1, 0)};
  CHECK(xport::sym::render_fixes(fixes) == "Suggested fixes:\n  dx = Dim('dx', max=16)\n  dy = dx");
  CHECK(xport::sym::render_fixes({}).empty());
}

TEST_CASE("refine narrows a root and rebuilds its derived dims") {
  const Dim dx("dx");
  const dynamic_shapes spec({{dx, 4}, {dx + 1}});
  const std::vector<suggested_fix> fixes{suggested_fix::narrow("dx", {.max = 16})};
  const dynamic_shapes refined = refine(spec, fixes);
  CHECK(refined.to_string() == "((dx, 4), (dx + 1,))");
  CHECK(refined[0][0].dim()->max() == 16);
  CHECK(refined[1][0].dim()->max() == 17);
  CHECK(refined[1][0].dim()->root_name() == "dx");
}

TEST_CASE("refine specializes a root and every derived dim of it") {
  const Dim dx("dx");
  const Dim dw("dw");
  const dynamic_shapes spec({{dx, dw}, {2 * dx + 1, dw}});
  const std::vector<suggested_fix> fixes{suggested_fix::specialize("dx", 4)};
  const dynamic_shapes refined = refine(spec, fixes);
  CHECK(refined.to_string() == "((4, dw), (9, dw))");
  CHECK(*refined[1][0].static_size() == 9);
}

TEST_CASE("refine relates independent dims: dy = dx, dz = dx + 1") {
  const Dim dx("dx", {.max = 32});
  const Dim dy("dy");
  const Dim dz("dz");
  const dynamic_shapes spec({{dx}, {dy}, {dz, 2 * dz}});
  const std::vector<suggested_fix> fixes{suggested_fix::relate("dy", "dx", 1, 0),
                                         suggested_fix::relate("dz", "dx", 1, 1)};
  const dynamic_shapes refined = refine(spec, fixes);
  CHECK(refined.to_string() == "((dx,), (dx,), (dx + 1, 2*dx + 2))");
  CHECK(refined[2][1].dim()->max() == 66);
}

TEST_CASE("refine introduces new roots for divisibility: dx = 2*_dx") {
  const Dim dx("dx", {.max = 24});
  const dynamic_shapes spec({{dx, dx + 1}});
  const std::vector<suggested_fix> fixes{suggested_fix::narrow("_dx", {.max = 12}),
                                         suggested_fix::relate("dx", "_dx", 2, 0)};
  const dynamic_shapes refined = refine(spec, fixes);
  CHECK(refined.to_string() == "((2*_dx, 2*_dx + 1),)");
  CHECK(refined[0][0].dim()->root_name() == "_dx");
  CHECK(refined[0][0].dim()->root_range() == xport::sym::dim_range{.max = 12});
  CHECK(refined[0][1].dim()->max() == 25);
}

TEST_CASE("refine follows a relation to a specialized root") {
  const Dim dx("dx");
  const Dim dy("dy");
  const dynamic_shapes spec({{dx, dy}});
  const std::vector<suggested_fix> fixes{suggested_fix::specialize("dx", 3),
                                         suggested_fix::relate("dy", "dx", 2, 0)};
  CHECK(refine(spec, fixes).to_string() == "((3, 6),)");
}

TEST_CASE("refine leaves hints, statics and unrelated dims alone") {
  const Dim dx("dx");
  const Dim dv("dv", {.max = 9});
  const dynamic_shapes spec({{dx, Dim::Auto, 5}, {dv}});
  const std::vector<suggested_fix> fixes{suggested_fix::specialize("dx", 2)};
  const dynamic_shapes refined = refine(spec, fixes);
  CHECK(refined.to_string() == "((2, Dim.AUTO, 5), (dv,))");
  CHECK(refined[1] == spec[1]);
}

TEST_CASE("refine refuses fixes it cannot place") {
  const Dim dx("dx");
  const dynamic_shapes spec({dx});
  const std::vector<suggested_fix> unknown{suggested_fix::specialize("dq", 2)};
  CHECK_THROWS_WITH_AS(static_cast<void>(refine(spec, unknown)),
                       doctest::Contains("neither a dim of the spec nor a new root"), value_error);
  const std::vector<suggested_fix> cycle{suggested_fix::relate("dx", "_a", 1, 0),
                                         suggested_fix::relate("_a", "dx", 1, 0)};
  CHECK_THROWS_WITH_AS(static_cast<void>(refine(spec, cycle)), doctest::Contains("itself"),
                       value_error);
  const std::vector<suggested_fix> conflict{suggested_fix::specialize("dx", 2),
                                            suggested_fix::specialize("dx", 3)};
  CHECK_THROWS_WITH_AS(static_cast<void>(refine(spec, conflict)),
                       doctest::Contains("Conflicting suggested fixes for dx"), value_error);
}
