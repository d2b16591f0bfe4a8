//! @file
//! Intra-op parallelism for CPU kernels: `set_num_threads` / `get_num_threads` and
//! `kernels::parallel_for`, which splits a range of independent work items across a small
//! pool of threads.
//!
//! A pool of our own rather than OpenMP: a header-only library cannot ask every user's
//! build for `-fopenmp`, and a pool needs nothing but `<thread>` (and works the same under
//! nvcc's host compiler). It follows PyTorch's conventions: the default thread count is
//! `OMP_NUM_THREADS` when set, else the hardware's; ranges smaller than a grain run on the
//! calling thread; a `parallel_for` inside a parallel region, or while another thread
//! uses the pool, runs serially. Work is split into contiguous chunks and every element
//! is computed by the same code whatever the thread count, so results do not depend on
//! it (kernels split only independent outputs, never one sum).
//!
//! Workers spin for the next job for `spin_time` before they sleep, so a model's
//! consecutive parallel ops do not pay a wake-up each, while a stretch of serial ops
//! (or OpenBLAS's own threads) gets the cores back soon. A job ends when its chunks are
//! done: the caller never waits for a worker that has not woken, so more threads than
//! free cores cost little.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#endif

namespace xport {

//! @cond
namespace detail {

inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// The default thread count: OMP_NUM_THREADS when it is a positive number (as PyTorch
// reads it), else the hardware's.
inline int default_threads() noexcept {
  if (char const* env = std::getenv("OMP_NUM_THREADS")) {
    char* end = nullptr;
    long const n = std::strtol(env, &end, 10);
    if (end != env && n > 0) return static_cast<int>(std::min(n, 1024L));
  }
  return static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
}

// The pool behind parallel_for: `threads - 1` workers (started on first use) and the
// calling thread run the tasks of one job at a time.
//
// A job is done when its tasks are, not when every worker has seen it: the caller takes
// tasks too, so a worker the OS has not scheduled yet (a busy machine, more threads than
// cores) costs nothing but its share of the work. Tasks are claimed from one atomic word
// holding the job's number, its task count and the next task, so a worker that wakes late
// can claim nothing from a job that is over, nor from the next one before it is
// published; a job's state is only rewritten once every claimed task has finished.
class thread_pool {
public:
  static thread_pool& instance() {
    static thread_pool pool;
    return pool;
  }

  thread_pool(thread_pool const&) = delete;
  thread_pool& operator=(thread_pool const&) = delete;
  ~thread_pool() { stop(); }

  int threads() const noexcept { return threads_.load(std::memory_order_relaxed); }

  void set_threads(int n) {
    std::lock_guard const lock(job_mutex_);
    stop();
    threads_.store(std::clamp(n, 1, max_threads), std::memory_order_relaxed);
  }

  // Runs task(i) for every i in [0, tasks) and returns when all have run; the first
  // exception a task throws is rethrown (the other tasks still run). At most
  // `max_tasks` tasks per job.
  template <class F>
  void run(std::int64_t tasks, F& task) {
    std::unique_lock lock(job_mutex_, std::try_to_lock);
    if (!lock.owns_lock() || inside_parallel() || tasks > max_tasks) {
      std::exception_ptr first;
      for (std::int64_t i = 0; i < tasks; ++i) {
        try {
          task(i);
        } catch (...) {
          if (!first) first = std::current_exception();
        }
      }
      if (first) std::rethrow_exception(first);
      return;
    }
    start_workers();
    job_ = {&task, [](void* f, std::int64_t i) { (*static_cast<F*>(f))(i); }};
    failure_ = nullptr;
    done_.store(0, std::memory_order_relaxed);
    std::uint64_t const number = next_job();
    claims_.store(pack(number, static_cast<std::uint64_t>(tasks), 0), std::memory_order_release);
    claims_.notify_all(); // no system call unless a worker sleeps
    work(number);
    auto const count = static_cast<int>(tasks);
    if (!spin_until([&] { return done_.load(std::memory_order_acquire) == count; }))
      for (int seen; (seen = done_.load(std::memory_order_acquire)) != count;)
        done_.wait(seen, std::memory_order_acquire);
    if (failure_) std::rethrow_exception(failure_);
  }

  // True on a thread running a task (there, parallel_for runs serially).
  static bool& inside_parallel() noexcept {
    thread_local bool inside = false;
    return inside;
  }

  //! Most threads `set_threads` accepts, and most tasks one job holds.
  static constexpr int max_threads = 1024;
  static constexpr std::int64_t max_tasks = 0xFFFF;

private:
  // Long enough to span the serial steps between a model's parallel ones (a transformer
  // layer's are some tens of microseconds apart): waking a sleeping worker costs the
  // caller a system call per job. libgomp, under PyTorch, spins about as long. Spinning
  // threads yield now and then, so on a machine with more runnable threads than cores
  // the thread they wait for gets the core.
  static constexpr std::chrono::microseconds spin_time{200};

  // Spins until `done()` or `spin_time` has passed; true when done.
  template <class Done>
  static bool spin_until(Done&& done) {
    auto const start = std::chrono::steady_clock::now();
    while (true) {
      for (int i = 0; i < 64; ++i) {
        if (done()) return true;
        cpu_relax();
      }
      if (std::chrono::steady_clock::now() - start > spin_time) return done();
      std::this_thread::yield();
    }
  }

  // The claim word: job number (32 bits) | task count (16) | next task (16).
  static constexpr std::uint64_t pack(std::uint64_t job, std::uint64_t tasks,
                                      std::uint64_t next) noexcept {
    return job << 32 | tasks << 16 | next;
  }
  static constexpr std::uint64_t claim_job(std::uint64_t word) noexcept { return word >> 32; }
  static constexpr std::uint64_t claim_tasks(std::uint64_t word) noexcept {
    return word >> 16 & 0xFFFF;
  }
  static constexpr std::uint64_t claim_next(std::uint64_t word) noexcept { return word & 0xFFFF; }

  // The number of the job after the current one (wrapping at 32 bits).
  std::uint64_t next_job() const noexcept {
    return (claim_job(claims_.load(std::memory_order_relaxed)) + 1) & 0xFFFFFFFF;
  }

  struct job {
    void* task = nullptr;
    void (*invoke)(void*, std::int64_t) = nullptr;
  };

  thread_pool() : threads_(std::min(default_threads(), max_threads)) {}

  void start_workers() {
    auto const wanted = static_cast<std::size_t>(threads() - 1);
    if (workers_.size() == wanted) return;
    stop();
    stopping_.store(false, std::memory_order_relaxed);
    for (std::size_t w = 0; w < wanted; ++w)
      workers_.emplace_back(
          [this, seen = claim_job(claims_.load(std::memory_order_relaxed))] { loop(seen); });
  }

  // Posts an empty job that tells the workers to return, and joins them.
  void stop() {
    if (workers_.empty()) return;
    stopping_.store(true, std::memory_order_relaxed);
    claims_.store(pack(next_job(), 0, 0), std::memory_order_release);
    claims_.notify_all();
    for (std::thread& t : workers_)
      t.join();
    workers_.clear();
  }

  void loop(std::uint64_t seen) {
    inside_parallel() = true;
    while (true) {
      auto const posted = [&] {
        return claim_job(claims_.load(std::memory_order_acquire)) != seen;
      };
      if (!spin_until(posted))
        for (std::uint64_t word; claim_job(word = claims_.load(std::memory_order_acquire)) == seen;)
          claims_.wait(word, std::memory_order_acquire);
      seen = claim_job(claims_.load(std::memory_order_acquire));
      if (stopping_.load(std::memory_order_relaxed)) return;
      work(seen);
    }
  }

  // Runs tasks of job `number` until none is left to claim (or a later job is posted).
  void work(std::uint64_t number) {
    bool const was_inside = inside_parallel();
    inside_parallel() = true;
    std::uint64_t word = claims_.load(std::memory_order_acquire);
    while (claim_job(word) == number && claim_next(word) < claim_tasks(word)) {
      if (!claims_.compare_exchange_weak(word, word + 1, std::memory_order_acq_rel,
                                         std::memory_order_acquire))
        continue;
      try {
        job_.invoke(job_.task, static_cast<std::int64_t>(claim_next(word)));
      } catch (...) {
        std::lock_guard const lock(failure_mutex_);
        if (!failure_) failure_ = std::current_exception();
      }
      if (done_.fetch_add(1, std::memory_order_acq_rel) + 1 == static_cast<int>(claim_tasks(word)))
        done_.notify_one();
      word = claims_.load(std::memory_order_acquire);
    }
    inside_parallel() = was_inside;
  }

  std::atomic<int> threads_;
  std::mutex job_mutex_; // one job at a time
  std::vector<std::thread> workers_;
  job job_;
  std::atomic<std::uint64_t> claims_{0};
  std::atomic<int> done_{0};
  std::atomic<bool> stopping_{false};
  std::mutex failure_mutex_;
  std::exception_ptr failure_;
};

} // namespace detail
//! @endcond

//! @brief Sets how many threads CPU kernels use (1 to 1024); the default is
//! `OMP_NUM_THREADS` when set, else the hardware's thread count. Waits for a running
//! parallel kernel to finish first.
inline void set_num_threads(int n) {
  detail::thread_pool::instance().set_threads(n);
}

//! @brief How many threads CPU kernels use.
inline int get_num_threads() noexcept {
  return detail::thread_pool::instance().threads();
}

namespace kernels {

//! @brief Elements per chunk below which splitting costs more than it gains (PyTorch's
//! `GRAIN_SIZE`, for one cheap operation per element).
inline constexpr std::int64_t grain_size = 32768;

//! @brief Calls `body(begin, end)` on disjoint chunks covering `[0, count)`, in parallel
//! on up to `get_num_threads()` threads, each chunk at least `grain` items (one chunk,
//! on the calling thread, when `count < 2 * grain` or one thread is set). Chunks must be
//! independent; the first exception `body` throws is rethrown after all chunks ran.
template <class F>
void parallel_for(std::int64_t count, std::int64_t grain, F&& body) {
  if (count <= 0) return;
  std::int64_t const chunks =
      std::min<std::int64_t>(get_num_threads(), count / std::max<std::int64_t>(grain, 1));
  if (chunks <= 1 || xport::detail::thread_pool::inside_parallel()) {
    body(std::int64_t{0}, count);
    return;
  }
  auto task = [&](std::int64_t c) { body(count * c / chunks, count * (c + 1) / chunks); };
  xport::detail::thread_pool::instance().run(chunks, task);
}

} // namespace kernels
} // namespace xport
