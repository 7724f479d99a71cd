#include "metrics/process_stats.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace archibald {

std::uint64_t resident_memory_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long long total = 0, resident = 0;
  const int n = std::fscanf(f, "%llu %llu", &total, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

double cpu_seconds() {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<process_usage> read_process_usage(int pid) {
  const std::string base = "/proc/" + std::to_string(pid);
  std::FILE* stat = std::fopen((base + "/stat").c_str(), "r");
  if (!stat) return std::nullopt;
  char buf[1024] = {};
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, stat);
  std::fclose(stat);
  // Fields after the command name, which may hold spaces: it ends at the last ')'.
  const char* p = std::strrchr(buf, ')');
  if (n == 0 || !p) return std::nullopt;
  unsigned long long utime = 0, stime = 0;
  long long rss_pages = 0;
  // state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  // cutime cstime priority nice threads itrealvalue starttime vsize rss
  if (std::sscanf(p + 2,
                  "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d "
                  "%*d %*d %*u %*u %lld",
                  &utime, &stime, &rss_pages) != 3)
    return std::nullopt;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return process_usage{static_cast<std::uint64_t>(std::max(0LL, rss_pages)) *
                           static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)),
                       static_cast<double>(utime + stime) / ticks};
}

std::uint64_t open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  return limit.rlim_cur;
}

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  return open_file_limit();
}

}  // namespace archibald
