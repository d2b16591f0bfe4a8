// The OpInfo table: sample inputs for every op of xport, in the spirit of PyTorch's
// OpInfo. `samples<Op>::make(d)` gives an op's samples with dtype `d` in the inputs the
// op dispatches on (see ops::dispatch_dtype): several shapes, 0-size and 0-dim tensors,
// broadcasting, non-contiguous and strided views. `sweep<OpSet>` runs every check of
// sweep.cpp on every op x dtype x sample, and refuses-checks every dtype an op does not
// declare. Each family of ops has its samples in one file (opinfo/<family>.cpp).
#pragma once

#include <xport/core/factories.hpp>
#include <xport/ops/op_set.hpp>
#include <xport/ops/schema.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opinfo {

using xport::dtype;
using xport::Tensor;
using sizes = std::vector<std::int64_t>;

//! One call of an op: its attributes and inputs (an undefined Tensor for an absent
//! optional input), with a label unique among the op's samples of one dtype.
struct sample {
  std::string label;
  xport::ops::boxed_attributes attributes;
  std::vector<Tensor> inputs;
  //! False when the outputs have no defined values (`empty`, random draws): only their
  //! dtypes and sizes are compared.
  bool values = true;
  //! The call itself, for ops that are not called through their boxed form (higher-order
  //! ops run through their front end); empty for every other op.
  std::function<xport::ops::tensor_list(std::span<Tensor const>)> call = {};
  //! An independent reference (closed form), for ops PyTorch's reference script does not
  //! call (higher-order ops, runtime asserts); empty when the fixture holds the reference.
  std::function<xport::ops::tensor_list(std::span<Tensor const>)> reference = {};
  //! False for samples that cannot be exported as a program of their own (an op whose
  //! inputs are all data-dependent scalars, say).
  bool exportable = true;
  //! The inputs whose sizes stay static when the sample is exported (a convolution's
  //! weight; a tensor split into as many pieces as its size says); every other dim is
  //! `Dim::Auto`.
  std::vector<std::size_t> static_inputs = {};
  //! False when the op has no decomposition for this sample (dropout in training).
  bool decomposes = true;
};

//! A scalar of `d`'s category: bool, integer or floating (non-negative for uint8, which
//! cannot hold a negative one).
inline xport::Scalar scalar_of(dtype d, double floating, std::int64_t integer) {
  if (d == dtype::bool_) return xport::Scalar(integer != 0);
  if (xport::is_floating_point(d)) return xport::Scalar(floating);
  return xport::Scalar(d == dtype::uint8 && integer < 0 ? -integer : integer);
}

//! `sample` of `Op` with these attributes and inputs.
template <xport::ops::op Op>
sample make(std::string label, typename Op::attributes attributes, std::vector<Tensor> inputs) {
  return {std::move(label), xport::ops::boxed_attributes::of<Op>(std::move(attributes)),
          std::move(inputs)};
}

//! Deterministic inputs in one dtype: small values (multiples of 0.25 for floating types,
//! so every dtype holds them exactly), different for every tensor asked for.
class maker {
public:
  explicit maker(dtype type) : type_(type) {}

  //! The dtype of the samples.
  dtype type() const noexcept { return type_; }

  //! A contiguous tensor of `sizes` in the samples' dtype (or `type`).
  Tensor operator()(sizes const& shape) { return values(shape, type_); }
  //! A contiguous tensor of `sizes` in `type`.
  Tensor values(sizes const& shape, dtype type) {
    std::int64_t n = 1;
    for (std::int64_t s : shape)
      n *= s;
    std::int64_t const seed = next_++;
    std::vector<double> v(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      std::int64_t const k = (i * 7 + seed * 5 + 3) % 11; // 0..10
      double x;
      if (type == dtype::bool_)
        x = k % 3 == 0 ? 1 : 0;
      else if (type == dtype::uint8)
        x = static_cast<double>(k);
      else if (xport::is_floating_point(type))
        x = static_cast<double>(k - 5) * 0.5 + 0.25;
      else
        x = static_cast<double>(k - 5);
      v[static_cast<std::size_t>(i)] = x;
    }
    return from(v, shape, type);
  }
  //! Positive values (domains of log, sqrt, ...): 0.25 .. 2.75, or 1 .. 11 for integers.
  Tensor positive(sizes const& shape) {
    Tensor t = (*this)(shape);
    Tensor const d = t.to(dtype::float64).contiguous();
    std::vector<double> v(static_cast<std::size_t>(d.numel()));
    for (std::size_t i = 0; i < v.size(); ++i) {
      double const x = d.data_ptr<double>()[i];
      v[i] = type_ == dtype::bool_
                 ? 1.0
                 : (x < 0 ? -x : x) + (xport::is_floating_point(type_) ? 0.25 : 1);
    }
    return from(v, shape, type_);
  }
  //! A non-contiguous view of `sizes`: the transpose of a contiguous tensor for rank >= 2,
  //! every second element of a longer one for rank 1.
  Tensor strided(sizes const& shape) {
    if (shape.size() >= 2) {
      sizes flipped = shape;
      std::swap(flipped[0], flipped[1]);
      return (*this)(flipped).transpose(0, 1);
    }
    sizes longer = shape;
    if (!longer.empty()) longer[0] = longer[0] * 2;
    Tensor const base = (*this)(longer);
    return shape.empty() ? base : base.slice(0, 0, longer[0], 2);
  }
  //! int64 indices in `[0, bound)`.
  Tensor index(sizes const& shape, std::int64_t bound) {
    Tensor const raw = values(shape, dtype::int64).contiguous();
    std::vector<double> v(static_cast<std::size_t>(raw.numel()));
    for (std::size_t i = 0; i < v.size(); ++i) {
      std::int64_t const x = raw.data_ptr<std::int64_t>()[i] + 5 + static_cast<std::int64_t>(i);
      v[i] = static_cast<double>(bound == 0 ? 0 : x % bound);
    }
    return from(v, shape, dtype::int64);
  }
  //! Nonzero values, for divisors: positive for floating types, 1 .. 3 for integers,
  //! true for bool.
  Tensor divisor(sizes const& shape) {
    if (xport::is_floating_point(type_)) return positive(shape);
    return shifted(index(shape, 3), 1);
  }
  //! `t` (a sample tensor) with `delta` added to every value, in the samples' dtype.
  Tensor shifted(Tensor const& t, double delta) const {
    Tensor const d = t.to(dtype::float64).contiguous();
    std::vector<double> v(static_cast<std::size_t>(d.numel()));
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = d.data_ptr<double>()[i] + delta;
    return from(v, sizes(t.sizes().begin(), t.sizes().end()), type_);
  }
  //! `t` (a sample tensor) with every value multiplied by `factor`, in the samples' dtype.
  Tensor scaled(Tensor const& t, double factor) const {
    Tensor const d = t.to(dtype::float64).contiguous();
    std::vector<double> v(static_cast<std::size_t>(d.numel()));
    for (std::size_t i = 0; i < v.size(); ++i)
      v[i] = d.data_ptr<double>()[i] * factor;
    return from(v, sizes(t.sizes().begin(), t.sizes().end()), type_);
  }
  //! A bool mask with both values.
  Tensor mask(sizes const& shape) { return values(shape, dtype::bool_); }

  //! The tensor of `values` (converted to `type`) laid out in `shape`.
  static Tensor from(std::vector<double> const& v, sizes const& shape, dtype type) {
    Tensor const t = xport::empty(shape, {.dtype = dtype::float64});
    for (std::size_t i = 0; i < v.size(); ++i)
      t.data_ptr<double>()[i] = v[i];
    return t.to(type);
  }

private:
  dtype type_;
  std::int64_t next_ = 0;
};

//! The samples of `Op` with dtype `d`: specialized once per op, in its family's file.
template <class Op>
struct samples {
  static constexpr bool defined = false;
};

//! What the sweep did: how many combinations each check ran.
struct counts {
  std::size_t eager = 0;          //!< eager calls compared with the reference
  std::size_t metas = 0;          //!< meta rules compared with the kernels' outputs
  std::size_t exported = 0;       //!< trace -> export -> module() compared with eager
  std::size_t inside = 0;         //!< ... and on other sizes drawn inside its contract
  std::size_t inside_refused = 0; //!< ... where eager and the program both refused the data
  std::size_t outside = 0;        //!< sizes drawn outside the contract, refused by it
  std::size_t decomposed = 0;     //!< run_decompositions compared with eager
  std::size_t saved = 0;          //!< save -> load compared (program and values)
  std::size_t pt2 = 0;            //!< save_pt2 -> load_pt2 compared (program and values)
  std::size_t refused = 0;        //!< undeclared dtypes refused before allocating
  std::size_t skipped = 0;        //!< combinations a check could not run (with a reason)
};

//! Runs every check on one sample of `op` with dtype `d` (sweep.cpp).
void check_sample(xport::ops::op_schema const& op, dtype d, sample const& s, counts& c);
//! Checks that a sample with an undeclared dtype `d` is refused with a dtype_error naming
//! the op and the dtype, before any memory is allocated (sweep.cpp).
void check_refused(xport::ops::op_schema const& op, dtype d, sample const& s, counts& c);
//! Prints the counts of a family's sweep.
void report(std::string_view family, counts const& c);

//! Every op of `OpSet` has samples.
template <class OpSet>
constexpr bool covers = [] {
  bool all = true;
  OpSet::for_each([&]<class Op>() { all = all && samples<Op>::defined; });
  return all;
}();

//! Runs the checks over every op of `OpSet`, every dtype and every sample.
template <class OpSet>
counts sweep(std::string_view family) {
  counts c;
  OpSet::for_each([&]<class Op>() {
    for (dtype d : xport::all_dtypes) {
      std::vector<sample> const list = samples<Op>::make(d);
      if (xport::ops::dtypes_of<Op>.contains(d)) {
        for (sample const& s : list)
          check_sample(xport::ops::schema_of<Op>, d, s, c);
      } else if (!list.empty()) {
        check_refused(xport::ops::schema_of<Op>, d, list.front(), c);
      }
    }
  });
  report(family, c);
  return c;
}

} // namespace opinfo
