// A throwaway certificate authority and two server certificates for 127.0.0.1 / localhost,
// made with the openssl command in a temporary folder (removed afterwards), for TLS tests.
#pragma once

#include <string>

namespace archibald::testing {

class test_pki {
 public:
  test_pki();  // throws std::runtime_error when openssl fails
  ~test_pki();
  test_pki(const test_pki&) = delete;
  test_pki& operator=(const test_pki&) = delete;

  const std::string dir;
  std::string ca_cert;                // the CA that signed both server certificates
  std::string cert, key;              // CN=archibald-test-a
  std::string other_cert, other_key;  // CN=archibald-test-b
};

// The subject of the certificate a TLS server on 127.0.0.1:port presents ("CN = …"), read with
// the openssl command; empty when the handshake fails.
std::string presented_subject(unsigned short port);

}  // namespace archibald::testing
