#include "load/driver/client_tls.hpp"

#include <memory>
#include <mutex>

namespace archibald::load {

const tls_client_context* client_tls(const load_options& options, const endpoint_url& url) {
  if (!url.tls) return nullptr;
  static std::once_flag once;
  static std::unique_ptr<tls_client_context> context;
  std::call_once(once, [&] {
    context = std::make_unique<tls_client_context>(
        tls_client_options{.ca_file = options.ca_file, .insecure = options.insecure});
  });
  return context.get();
}

}  // namespace archibald::load
