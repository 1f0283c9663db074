// SPDX-License-Identifier: Apache-2.0
// EAP-TLS peer against an in-process EAP-TLS server (OpenSSL over memory BIOs, fragmenting its
// flights at 300 bytes while the peer fragments at 200): fragmentation both ways, ACKs, the
// MSK equal on both sides, and a server certificate from an unknown CA refused with a reason.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "dot1x/eap_tls.h"

namespace phonesec::dot1x {
namespace {

class Pki {
 public:
  Pki() {
    dir = std::filesystem::temp_directory_path() / ("pdx-unit-pki-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    auto sh = [&](const std::string& c) { ASSERT_EQ(std::system(("cd " + dir.string() + " && " + c + " 2>/dev/null").c_str()), 0) << c; };
    for (std::string ca : {"ca", "other"})
      sh("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + ca + ".key -out " + ca + ".pem -days 2 -subj /CN=" + ca +
         " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign");
    for (std::string n : {"server", "client"}) {
      sh("openssl req -newkey rsa:2048 -nodes -keyout " + n + ".key -out " + n + ".csr -subj /CN=" + n);
      sh("openssl x509 -req -in " + n + ".csr -CA ca.pem -CAkey ca.key -CAcreateserial -out " + n + ".pem -days 2");
    }
  }
  ~Pki() { std::filesystem::remove_all(dir); }
  std::string f(const std::string& n) const { return (dir / n).string(); }
  std::filesystem::path dir;
};

const Pki& pki() {
  static Pki p;
  return p;
}

// The server side of RFC 5216, just enough to drive the peer.
class Server {
 public:
  Server() {
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_set_max_proto_version(ctx_, TLS1_2_VERSION);
    SSL_CTX_use_certificate_file(ctx_, pki().f("server.pem").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_use_PrivateKey_file(ctx_, pki().f("server.key").c_str(), SSL_FILETYPE_PEM);
    SSL_CTX_load_verify_locations(ctx_, pki().f("ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    ssl_ = SSL_new(ctx_);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_accept_state(ssl_);
  }
  ~Server() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
  }
  // Runs the whole conversation; returns the last server packet (Success/Failure).
  EapCode run(EapTls& peer) {
    uint8_t id = 1;
    Bytes pkt = build_eap(EapCode::request, id, eap_type::tls, Bytes{tls_flags::start});
    Bytes from_peer;
    for (int guard = 0; guard < 100; ++guard) {
      auto req = parse_eap(pkt);
      EXPECT_TRUE(req);
      MethodRet ret;
      auto resp = peer.process(*req, ret);
      if (!resp) return EapCode::failure;
      last_state = ret.state;
      last_decision = ret.decision;
      auto r = parse_eap(*resp);
      EXPECT_TRUE(r);
      EXPECT_EQ(r->id, id);
      EXPECT_EQ(r->type, eap_type::tls);
      const uint8_t flags = r->data[0];
      ByteView payload = r->data.subspan(1 + ((flags & tls_flags::length_included) ? 4 : 0));
      ++id;
      if (!pending_.empty() && payload.empty()) {  // peer ACKed our fragment
        pkt = next_fragment(id);
        continue;
      }
      from_peer.insert(from_peer.end(), payload.begin(), payload.end());
      if (flags & tls_flags::more_fragments) {
        ++peer_fragments;
        pkt = build_eap(EapCode::request, id, eap_type::tls, Bytes{0});  // ACK
        continue;
      }
      if (from_peer.empty()) {  // final ACK after our Finished
        return SSL_is_init_finished(ssl_) ? EapCode::success : EapCode::failure;
      }
      BIO_write(in_, from_peer.data(), int(from_peer.size()));
      from_peer.clear();
      int hs = SSL_do_handshake(ssl_);
      char buf[8192];
      int n;
      while ((n = BIO_read(out_, buf, sizeof buf)) > 0) pending_.insert(pending_.end(), buf, buf + n);
      if (hs <= 0 && SSL_get_error(ssl_, hs) != SSL_ERROR_WANT_READ && pending_.empty()) return EapCode::failure;
      pending_total_ = pending_.size();
      pkt = next_fragment(id);
    }
    ADD_FAILURE() << "conversation did not end";
    return EapCode::failure;
  }
  SecretBytes msk() {
    SecretBytes k(64);
    SSL_export_keying_material(ssl_, k.data(), 64, "client EAP encryption", 21, nullptr, 0, 0);
    return k;
  }
  int server_fragments = 0, peer_fragments = 0;
  MethodState last_state = MethodState::none;
  Decision last_decision = Decision::fail;

 private:
  Bytes next_fragment(uint8_t id) {
    const size_t n = std::min<size_t>(300, pending_.size());
    const bool more = n < pending_.size();
    Bytes d{uint8_t(more ? tls_flags::more_fragments : 0)};
    if (pending_.size() == pending_total_ && more) {
      d[0] |= tls_flags::length_included;
      put_be32(d, uint32_t(pending_total_));
    }
    d.insert(d.end(), pending_.begin(), pending_.begin() + long(n));
    pending_.erase(pending_.begin(), pending_.begin() + long(n));
    if (more) ++server_fragments;
    return build_eap(EapCode::request, id, eap_type::tls, d);
  }
  SSL_CTX* ctx_;
  SSL* ssl_;
  BIO *in_, *out_;
  Bytes pending_;
  size_t pending_total_ = 0;
};

SslCtxPtr client_ctx(const std::string& ca) {
  TlsConfig c;
  c.ca_file = pki().f(ca);
  c.cert_file = pki().f("client.pem");
  c.key_file = pki().f("client.key");
  auto r = make_tls_context(c);
  EXPECT_TRUE(r) << r.error().message();
  return std::move(*r);
}

TEST(EapTls, HandshakeWithFragmentationBothWaysAndMatchingMsk) {
  auto ctx = client_ctx("ca.pem");
  EapTls peer(ctx.get(), "", 200);
  Server srv;
  EXPECT_EQ(srv.run(peer), EapCode::success);
  EXPECT_GE(srv.server_fragments, 3) << "server certificate flight split at 300 bytes";
  EXPECT_GE(srv.peer_fragments, 3) << "client certificate flight split at 200 bytes";
  EXPECT_EQ(srv.last_decision, Decision::cond_succ);
  EXPECT_EQ(srv.last_state, MethodState::done);
  ASSERT_TRUE(peer.key_available());
  SecretBytes a = peer.key(), b = srv.msk();
  ASSERT_EQ(a.size(), 64u);
  EXPECT_EQ(Bytes(a.view().begin(), a.view().end()), Bytes(b.view().begin(), b.view().end()));
  EXPECT_EQ(peer.reason(), "");
}

TEST(EapTls, ServerCertificateFromUnknownCaIsRefusedWithReason) {
  auto ctx = client_ctx("other.pem");
  EapTls peer(ctx.get(), "", 200);
  Server srv;
  EXPECT_EQ(srv.run(peer), EapCode::failure);
  EXPECT_FALSE(peer.key_available());
  // The server sends its CA along (OpenSSL auto-chain): that CA is the untrusted anchor.
  EXPECT_NE(peer.reason().find("server certificate rejected: self-signed certificate in certificate chain (depth 1, /CN=ca)"),
            std::string::npos)
      << peer.reason();
  EXPECT_EQ(srv.last_decision, Decision::fail);
}

TEST(EapTls, WrongServerNameIsRefused) {
  auto ctx = client_ctx("ca.pem");
  EapTls peer(ctx.get(), "radius.example.net", 200);
  Server srv;
  EXPECT_EQ(srv.run(peer), EapCode::failure);
  EXPECT_NE(peer.reason().find("hostname mismatch"), std::string::npos) << peer.reason();
}

TEST(EapTls, BadFilesAreNamed) {
  TlsConfig c;
  c.ca_file = "/nonexistent/ca.pem";
  auto r = make_tls_context(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("/nonexistent/ca.pem"), std::string::npos);
  c.ca_file = pki().f("ca.pem");
  c.cert_file = pki().f("client.pem");
  c.key_file = pki().f("server.key");
  r = make_tls_context(c);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("key values mismatch"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("server.key (for certificate " + pki().f("client.pem")), std::string::npos);
}

}  // namespace
}  // namespace phonesec::dot1x
