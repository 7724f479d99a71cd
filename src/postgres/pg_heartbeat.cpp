#include "postgres/pg_heartbeat.hpp"

#include <spdlog/spdlog.h>

#include <memory>

#include "postgres/pg_connection.hpp"

namespace archibald {
namespace {

constexpr const char* now_ms = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

}  // namespace

pg_heartbeat::pg_heartbeat(options o, std::function<std::string()> report, cluster_view& view)
    : options_(std::move(o)), report_(std::move(report)), view_(view) {
  thread_ = std::thread([this] { run(); });
}

pg_heartbeat::~pg_heartbeat() {
  {
    std::lock_guard guard(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void pg_heartbeat::run() {
  const std::string beat = std::string("INSERT INTO nodes (node_id, seen_ms, stats) VALUES ($1, ") +
                           now_ms +
                           ", $2) ON CONFLICT (node_id) DO UPDATE SET seen_ms = EXCLUDED.seen_ms,"
                           " stats = EXCLUDED.stats";
  const std::string live = std::string("SELECT node_id, ") + now_ms +
                           " - seen_ms, stats FROM nodes WHERE seen_ms > " + now_ms +
                           " - $1 ORDER BY node_id";
  std::unique_ptr<pg_connection> db;
  std::unique_lock held(mutex_);
  while (!stopping_) {
    held.unlock();
    if (!db || !db->alive()) db = std::make_unique<pg_connection>(options_.url);
    if (db->ok()) {
      const std::string stats = report_();
      const auto wrote = db->exec(beat.c_str(), pg_params().text(options_.node_id).text(stats));
      const auto rows = db->exec(live.c_str(), pg_params().int64(options_.live_for.count()));
      if (wrote.ok() && rows.ok()) {
        std::vector<node_report> nodes;
        for (int i = 0; i < rows.count(); ++i)
          nodes.push_back(
              {std::string(rows.text(i, 0)), rows.int64(i, 1), std::string(rows.text(i, 2))});
        view_.update(std::move(nodes));
      } else if (!wrote.ok()) {
        spdlog::warn("cluster: heartbeat not written: {}", wrote.error());
      }
    }
    held.lock();
    wake_.wait_for(held, options_.interval, [this] { return stopping_; });
  }
  held.unlock();
  if (db && db->ok())
    db->exec("DELETE FROM nodes WHERE node_id = $1", pg_params().text(options_.node_id));
}

}  // namespace archibald
