#include "fanout/connection_registry.hpp"

#include <algorithm>
#include <boost/container/small_vector.hpp>

namespace archibald {

connection_registry::connection_registry(registry_limits limits) : limits_(limits) {}

connection_registry::shard& connection_registry::shard_for(std::string_view user_id) {
  return shards_[string_hash{}(user_id) % shard_count];
}

const connection_registry::shard& connection_registry::shard_for(std::string_view user_id) const {
  return shards_[string_hash{}(user_id) % shard_count];
}

admission connection_registry::add(const std::string& user_id, std::shared_ptr<connection> c,
                                   bool& reconnection) {
  if (total_.fetch_add(1, std::memory_order_relaxed) >= limits_.max_total) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    return admission::over_total;
  }
  shard& s = shard_for(user_id);
  std::lock_guard lock(s.mutex);
  pool& devices = s.users[user_id];
  if (devices.size() >= limits_.max_per_user) {
    total_.fetch_sub(1, std::memory_order_relaxed);
    return admission::over_user;
  }
  reconnection = !devices.empty();
  devices.push_back(std::move(c));
  return admission::admitted;
}

void connection_registry::remove(std::string_view user_id, const connection* c) {
  shard& s = shard_for(user_id);
  std::lock_guard lock(s.mutex);
  auto it = s.users.find(user_id);
  if (it == s.users.end()) return;
  pool& devices = it->second;
  auto pos =
      std::find_if(devices.begin(), devices.end(), [c](const auto& p) { return p.get() == c; });
  if (pos == devices.end()) return;
  std::swap(*pos, devices.back());
  devices.pop_back();
  total_.fetch_sub(1, std::memory_order_relaxed);
  if (devices.empty()) s.users.erase(it);
}

std::size_t connection_registry::send_to_user(std::string_view user_id,
                                              const shared_message& message) {
  boost::container::small_vector<std::shared_ptr<connection>, 8> recipients;
  {
    shard& s = shard_for(user_id);
    std::lock_guard lock(s.mutex);
    auto it = s.users.find(user_id);
    if (it == s.users.end()) return 0;
    recipients.assign(it->second.begin(), it->second.end());
  }
  std::size_t queued = 0;
  for (const auto& c : recipients) queued += c->send(message) == send_result::queued;
  return queued;
}

std::size_t connection_registry::user_connections(std::string_view user_id) const {
  const shard& s = shard_for(user_id);
  std::lock_guard lock(s.mutex);
  const auto it = s.users.find(user_id);
  return it == s.users.end() ? 0 : it->second.size();
}

std::size_t connection_registry::send_to_all(const shared_message& message) {
  std::size_t queued = 0;
  for (const auto& c : snapshot()) queued += c->send(message) == send_result::queued;
  return queued;
}

std::vector<std::shared_ptr<connection>> connection_registry::snapshot() const {
  std::vector<std::shared_ptr<connection>> all;
  all.reserve(total());
  for (const shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    for (const auto& [user, devices] : s.users)
      all.insert(all.end(), devices.begin(), devices.end());
  }
  return all;
}

std::vector<std::shared_ptr<connection>> connection_registry::snapshot_slice(
    std::size_t slice) const {
  std::vector<std::shared_ptr<connection>> out;
  const shard& s = shards_[slice % shard_count];
  std::lock_guard lock(s.mutex);
  for (const auto& [user, devices] : s.users) out.insert(out.end(), devices.begin(), devices.end());
  return out;
}

std::vector<std::pair<std::string, std::size_t>> connection_registry::connections_per_user() const {
  std::vector<std::pair<std::string, std::size_t>> out;
  for (const shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    for (const auto& [user, devices] : s.users) out.emplace_back(user, devices.size());
  }
  return out;
}

std::size_t connection_registry::active_users() const {
  std::size_t n = 0;
  for (const shard& s : shards_) {
    std::lock_guard lock(s.mutex);
    n += s.users.size();
  }
  return n;
}

}  // namespace archibald
