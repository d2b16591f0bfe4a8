// A downstream program: include the umbrella, make a tensor, check a value.
#include <xport/xport.hpp>

#include <iostream>

int main() {
  xport::Tensor const t = xport::arange(6).view({2, 3}).t();
  if (t.at<std::int64_t>({2, 1}) != 5) return 1;
  std::cout << "consumer ok: " << t << "\n";
}
