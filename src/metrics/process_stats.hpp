// What the operating system says about this process (Linux /proc). Any thread.
#pragma once

#include <cstdint>

namespace archibald {

std::uint64_t resident_memory_bytes();  // 0 if unknown
std::uint64_t open_file_limit();        // soft RLIMIT_NOFILE

// Raises the soft open-file limit to the hard limit; returns the resulting soft limit.
std::uint64_t raise_open_file_limit();

}  // namespace archibald
