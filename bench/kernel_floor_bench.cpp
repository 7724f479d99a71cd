// What the kernel charges the server for the two things every write and delivery needs on
// this machine, whatever the server's own code does: a small send() over loopback TCP to a
// client that is asleep waiting for it (the sender pays the receiver's TCP processing and its
// wake-up), and waking a thread asleep on a condition variable (a hand-off to the storage
// thread or back). Each is timed in the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID),
// the figure that server_cpu_us_per_write adds up; the sleeper gets time to fall asleep
// between two iterations, as at 1,500 writes/s.
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

// A connected loopback TCP pair (what a server session and its client are).
struct loopback_pair {
  int server = -1, client = -1;
  loopback_pair() {
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    check(listener >= 0, "socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    check(::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) == 0, "bind");
    check(::listen(listener, 1) == 0, "listen");
    check(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) == 0, "getsockname");
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    check(::connect(client, reinterpret_cast<sockaddr*>(&addr), len) == 0, "connect");
    server = ::accept(listener, nullptr, nullptr);
    check(server >= 0, "accept");
    ::close(listener);
    const int one = 1;
    ::setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  ~loopback_pair() {
    ::close(server);
    ::close(client);
  }
};

// A 120-byte frame (a small event) sent to a client blocked in epoll_wait, which reads it.
void BM_LoopbackSendToSleepingReader(benchmark::State& state) {
  loopback_pair pair;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    const int ep = ::epoll_create1(0);
    epoll_event ev{.events = EPOLLIN, .data = {}};
    ::epoll_ctl(ep, EPOLL_CTL_ADD, pair.client, &ev);
    char buffer[4096];
    while (!stop.load()) {
      if (::epoll_wait(ep, &ev, 1, 100) == 1) (void)::recv(pair.client, buffer, sizeof buffer, 0);
    }
    ::close(ep);
  });
  const std::string frame(120, 'x');
  for (auto _ : state) {
    std::this_thread::sleep_for(std::chrono::microseconds(300));  // the reader falls asleep
    const double start = thread_cpu_seconds();
    check(::send(pair.server, frame.data(), frame.size(), 0) == 120, "send");
    state.SetIterationTime(thread_cpu_seconds() - start);
  }
  stop = true;
  reader.join();
}
BENCHMARK(BM_LoopbackSendToSleepingReader)->UseManualTime()->Unit(benchmark::kMicrosecond);

// The same send while the reader is busy elsewhere (no wake-up): the socket path alone.
void BM_LoopbackSendNoWakeUp(benchmark::State& state) {
  loopback_pair pair;
  const std::string frame(120, 'x');
  char buffer[1 << 16];
  std::size_t unread = 0;
  for (auto _ : state) {
    const double start = thread_cpu_seconds();
    check(::send(pair.server, frame.data(), frame.size(), 0) == 120, "send");
    state.SetIterationTime(thread_cpu_seconds() - start);
    if ((unread += frame.size()) > 32 * 1024) {  // keep the buffers from filling, untimed
      while (unread > 0) unread -= static_cast<std::size_t>(::recv(pair.client, buffer, unread, 0));
    }
  }
}
BENCHMARK(BM_LoopbackSendNoWakeUp)->UseManualTime()->Unit(benchmark::kMicrosecond);

// notify_one to a thread asleep on a condition variable (a hand-off between threads).
void BM_WakeSleepingThread(benchmark::State& state) {
  std::mutex mutex;
  std::condition_variable cv;
  std::uint64_t posted = 0, taken = 0;
  bool stop = false;
  std::thread sleeper([&] {
    std::unique_lock lock(mutex);
    while (!stop) {
      cv.wait(lock, [&] { return stop || posted != taken; });
      taken = posted;
    }
  });
  for (auto _ : state) {
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    const double start = thread_cpu_seconds();
    {
      std::lock_guard lock(mutex);
      ++posted;
    }
    cv.notify_one();
    state.SetIterationTime(thread_cpu_seconds() - start);
  }
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  cv.notify_one();
  sleeper.join();
}
BENCHMARK(BM_WakeSleepingThread)->UseManualTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
