//! @file
//! Printing tensors the way PyTorch does: `tensor([[1.5000, 2.0000], ...], dtype=...)`.
#pragma once

#include <xport/core/tensor.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace xport {

namespace detail {

// Mirrors PyTorch's print options (torch.set_printoptions defaults).
struct print_options {
  static constexpr std::int64_t threshold = 1000; // more elements than this: summarize
  static constexpr std::int64_t edge_items = 3;
  static constexpr std::size_t line_width = 80;
};

// One printed element: floating-point values in `real`, integers and bools in `integer`
// (int64 does not fit a double exactly).
struct printed_value {
  double real = 0;
  std::int64_t integer = 0;
};

// Chooses one notation and width for all printed elements, like PyTorch's _Formatter:
// integers as they are; floats in "int mode" (`3.`) when all finite values are whole,
// scientific (`1.0000e+08`) when their magnitudes span more than 1000x or exceed 1e8
// (or, outside int mode, fall below 1e-4), and fixed (`0.5000`) otherwise.
class element_formatter {
public:
  explicit element_formatter(std::vector<printed_value> const& values, bool floating, bool boolean)
      : floating_(floating), boolean_(boolean) {
    if (floating_) {
      double smallest = INFINITY;
      double largest = 0;
      bool any = false;
      for (auto const& [v, unused] : values) {
        if (!std::isfinite(v) || v == 0) continue;
        any = true;
        smallest = std::min(smallest, std::abs(v));
        largest = std::max(largest, std::abs(v));
        if (v != std::ceil(v)) int_mode_ = false;
      }
      if (!any) return; // no finite nonzero value: no padding, as in PyTorch
      double const ratio = largest / smallest;
      sci_mode_ = ratio > 1000 || largest > 1e8 || (!int_mode_ && smallest < 1e-4);
    }
    // Floats are padded to the widest finite nonzero value; nan and inf may stick out.
    for (printed_value const& v : values) {
      if (!floating_ || (std::isfinite(v.real) && v.real != 0)) {
        width_ = std::max(width_, format_unpadded(v).size());
      }
    }
  }

  std::size_t width() const { return width_; }

  std::string format(printed_value const& value) const {
    std::string text = format_unpadded(value);
    return std::string(width_ - std::min(width_, text.size()), ' ') + text;
  }

private:
  std::string format_unpadded(printed_value const& element) const {
    if (boolean_) return element.integer != 0 ? "True" : "False";
    if (!floating_) return std::to_string(element.integer);
    double const value = element.real;
    if (std::isnan(value)) return "nan";
    if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
    char buffer[64];
    if (sci_mode_) {
      std::snprintf(buffer, sizeof buffer, "%.4e", value);
    } else if (int_mode_) {
      std::snprintf(buffer, sizeof buffer, "%.0f.", value);
    } else {
      std::snprintf(buffer, sizeof buffer, "%.4f", value);
    }
    return buffer;
  }

  bool floating_;
  bool boolean_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  std::size_t width_ = 1;
};

// Collects the elements that will be printed (all, or the edges of each dimension when
// summarizing) in print order.
inline void collect_printed(Tensor const& t, bool summarize, std::vector<printed_value>& out) {
  if (t.dim() == 0) {
    visit_dtype(t.dtype(), [&]<class T>() {
      T const value = t.at<T>({});
      out.push_back({convert<double>(value),
                     is_floating_point(dtype_of<T>) ? 0 : convert<std::int64_t>(value)});
    });
    return;
  }
  std::int64_t const n = t.size(0);
  auto const visit_row = [&](std::int64_t i) { collect_printed(t.select(0, i), summarize, out); };
  if (summarize && n > 2 * print_options::edge_items) {
    for (std::int64_t i = 0; i < print_options::edge_items; ++i)
      visit_row(i);
    for (std::int64_t i = n - print_options::edge_items; i < n; ++i)
      visit_row(i);
  } else {
    for (std::int64_t i = 0; i < n; ++i)
      visit_row(i);
  }
}

inline std::string join(std::vector<std::string> const& parts, std::string const& separator) {
  std::string result;
  for (std::size_t i = 0; i < parts.size(); ++i)
    result += (i ? separator : "") + parts[i];
  return result;
}

inline std::string tensor_body(Tensor const& t, std::size_t indent, bool summarize,
                               element_formatter const& format,
                               std::vector<printed_value> const& values, std::size_t& next) {
  if (t.dim() == 0) return format.format(values[next++]);
  std::int64_t const n = t.size(0);
  bool const cut = summarize && n > 2 * print_options::edge_items;
  std::vector<std::string> parts;
  for (std::int64_t i = 0; i < n; ++i) {
    if (cut && i == print_options::edge_items) {
      parts.emplace_back(t.dim() == 1 ? " ..." : "...");
      i = n - print_options::edge_items - 1;
      continue;
    }
    parts.push_back(tensor_body(t.select(0, i), indent + 1, summarize, format, values, next));
  }
  if (t.dim() == 1) { // wrap long rows at the line width
    std::size_t const per_line = std::max<std::size_t>(
        1, (print_options::line_width - std::min(indent, print_options::line_width))
               / (format.width() + 2));
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < parts.size(); i += per_line) {
      std::vector<std::string> line(
          parts.begin() + static_cast<std::ptrdiff_t>(i),
          parts.begin() + static_cast<std::ptrdiff_t>(std::min(parts.size(), i + per_line)));
      lines.push_back(join(line, ", "));
    }
    return "[" + join(lines, ",\n" + std::string(indent + 1, ' ')) + "]";
  }
  std::string const separator =
      "," + std::string(static_cast<std::size_t>(t.dim() - 1), '\n') + std::string(indent + 1, ' ');
  return "[" + join(parts, separator) + "]";
}

} // namespace detail

//! @brief Prints `t` as PyTorch does, e.g. `tensor([[0.5000, 1.0000]])`,
//! `tensor([1, 2], dtype=torch.int32)`, `tensor([], size=(0, 3))`, with
//! `device='cuda:0'` for CUDA tensors. Tensors with more than 1000 elements print the
//! first and last three entries of each dimension around `...`.
inline std::ostream& operator<<(std::ostream& out, Tensor const& t) {
  if (!t.defined()) return out << "tensor(undefined)";
  Tensor const host = t.cpu();
  bool const summarize = host.numel() > detail::print_options::threshold;
  std::vector<detail::printed_value> values;
  detail::collect_printed(host, summarize, values);
  detail::element_formatter const format(values, is_floating_point(t.dtype()),
                                         t.dtype() == dtype::bool_);
  std::string text = "tensor(";
  if (host.numel() == 0) {
    text += "[]";
  } else {
    std::size_t next = 0;
    text += detail::tensor_body(host, 7, summarize, format, values, next);
  }
  if (host.numel() == 0 && host.dim() != 1) {
    text += ", size=(";
    for (std::int64_t d = 0; d < host.dim(); ++d)
      text += (d ? ", " : "") + std::to_string(host.size(d));
    text += ")";
  }
  if (!t.device().is_cpu()) text += ", device='" + t.device().str() + "'";
  if (t.dtype() != dtype::float32 && t.dtype() != dtype::int64 && t.dtype() != dtype::bool_) {
    text += ", dtype=" + torch_name(t.dtype());
  }
  return out << text << ')';
}

//! @brief The text `operator<<` prints.
inline std::string to_string(Tensor const& t) {
  std::ostringstream out;
  out << t;
  return out.str();
}

} // namespace xport
