#include "sync/cluster_feed.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace archibald {
namespace {

constexpr std::size_t catch_up_page = 500;
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
  std::vector<std::pair<std::string, std::int64_t>> reads;
  {
    std::lock_guard guard(mutex_);
    for (auto& [user, c] : cursors_) {
      if (c.reading) continue;
      c.reading = true;
      reads.emplace_back(user, c.delivered);
    }
  }
  for (const auto& [user, after] : reads) read_after(user, after);
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
    if (!c.reading) {
      c.reading = true;
      const std::int64_t after = c.delivered;
      held.unlock();
      read_after(user_id, after);
      held.lock();
    }
  } else if (!anyone && c.waiting.empty() && !c.reading && !registry_.has_user(user_id)) {
    cursors_.erase(it);  // the user's devices left this node
  }
  return reached;
}

void cluster_feed::read_after(const std::string& user_id, std::int64_t after) {
  store_.read([this, user_id, after](store_reader& r, store_status status) {
    event_window w;
    if (status == store_status::ok) w = r.events_after_seq(user_id, after, catch_up_page);
    const bool failed = status != store_status::ok || r.failed();
    lock held(mutex_);
    auto it = cursors_.find(user_id);
    if (it == cursors_.end()) return;
    cursor& c = it->second;
    c.reading = false;
    if (failed) return;  // the next hint, or catch_up_all, reads again
    c.placed = true;
    // Events the store no longer holds (retention) cannot be delivered: skip past them; the
    // devices see the gap in seq and resync.
    if (w.first_seq > c.delivered + 1 && c.waiting.empty()) c.delivered = w.first_seq - 1;
    for (auto& e : w.events)
      if (e.seq > c.delivered) c.waiting.emplace(e.seq, share(std::move(e.frame), e.seq));
    c.known = std::max(c.known, w.last_seq);
    advance(user_id, held);
  });
}

}  // namespace archibald
