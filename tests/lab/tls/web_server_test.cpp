// SPDX-License-Identifier: Apache-2.0
// The phone's web server context (the one TLS server) against `openssl s_client`: the seed's
// five web-server suites when TLS_Cipher_List is empty or invalid, the configured list otherwise.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "servers.h"
#include "test_pki.h"
#include "tls/server.h"

using namespace phonesec;
using namespace phonesec::tls;
using namespace phonesec::test;

namespace {

// Accepts one connection on 127.0.0.1:port and runs the server handshake; the negotiated suite
// or the OpenSSL error.
struct OneShotServer {
  int lfd = -1;
  std::uint16_t port = 0;
  std::string outcome;
  std::thread th;

  explicit OneShotServer(const TlsServerContext& ctx) {
    lfd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd, 4) != 0 ||
        ::getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("one-shot server: bind/listen");
    port = ntohs(a.sin_port);
    th = std::thread([this, c = ctx.get()] {
      pollfd p{lfd, POLLIN, 0};
      if (::poll(&p, 1, 10000) != 1) {
        outcome = "no client";
        return;
      }
      int fd = ::accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      SslPtr ssl(SSL_new(c));
      SSL_set_fd(ssl.get(), fd);
      if (SSL_accept(ssl.get()) == 1) {
        outcome = std::string("ok ") + SSL_get_cipher_name(ssl.get());
        SSL_shutdown(ssl.get());
      } else {
        outcome = "failed: " + drain_openssl_errors();
      }
      ::close(fd);
    });
  }
  ~OneShotServer() {
    if (th.joinable()) th.join();
    ::close(lfd);
  }
  std::string wait() {
    th.join();
    return outcome;
  }
};

class WebServer : public testing::Test {
 protected:
  TempDir dir{"pstlsweb"};
  TestPki pki{dir.path()};
  Issued ca = pki.make_ca("ca", "CA");
  Issued cert = pki.issue(ca, "phone", {.cn = "phone.test", .dns_sans = {"phone.test"}});

  void SetUp() override { ASSERT_FALSE(find_tool("openssl").empty()) << "openssl not in PATH"; }

  // s_client offering only `cipher` over TLS 1.2; returns what the server saw.
  std::string handshake(const std::string& cipher_list, const std::string& client_cipher) {
    TlsPolicy policy({cipher_list});
    auto ctx = TlsServerContext::create(policy, {cert.cert_file, cert.key_file, {}});
    EXPECT_TRUE(ctx) << ctx.error().message();
    if (!ctx) return "no context";
    OneShotServer srv(*ctx);
    Process client({find_tool("openssl"), "s_client", "-connect", "127.0.0.1:" + std::to_string(srv.port),
                    "-tls1_2", "-cipher", client_cipher, "-CAfile", ca.cert_file},
                   dir.file("s_client.log"));
    std::string out = srv.wait();
    client.stop();
    return out;
  }
};

}  // namespace

TEST_F(WebServer, EmptyOrInvalidListUsesTheSeedsWebServerSuites) {
  for (const char* list : {"", "HIGH:TOUT"}) {
    EXPECT_EQ(handshake(list, "AES128-SHA"), "ok AES128-SHA") << list;
    EXPECT_EQ(handshake(list, "ECDHE-RSA-AES256-GCM-SHA384"), "ok ECDHE-RSA-AES256-GCM-SHA384") << list;
    // A suite DEFAULT would allow but the web server's five do not.
    EXPECT_NE(handshake(list, "ECDHE-RSA-CHACHA20-POLY1305").find("no shared cipher"), std::string::npos)
        << list;
  }
}

TEST_F(WebServer, ConfiguredListAppliesToTheWebServerToo) {
  EXPECT_EQ(handshake("ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305"),
            "ok ECDHE-RSA-CHACHA20-POLY1305");
  EXPECT_NE(handshake("ECDHE-RSA-CHACHA20-POLY1305", "AES128-SHA").find("no shared cipher"),
            std::string::npos);
}
