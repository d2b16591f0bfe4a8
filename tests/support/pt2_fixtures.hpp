// The PyTorch fixtures of tests/fixtures/pt2/ (see its README): paths, JSON, and the
// tensors of the fixture JSON, for the tests and for the archive writer of
// check_roundtrip.py.
#pragma once

#include <xport/core/factories.hpp>
#include <xport/trace/leaf.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace xport_test::pt2 {

using xport::dtype;
using xport::Tensor;

//! The folder of the fixtures.
inline std::filesystem::path fixtures() {
  return std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" / "pt2";
}

//! A file of the fixtures.
inline std::filesystem::path fixture(std::string const& name) {
  return fixtures() / name;
}

inline nlohmann::json read_json(std::string const& name) {
  std::ifstream in(fixture(name));
  if (!in.good()) throw std::runtime_error("cannot read the fixture " + name);
  return nlohmann::json::parse(in);
}

//! The bytes of a file.
inline std::vector<std::byte> read_file_bytes(std::filesystem::path const& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) throw std::runtime_error("cannot read " + path.string());
  std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(data.size());
  std::memcpy(out.data(), data.data(), data.size());
  return out;
}

inline std::vector<std::byte> read_bytes(std::string const& name) {
  return read_file_bytes(fixture(name));
}

//! A tensor of the fixture JSON: {"dtype": "float32", "sizes": [..], "data": [..]}.
inline Tensor tensor_of(nlohmann::json const& j) {
  dtype const type = xport::parse_dtype(j.at("dtype").get<std::string>());
  std::vector<std::int64_t> const sizes = j.at("sizes").get<std::vector<std::int64_t>>();
  Tensor t = xport::empty(sizes, {.dtype = type});
  nlohmann::json const& data = j.at("data");
  if (static_cast<std::int64_t>(data.size()) != t.numel())
    throw std::runtime_error("a fixture tensor's data does not match its sizes");
  xport::visit_dtype(type, [&]<class T>() {
    T* out = t.data_ptr<T>();
    for (std::size_t i = 0; i < data.size(); ++i) {
      if constexpr (std::is_same_v<T, bool>)
        out[i] = data[i].get<bool>();
      else if constexpr (std::is_integral_v<T>)
        out[i] = static_cast<T>(data[i].get<std::int64_t>());
      else if constexpr (std::is_same_v<T, double>)
        out[i] = data[i].get<double>();
      else
        out[i] = static_cast<T>(data[i].get<float>());
    }
  });
  return t;
}

//! The JSON of a tensor, as `tensor_of` reads it (floats as their float value).
inline nlohmann::json json_of(Tensor const& tensor) {
  Tensor const t = tensor.contiguous();
  nlohmann::json data = nlohmann::json::array();
  xport::visit_dtype(t.dtype(), [&]<class T>() {
    T const* in = t.data_ptr<T>();
    for (std::int64_t i = 0; i < t.numel(); ++i) {
      if constexpr (std::is_same_v<T, bool>)
        data.push_back(in[i]);
      else if constexpr (std::is_integral_v<T>)
        data.push_back(static_cast<std::int64_t>(in[i]));
      else if constexpr (std::is_same_v<T, double>)
        data.push_back(in[i]);
      else
        data.push_back(static_cast<double>(static_cast<float>(in[i])));
    }
  });
  return {{"dtype", std::string(xport::name(t.dtype()))},
          {"sizes", std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end())},
          {"data", std::move(data)}};
}

//! The leaves of the fixture JSON: tensors, and integers, floats and bools as
//! `{"int": 3}`, `{"float": 2.5}`, `{"bool": true}`.
inline std::vector<xport::leaf> leaves_of(nlohmann::json const& values) {
  std::vector<xport::leaf> out;
  for (nlohmann::json const& v : values) {
    if (v.contains("int"))
      out.emplace_back(v.at("int").get<std::int64_t>());
    else if (v.contains("float"))
      out.emplace_back(v.at("float").get<double>());
    else if (v.contains("bool"))
      out.emplace_back(v.at("bool").get<bool>());
    else
      out.emplace_back(tensor_of(v));
  }
  return out;
}

//! The JSON of a leaf, as `leaves_of` reads it.
inline nlohmann::json json_of(xport::leaf const& value) {
  if (auto const* integer = std::get_if<std::int64_t>(&value)) return {{"int", *integer}};
  if (auto const* size = std::get_if<xport::SymInt>(&value)) return {{"int", size->expect_int()}};
  if (auto const* real = std::get_if<double>(&value)) return {{"float", *real}};
  if (auto const* flag = std::get_if<bool>(&value)) return {{"bool", *flag}};
  return json_of(std::get<Tensor>(value));
}

} // namespace xport_test::pt2
