// xport::kernels::parallel_for and the thread count: every item visited once, nested and
// throwing bodies, and CPU kernels giving bitwise the same results on 1 and 2 threads
// (they split only independent outputs).
#include <xport/kernels/cpu/gemm.hpp>
#include <xport/kernels/parallel.hpp>
#include <xport/kernels/tuning.hpp>

#include <xport/api/attention.hpp>
#include <xport/api/conv.hpp>
#include <xport/api/elementwise.hpp>
#include <xport/api/linalg.hpp>
#include <xport/api/norm.hpp>
#include <xport/api/reduction.hpp>
#include <xport/core/compare.hpp>
#include <xport/core/factories.hpp>

#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace xport;

namespace {

// Restores the thread count a test changed.
struct thread_count_guard {
  int saved = get_num_threads();
  thread_count_guard() = default;
  thread_count_guard(thread_count_guard const&) = delete;
  thread_count_guard& operator=(thread_count_guard const&) = delete;
  ~thread_count_guard() { set_num_threads(saved); }
};

// `f()` on 1 thread, then on 2: the two results.
std::vector<Tensor> on_one_and_two_threads(std::function<Tensor()> const& f) {
  thread_count_guard const guard;
  std::vector<Tensor> out;
  for (int const threads : {1, 2}) {
    set_num_threads(threads);
    out.push_back(f());
  }
  return out;
}

} // namespace

TEST_CASE("set_num_threads: at least one thread; the count is kept") {
  thread_count_guard const guard;
  set_num_threads(3);
  CHECK(get_num_threads() == 3);
  set_num_threads(0);
  CHECK(get_num_threads() == 1);
  set_num_threads(-4);
  CHECK(get_num_threads() == 1);
}

TEST_CASE("parallel_for: every item once, in chunks of at least the grain") {
  thread_count_guard const guard;
  for (int const threads : {1, 2, 4}) {
    set_num_threads(threads);
    for (std::int64_t const count : {0, 1, 7, 100, 1000, 100003}) {
      std::vector<std::atomic<int>> seen(static_cast<std::size_t>(count));
      std::atomic<int> chunks{0};
      std::atomic<std::int64_t> smallest{count};
      kernels::parallel_for(count, 100, [&](std::int64_t begin, std::int64_t end) {
        ++chunks;
        std::int64_t now = smallest.load();
        while (end - begin < now && !smallest.compare_exchange_weak(now, end - begin)) {
        }
        for (std::int64_t i = begin; i < end; ++i)
          ++seen[static_cast<std::size_t>(i)];
      });
      INFO("threads " << threads << ", count " << count);
      for (std::atomic<int> const& s : seen)
        CHECK(s.load() == 1);
      CHECK(chunks.load()
            == (count == 0
                    ? 0
                    : std::max<std::int64_t>(1, std::min<std::int64_t>(threads, count / 100))));
      if (chunks.load() > 1) CHECK(smallest.load() >= 100);
    }
  }
}

TEST_CASE("parallel_for: a nested call runs serially on its thread; exceptions reach the "
          "caller") {
  thread_count_guard const guard;
  set_num_threads(2);
  std::atomic<std::int64_t> total{0};
  kernels::parallel_for(4, 1, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      int inner_chunks = 0;
      kernels::parallel_for(1000, 1, [&](std::int64_t b, std::int64_t e) {
        ++inner_chunks; // one chunk: a plain int is safe
        total += e - b;
      });
      CHECK(inner_chunks == 1);
    }
  });
  CHECK(total.load() == 4000);
  CHECK_THROWS_WITH_AS(kernels::parallel_for(8, 1,
                                             [](std::int64_t begin, std::int64_t) {
                                               if (begin >= 4) throw std::runtime_error("chunk");
                                             }),
                       "chunk", std::runtime_error);
  // The pool still works after a failed job.
  std::atomic<std::int64_t> after{0};
  kernels::parallel_for(8, 1, [&](std::int64_t begin, std::int64_t end) { after += end - begin; });
  CHECK(after.load() == 8);
}

TEST_CASE("parallel_for: many short jobs on more threads than cores, from two callers") {
  // A job ends when its tasks do, whether or not every worker woke for it: workers that
  // wake late must take nothing from a finished job or from the next one. A caller that
  // finds the pool busy runs the chunks itself, with the same exception rule.
  thread_count_guard const guard;
  set_num_threads(8);
  auto many_jobs = [](int jobs, std::int64_t& wrong) {
    for (int j = 0; j < jobs; ++j) {
      std::int64_t const count = 8 + j % 5;
      std::vector<std::atomic<int>> seen(static_cast<std::size_t>(count));
      bool const throws = j % 97 == 0; // the other chunks still run, on the pool or not
      try {
        kernels::parallel_for(count, 1, [&](std::int64_t begin, std::int64_t end) {
          for (std::int64_t i = begin; i < end; ++i)
            ++seen[static_cast<std::size_t>(i)];
          if (throws && begin == 0) throw std::runtime_error("chunk");
        });
        wrong += throws;
      } catch (std::runtime_error const&) {
        wrong += !throws;
      }
      for (std::atomic<int> const& s : seen)
        wrong += s.load() != 1;
    }
  };
  std::int64_t wrong_here = 0;
  std::int64_t wrong_there = 0;
  std::thread other([&] { many_jobs(2000, wrong_there); }); // runs serially while we hold the pool
  many_jobs(5000, wrong_here);
  other.join();
  CHECK(wrong_here == 0);
  CHECK(wrong_there == 0);
}

TEST_CASE("kernels give the same bits on 1 and 2 threads") {
  Generator gen{21};
  Tensor const x = randn({64, 33, 40}, gen); // 84,480 elements: split on 2 threads
  Tensor const row = randn({40}, gen);       // broadcast along the last dim
  Tensor const image = randn({9, 3, 17, 17}, gen);
  Tensor const filter = randn({5, 3, 3, 3}, gen);
  Tensor const bias = randn({5}, gen);
  Tensor const q = randn({8, 4, 64, 16}, gen);
  Tensor const gamma = randn({40}, gen);
  // Products large enough to be split on the pool: by rows of a row-major out, by columns
  // of a column-major one, by batch (k past OpenBLAS's block of k, m and n not multiples of
  // its register blocks).
  Tensor const tall = randn({601, 520}, gen);
  Tensor const wide = randn({520, 1203}, gen);
  Tensor const batched = randn({6, 200, 130}, gen);
  struct named {
    char const* name;
    std::function<Tensor()> f;
  };
  std::vector<named> const cases{
      {"exp (contiguous, vector math)", [&] { return exp(x); }},
      {"mul (contiguous, two inputs)", [&] { return x * x; }},
      {"add (broadcast, strided loop)", [&] { return x + row; }},
      {"sigmoid of a transpose", [&] { return sigmoid(x.transpose(0, 2)); }},
      {"sum over the last dim", [&] { return sum(x, {2}); }},
      {"sum over the first dim", [&] { return sum(x, {0}); }},
      {"var over the middle dim", [&] { return var(x, {1}); }},
      {"softmax", [&] { return softmax(x, -1); }},
      {"softmax over dim 0", [&] { return softmax(x, 0); }},
      {"layer_norm", [&] { return layer_norm(x, {40}, gamma, row); }},
      {"mm split by rows", [&] { return mm(tall, wide.narrow(1, 0, 301)); }},
      {"mm with few rows (a row-major out is split by rows only)",
       [&] { return mm(tall.narrow(0, 0, 33), wide); }},
      {"mm into a column-major out, split by columns",
       [&] {
         Tensor const out = empty({1203, 33});
         kernels::cpu::gemm(tall.narrow(0, 0, 33), wide, out.t());
         return out;
       }},
      {"mm of transposed operands", [&] { return mm(wide.t(), tall.t()); }},
      {"bmm split by batch", [&] { return bmm(batched, batched.transpose(1, 2)); }},
      {"conv2d over a batch", [&] { return conv2d(image, filter, bias, {.padding = {1}}); }},
      {"scaled_dot_product_attention", [&] { return scaled_dot_product_attention(q, q, q); }},
      {"scaled_dot_product_attention, fused",
       [&] {
         std::int64_t const saved = kernels::cpu::fused_attention_min_bytes;
         kernels::cpu::fused_attention_min_bytes = 0;
         Tensor y = scaled_dot_product_attention(q, q, q);
         kernels::cpu::fused_attention_min_bytes = saved;
         return y;
       }},
  };
  for (named const& c : cases) {
    INFO(std::string(c.name));
    std::vector<Tensor> const got = on_one_and_two_threads(c.f);
    CHECK(equal(got[0], got[1]));
  }
}
