// How one simulated user's write leaves and is answered: which device writes, its key, the
// delivery tracker's note, the request (REST, publish, or a WebSocket frame answered by ACK /
// ERROR) and what its answer means for the stats. Single-threaded: the owning shard's loop.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "client/http_async_pool.hpp"
#include "load/driver/simulated_user.hpp"
#include "load/load_options.hpp"
#include "load/load_stats.hpp"

namespace archibald::load {

// The kept-alive connections a shard's REST and publish writes go through: one pool per --url
// (https:// ones over TLS), sized for the shard's users; none when writes go over WebSocket.
std::vector<std::unique_ptr<http_async_pool>> make_write_pools(boost::asio::io_context& ioc,
                                                               const load_options& options,
                                                               std::size_t users);

class write_sender {
 public:
  using time_point = std::chrono::steady_clock::time_point;

  // pools: one per --url; service_auth: the Authorization of publish writes. All outlive it.
  write_sender(const load_options& options, load_stats& stats,
               const std::vector<std::unique_ptr<http_async_pool>>& pools,
               const std::string& service_auth)
      : options_(options), stats_(stats), pools_(pools), service_auth_(service_auth) {}

  // The write meant for `intended`, sent `now` (skipped when too many are in flight or, for
  // WebSocket writes, no device is open).
  void write(simulated_user& u, time_point intended, time_point now);
  // An ACK (ok) or ERROR frame that answers one of the user's WebSocket writes.
  void acknowledged(simulated_user& u, const boost::json::object& frame, bool ok, time_point now);
  // The device's connection is gone: its unanswered WebSocket writes failed.
  void fail_acks(simulated_user& u, std::size_t device);

 private:
  void http_write(simulated_user& u, std::int64_t key, std::string target, std::string body,
                  std::string auth, std::size_t device);

  const load_options& options_;
  load_stats& stats_;
  const std::vector<std::unique_ptr<http_async_pool>>& pools_;
  const std::string& service_auth_;
};

}  // namespace archibald::load
