// Several nodes on one database (DESIGN §6): the durable events of the users connected to this
// node, delivered to their devices in seq order and each once, whichever node wrote them. Two
// sources feed it: this node's commits (the frame in hand) and the other nodes' hints
// ("user:seq", from the database's NOTIFY), whose events are read from the store. A seq that
// arrives before those under it waits while the gap is read; many hints for one user collapse
// into one read. A user with no device here has no cursor: its hints cost nothing.
//
// Threads: any (the store's writer for commits, the listener for hints, the reader for the
// catch-up reads). One mutex; deliveries are queued on the sessions (never blocking).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "fanout/connection_registry.hpp"
#include "protocol/envelope.hpp"
#include "protocol/string_map.hpp"
#include "store/sync_store.hpp"

namespace archibald {

class cluster_feed {
 public:
  cluster_feed(sync_store& store, connection_registry& registry)
      : store_(store), registry_(registry) {}

  // This node committed `event` (its seq set) for the user; returns the devices it reached now.
  std::size_t committed(const std::string& user_id, const shared_message& event);
  // Some node committed the user's `seq`.
  void hinted(std::string_view user_id, std::int64_t seq);
  // The hints may have been missed (the listener reconnected): every user with a cursor reads
  // what came after it.
  void catch_up_all();
  // A device of the user replayed the events up to `last_seq` (the newest then): the user is
  // followed from there, and what the cursor had not heard of yet is read.
  void replayed(const std::string& user_id, std::int64_t last_seq);
  // The periodic position check: the newest seqs of the users followed here, read in a few
  // queries, stand in for hints that never came.
  void check_positions();

  std::size_t cursors() const;
  // The user is followed here from a position the store gave (a replay or a read), not only
  // from the first event heard: a new device of the user gets every event from now on.
  bool follows(std::string_view user_id) const;

 private:
  struct cursor {
    std::int64_t delivered = 0;  // every seq up to this one went out (or predates the cursor)
    std::int64_t known = 0;      // the highest seq known to exist
    bool reading = false;
    bool placed = false;  // delivered was set by a read, not guessed from the first event
    std::map<std::int64_t, shared_message> waiting;  // above delivered + 1
  };
  using lock = std::unique_lock<std::mutex>;
  using cursor_map = string_map<cursor>;

  // The user's cursor; a new one starts with every seq up to `from` delivered.
  cursor_map::iterator follow(std::string_view user_id, std::int64_t from);
  // `seq` exists: when it is news, what is in order goes out and a gap is read.
  void learn(cursor_map::iterator it, std::int64_t seq, lock& held);

  // Some node committed the user's `seq`; a user not followed yet is followed from it when
  // may_follow and a device of the user is here.
  void heard(std::string_view user_id, std::int64_t seq, bool may_follow);
  // Sends what is in order; asks for a read when a gap remains.
  std::size_t advance(const std::string& user_id, lock& held);
  // The user's events after its cursor are to be read: with those of every other user asked
  // for until the reader gets to it, in one query. Unlocks to queue the read.
  void ask_read(const std::string& user_id, lock& held);
  // The read job: every user asked for, after each one's cursor.
  void read_asked(store_reader& r, store_status status);

  sync_store& store_;
  connection_registry& registry_;
  mutable std::mutex mutex_;
  cursor_map cursors_;              // GUARDED_BY(mutex_)
  std::vector<std::string> asked_;  // GUARDED_BY(mutex_) users to read, each with reading set
  bool read_queued_ = false;        // GUARDED_BY(mutex_) a read job is queued, not yet started
};

}  // namespace archibald
