#include "net/delivery_mailbox.hpp"

#include <boost/asio/post.hpp>

#include "net/websocket_session.hpp"

namespace archibald {

boost::asio::execution_context::id delivery_mailbox::id;

delivery_mailbox::delivery_mailbox(boost::asio::execution_context& loop)
    : boost::asio::execution_context::service(loop),
      loop_(static_cast<boost::asio::io_context&>(loop).get_executor()) {}

void delivery_mailbox::deliver(std::shared_ptr<websocket_session> to, outbound_queue::entry frame) {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = pending_.empty();
    pending_.push_back({std::move(to), std::move(frame)});
  }
  if (first) boost::asio::post(loop_, [this] { drain(); });
}

void delivery_mailbox::drain() {
  {
    std::lock_guard lock(mutex_);
    draining_.swap(pending_);
  }
  for (auto& d : draining_) d.to->enqueue(std::move(d.frame));
  draining_.clear();
}

void delivery_mailbox::shutdown() {
  std::lock_guard lock(mutex_);
  pending_.clear();
  draining_.clear();
}

}  // namespace archibald
