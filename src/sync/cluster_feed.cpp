#include "sync/cluster_feed.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace archibald {
namespace {

constexpr std::size_t catch_up_page = 500;       // events a user a read; more: read again
constexpr std::size_t users_per_catch_up = 100;  // a query's users (at most 50,000 events)
constexpr std::size_t positions_per_read = 1000;

}  // namespace

std::size_t cluster_feed::committed(const std::string& user_id, const shared_message& event) {
  lock held(mutex_);
  cursor& c = follow(user_id, event->seq - 1)->second;  // what came before: the devices' replay
  c.known = std::max(c.known, event->seq);
  // Its NOTIFY can reach the listener before the writer gets here, and the read it starts
  // can deliver the event first: it then reached the user's devices here already.
  if (event->seq <= c.delivered) return registry_.user_connections(user_id);
  c.waiting.emplace(event->seq, event);
  return advance(user_id, held);
}

void cluster_feed::hinted(std::string_view user_id, std::int64_t seq) {
  heard(user_id, seq, true);
}

void cluster_feed::heard(std::string_view user_id, std::int64_t seq, bool may_follow) {
  lock held(mutex_);
  if (!cursors_.contains(user_id) && (!may_follow || !registry_.has_user(user_id)))
    return;  // nobody here to deliver to
  learn(follow(user_id, seq - 1), seq, held);
}

cluster_feed::cursor_map::iterator cluster_feed::follow(std::string_view user_id,
                                                        std::int64_t from) {
  auto it = cursors_.find(user_id);
  if (it == cursors_.end()) {
    it = cursors_.try_emplace(std::string(user_id)).first;
    it->second.delivered = it->second.known = from;
  }
  return it;
}

void cluster_feed::learn(cursor_map::iterator it, std::int64_t seq, lock& held) {
  if (seq <= it->second.known) return;  // known already: its event is here or being read
  it->second.known = seq;
  advance(it->first, held);
}

void cluster_feed::catch_up_all() {
  lock held(mutex_);
  std::vector<std::string> users;
  for (auto& [user, c] : cursors_)
    if (!c.reading) users.push_back(user);
  for (const std::string& user : users) ask_read(user, held);
}

void cluster_feed::replayed(const std::string& user_id, std::int64_t last_seq) {
  lock held(mutex_);
  const auto it = follow(user_id, last_seq);
  it->second.placed = true;
  learn(it, last_seq, held);
}

bool cluster_feed::follows(std::string_view user_id) const {
  std::lock_guard guard(mutex_);
  const auto it = cursors_.find(user_id);
  return it != cursors_.end() && it->second.placed;
}

void cluster_feed::check_positions() {
  std::vector<std::string> users;
  {
    std::lock_guard guard(mutex_);
    users.reserve(cursors_.size());
    for (const auto& entry : cursors_) users.push_back(entry.first);
  }
  for (std::size_t from = 0; from < users.size(); from += positions_per_read) {
    const std::size_t to = std::min(users.size(), from + positions_per_read);
    std::vector<std::string> part(std::make_move_iterator(users.begin() + from),
                                  std::make_move_iterator(users.begin() + to));
    store_.read([this, part = std::move(part)](store_reader& r, store_status status) {
      if (status != store_status::ok) return;
      const std::vector<std::int64_t> seqs = r.last_seqs(part);
      if (r.failed()) return;
      for (std::size_t i = 0; i < part.size(); ++i)
        if (seqs[i] > 0) heard(part[i], seqs[i], false);  // users gone meanwhile: not again
    });
  }
}

std::size_t cluster_feed::cursors() const {
  std::lock_guard guard(mutex_);
  return cursors_.size();
}

std::size_t cluster_feed::advance(const std::string& user_id, lock& held) {
  auto it = cursors_.find(user_id);
  cursor& c = it->second;
  std::size_t reached = 0;
  bool anyone = false;
  while (!c.waiting.empty()) {
    const auto first = c.waiting.begin();
    if (first->first <= c.delivered) {
      c.waiting.erase(first);
      continue;
    }
    if (first->first != c.delivered + 1) break;
    const std::size_t n = registry_.send_to_user(user_id, first->second);
    reached += n;
    anyone |= n > 0;
    c.delivered = first->first;
    c.waiting.erase(first);
  }
  if (c.known > c.delivered) {
    if (!c.reading) ask_read(user_id, held);
  } else if (!anyone && c.waiting.empty() && !c.reading && !registry_.has_user(user_id)) {
    cursors_.erase(it);  // the user's devices left this node
  }
  return reached;
}

void cluster_feed::ask_read(const std::string& user_id, lock& held) {
  cursors_.find(user_id)->second.reading = true;
  asked_.push_back(user_id);
  if (read_queued_) return;  // the queued job reads this user too
  read_queued_ = true;
  held.unlock();
  store_.read([this](store_reader& r, store_status status) { read_asked(r, status); });
  held.lock();
}

void cluster_feed::read_asked(store_reader& r, store_status status) {
  std::vector<user_position> users;
  {
    std::lock_guard guard(mutex_);
    read_queued_ = false;
    users.reserve(asked_.size());
    for (std::string& user : asked_) {
      const auto it = cursors_.find(user);
      if (it != cursors_.end()) users.push_back({std::move(user), it->second.delivered});
    }
    asked_.clear();
  }
  for (std::size_t from = 0; from < users.size(); from += users_per_catch_up) {
    const std::size_t to = std::min(users.size(), from + users_per_catch_up);
    const std::vector<user_position> part(users.begin() + from, users.begin() + to);
    std::vector<event_window> windows;
    if (status == store_status::ok) windows = r.events_after_seqs(part, catch_up_page);
    const bool failed = status != store_status::ok || r.failed() || windows.size() != part.size();
    lock held(mutex_);
    for (std::size_t i = 0; i < part.size(); ++i) {
      auto it = cursors_.find(part[i].user_id);
      if (it == cursors_.end()) continue;
      cursor& c = it->second;
      c.reading = false;
      if (failed) continue;  // the next hint, or catch_up_all, reads again
      c.placed = true;
      event_window& w = windows[i];
      // Events the store no longer holds (retention) cannot be delivered: skip past them; the
      // devices see the gap in seq and resync.
      if (w.first_seq > c.delivered + 1 && c.waiting.empty()) c.delivered = w.first_seq - 1;
      for (auto& e : w.events)
        if (e.seq > c.delivered) c.waiting.emplace(e.seq, share(std::move(e.frame), e.seq));
      c.known = std::max(c.known, w.last_seq);
      advance(it->first, held);
    }
  }
}

}  // namespace archibald
