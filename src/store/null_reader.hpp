// Handed to a read job that could not be queued (busy) or not run (the storage unreachable):
// answers nothing and reports failure. For every store.
#pragma once

#include "store/sync_store.hpp"

namespace archibald {

class null_reader final : public store_reader {
 public:
  std::vector<std::string> list(std::string_view, std::string_view,
                                std::optional<std::int64_t>) override {
    return {};
  }
  event_window events_after_seq(std::string_view, std::int64_t, std::size_t) override { return {}; }
  event_window events_after_time(std::string_view, std::int64_t, std::size_t) override {
    return {};
  }
  std::vector<std::int64_t> last_seqs(const std::vector<std::string>&) override { return {}; }
  bool failed() const override { return true; }
};

}  // namespace archibald
