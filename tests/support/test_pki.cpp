#include "support/test_pki.hpp"

#include <stdlib.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace archibald::testing {
namespace {

std::string make_dir() {
  char name[] = "/tmp/archibald-pki-XXXXXX";
  if (!::mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
  return name;
}

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0)
    throw std::runtime_error("failed: " + command);
}

constexpr const char* ec_key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

void issue(const std::string& dir, const std::string& name, const std::string& cn) {
  run("openssl req " + std::string(ec_key) + " -keyout " + dir + "/" + name + ".key -out " + dir +
      "/" + name + ".csr -subj /CN=" + cn);
  run("openssl x509 -req -in " + dir + "/" + name + ".csr -CA " + dir + "/ca.crt -CAkey " + dir +
      "/ca.key -CAcreateserial -days 2 -extfile " + dir + "/san.ext -out " + dir + "/" + name +
      ".crt");
}

}  // namespace

test_pki::test_pki() : dir(make_dir()) {
  run("openssl req -x509 " + std::string(ec_key) + " -keyout " + dir + "/ca.key -out " + dir +
      "/ca.crt -days 2 -subj '/CN=Archibald Test CA'");
  std::ofstream(dir + "/san.ext") << "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                  << "extendedKeyUsage=serverAuth\n";
  issue(dir, "a", "archibald-test-a");
  issue(dir, "b", "archibald-test-b");
  ca_cert = dir + "/ca.crt";
  cert = dir + "/a.crt";
  key = dir + "/a.key";
  other_cert = dir + "/b.crt";
  other_key = dir + "/b.key";
}

test_pki::~test_pki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

std::string presented_subject(unsigned short port) {
  const std::string command = "openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
                              " </dev/null 2>/dev/null | openssl x509 -noout -subject 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return {};
  std::string out;
  std::array<char, 256> chunk;
  while (std::fgets(chunk.data(), chunk.size(), pipe.get())) out += chunk.data();
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace archibald::testing
