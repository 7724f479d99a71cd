// Hands deliveries from other threads (the storage writer's fan-out, another loop's publish)
// to one event loop in batches: the first delivery of a batch posts one drain to the loop and
// the others join it, so a commit that fans out to 500 connections of a loop wakes that loop
// once, not 500 times, and costs no allocation once the batch vectors have grown.
// One per event loop, as an Asio service: use_service<delivery_mailbox>(loop).
#pragma once

#include <boost/asio/execution_context.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <mutex>
#include <vector>

#include "net/outbound_queue.hpp"

namespace archibald {

class websocket_session;

class delivery_mailbox final : public boost::asio::execution_context::service {
 public:
  static boost::asio::execution_context::id id;

  // loop: an io_context (the only execution context the server runs).
  explicit delivery_mailbox(boost::asio::execution_context& loop);

  // Any thread: `to` gets the frame on its loop, after every delivery queued before this one.
  void deliver(std::shared_ptr<websocket_session> to, outbound_queue::entry frame);

 private:
  struct delivery {
    std::shared_ptr<websocket_session> to;
    outbound_queue::entry frame;
  };

  void drain();
  void shutdown() override;

  boost::asio::io_context::executor_type loop_;
  std::mutex mutex_;
  std::vector<delivery> pending_;   // GUARDED_BY(mutex_)
  std::vector<delivery> draining_;  // the loop's thread only
};

}  // namespace archibald
