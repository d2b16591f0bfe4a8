// A small CNN (Conv2d-BatchNorm2d-ReLU-MaxPool2d twice, then pooling and a Linear head),
// run eagerly in evaluation mode.
#include <xport/api/reduction.hpp>
#include <xport/core/print.hpp>
#include <xport/nn/layers.hpp>

#include <iostream>

int main() {
  namespace nn = xport::nn;
  xport::Generator gen{0};

  //! [cnn]
  nn::Sequential model{nn::Conv2d(1, 8, 3, gen, {.padding = 1}),
                       nn::BatchNorm2d(8),
                       nn::ReLU{},
                       nn::MaxPool2d(2),
                       nn::Conv2d(8, 16, 3, gen, {.padding = 1}),
                       nn::BatchNorm2d(16),
                       nn::ReLU{},
                       nn::MaxPool2d(2),
                       nn::AdaptiveAvgPool2d(1),
                       nn::Flatten{},
                       nn::Linear(16, 10, gen)};
  model.eval(); // batch norm uses its running statistics
  //! [cnn]

  for (auto const& [name, tensor] : model.state_dict())
    std::cout << name << " " << xport::format_sizes(tensor.sizes()) << "\n";

  xport::Tensor const images = xport::randn({2, 1, 28, 28}, gen);
  xport::Tensor const logits = model(images);
  std::cout << "logits " << xport::format_sizes(logits.sizes()) << " = " << logits << "\n";
  std::cout << "predicted classes = " << xport::argmax(logits, 1) << "\n";
}
