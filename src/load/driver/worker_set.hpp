// --workers N: N child processes of this program, each simulating its share of the users
// (user g belongs to worker g % N) with its own engine, histograms and open-file limit. The
// parent steers them over their stdin and reads their snapshots from their stdout, one JSON
// line each:  parent → "users N" | "period MS" | "stop" | "snapshot" | "finish";
//             worker → {"stats": load_stats, "gauges": {...}, "cpu": s, "rss": bytes}.
#pragma once

#include <iosfwd>
#include <memory>

#include "load/driver/load_source.hpp"

namespace archibald::load {

// Starts the workers (options.command_line + "--worker-of i/N"); null if one cannot start.
std::unique_ptr<load_source> start_workers(const load_options& options);

// The worker side: serves the parent until "finish" or the end of its stdin. Exit code.
int serve_as_worker(const load_options& options, unsigned worker, unsigned workers);

}  // namespace archibald::load
