// What the operating system says about this process (Linux /proc). Any thread.
#pragma once

#include <cstdint>
#include <optional>

namespace archibald {

std::uint64_t resident_memory_bytes();  // 0 if unknown
std::uint64_t open_file_limit();        // soft RLIMIT_NOFILE
double cpu_seconds();                   // user + system CPU time of this process, all threads

// Another process, from /proc/<pid>: resident memory and CPU seconds; nullopt when it is gone.
struct process_usage {
  std::uint64_t rss_bytes = 0;
  double cpu_seconds = 0;
};
std::optional<process_usage> read_process_usage(int pid);

// Raises the soft open-file limit to the hard limit; returns the resulting soft limit.
std::uint64_t raise_open_file_limit();

}  // namespace archibald
