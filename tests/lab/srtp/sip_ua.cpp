// SPDX-License-Identifier: Apache-2.0
#include "sip_ua.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <stdexcept>

using phonesec::srtp::iequals;

namespace pss {
namespace {

std::string md5_hex(const std::string& s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_md5(), nullptr);
  static const char* h = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) { out += h[md[i] >> 4]; out += h[md[i] & 15]; }
  return out;
}

std::map<std::string, std::string> digest_params(std::string c) {
  std::map<std::string, std::string> m;
  auto sp = c.find(' ');
  c = c.substr(sp + 1);
  size_t i = 0;
  while (i < c.size()) {
    while (i < c.size() && (c[i] == ' ' || c[i] == ',')) ++i;
    size_t eq = c.find('=', i);
    if (eq == std::string::npos) break;
    std::string k = c.substr(i, eq - i);
    std::string v;
    size_t j = eq + 1;
    if (j < c.size() && c[j] == '"') {
      size_t e = c.find('"', j + 1);
      v = c.substr(j + 1, e - j - 1);
      j = e + 1;
    } else {
      size_t e = c.find(',', j);
      if (e == std::string::npos) e = c.size();
      v = c.substr(j, e - j);
      j = e;
    }
    m[k] = v;
    i = j;
  }
  return m;
}

std::optional<SipResponse> parse_response(const std::string& msg) {
  if (msg.rfind("SIP/2.0 ", 0) != 0) return std::nullopt;
  SipResponse r;
  r.status = std::atoi(msg.c_str() + 8);
  size_t hdr_end = msg.find("\r\n\r\n");
  std::string head = msg.substr(0, hdr_end);
  if (hdr_end != std::string::npos) r.body = msg.substr(hdr_end + 4);
  size_t pos = head.find("\r\n");
  while (pos != std::string::npos && pos < head.size()) {
    size_t next = head.find("\r\n", pos + 2);
    std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string v = line.substr(colon + 1);
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      r.headers.push_back({line.substr(0, colon), v});
    }
    pos = next;
  }
  return r;
}

}  // namespace

std::string random_token(std::size_t n) {
  static const char* a = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string s;
  unsigned char b[64];
  RAND_bytes(b, int(n));
  for (size_t i = 0; i < n; ++i) s += a[b[i] % 36];
  return s;
}

std::string SipResponse::header(std::string_view name) const {
  for (auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return "";
}

std::string digest_authorization(const std::string& challenge, const std::string& method, const std::string& uri,
                                 const std::string& user, const std::string& password) {
  auto p = digest_params(challenge);
  std::string ha1 = md5_hex(user + ":" + p["realm"] + ":" + password);
  std::string ha2 = md5_hex(method + ":" + uri);
  std::string v = "Digest username=\"" + user + "\", realm=\"" + p["realm"] + "\", nonce=\"" + p["nonce"] +
                  "\", uri=\"" + uri + "\", algorithm=MD5";
  if (p.count("qop")) {
    std::string cnonce = random_token(8), nc = "00000001";
    std::string resp = md5_hex(ha1 + ":" + p["nonce"] + ":" + nc + ":" + cnonce + ":auth:" + ha2);
    v += ", qop=auth, nc=" + nc + ", cnonce=\"" + cnonce + "\", response=\"" + resp + "\"";
  } else {
    v += ", response=\"" + md5_hex(ha1 + ":" + p["nonce"] + ":" + ha2) + "\"";
  }
  if (p.count("opaque")) v += ", opaque=\"" + p["opaque"] + "\"";
  return v;
}

SipUa::SipUa(std::uint16_t local_port, std::uint16_t remote_port, std::string user, UaTransport t)
    : local_(local_port), remote_(remote_port), user_(std::move(user)), transport_(t) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (t == UaTransport::udp) {
    fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    a.sin_port = htons(local_);
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("SipUa bind");
    return;
  }
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  a.sin_port = htons(local_);
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("SipUa bind");
  a.sin_port = htons(remote_);
  bool connected = false;
  for (int i = 0; i < 50 && !connected; ++i) {  // the relay may still be starting
    connected = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    if (!connected) usleep(100000);
  }
  if (!connected) throw std::runtime_error("SipUa: TLS peer not reachable");
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL* ssl = SSL_new(ctx);
  SSL_set_fd(ssl, fd_);
  ctx_ = ctx;
  ssl_ = ssl;
  if (SSL_connect(ssl) != 1) throw std::runtime_error("SipUa: TLS handshake failed");
}

SipUa::~SipUa() {
  if (ssl_) {
    SSL_shutdown(static_cast<SSL*>(ssl_));
    SSL_free(static_cast<SSL*>(ssl_));
  }
  if (ctx_) SSL_CTX_free(static_cast<SSL_CTX*>(ctx_));
  if (fd_ >= 0) close(fd_);
}

bool SipUa::tls_version(std::string& v) const {
  if (!ssl_) return false;
  v = SSL_get_version(static_cast<SSL*>(ssl_));
  return true;
}

void SipUa::write(const std::string& m) {
  if (transport_ == UaTransport::tls) {
    SSL_write(static_cast<SSL*>(ssl_), m.data(), int(m.size()));
    return;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(remote_);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sendto(fd_, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
}

std::optional<std::string> SipUa::read_message(int ms) {
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (;;) {
    if (transport_ == UaTransport::tls) {
      // Stream: a message is complete at CRLFCRLF + Content-Length bytes.
      size_t he = inbuf_.find("\r\n\r\n");
      if (he != std::string::npos) {
        size_t cl = 0;
        size_t p = inbuf_.find("\r\nContent-Length:");
        if (p != std::string::npos && p < he) cl = std::strtoul(inbuf_.c_str() + p + 17, nullptr, 10);
        if (inbuf_.size() >= he + 4 + cl) {
          std::string m = inbuf_.substr(0, he + 4 + cl);
          inbuf_.erase(0, he + 4 + cl);
          return m;
        }
      }
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()).count();
    if (left <= 0) return std::nullopt;
    bool pending = ssl_ && SSL_pending(static_cast<SSL*>(ssl_)) > 0;
    pollfd p{fd_, POLLIN, 0};
    if (!pending && poll(&p, 1, int(std::min<long long>(left, 50))) <= 0) continue;
    char buf[65536];
    if (transport_ == UaTransport::udp) {
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n > 0) return std::string(buf, size_t(n));
    } else {
      int n = SSL_read(static_cast<SSL*>(ssl_), buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      inbuf_.append(buf, size_t(n));
    }
  }
}

std::string SipUa::request_uri(const std::string& method) const {
  return method == "REGISTER" ? "sip:127.0.0.1:" + std::to_string(remote_)
                              : "sip:bob@127.0.0.1:" + std::to_string(remote_);
}

std::string SipUa::build(const SipRequest& r, const std::string& branch) const {
  const std::string me = "127.0.0.1:" + std::to_string(local_);
  const bool reg = r.method == "REGISTER";
  std::string to = reg ? "<sip:" + user_ + "@ms.test>" : "<sip:bob@ms.test>";
  if (!r.to_tag.empty()) to += ";tag=" + r.to_tag;
  std::string m = r.method + " " + request_uri(r.method) + " SIP/2.0\r\n";
  m += std::string("Via: SIP/2.0/") + (transport_ == UaTransport::tls ? "TLS " : "UDP ") + me + ";branch=" + branch + "\r\n";
  m += "From: <sip:" + user_ + "@ms.test>;tag=" + r.from_tag + "\r\n";
  m += "To: " + to + "\r\n";
  m += "Call-ID: " + r.call_id + "\r\n";
  m += "CSeq: " + std::to_string(r.cseq) + " " + r.method + "\r\n";
  m += "Contact: <sip:" + user_ + "@" + me + ">\r\n";
  m += "Max-Forwards: 70\r\n";
  if (reg) m += "Expires: 600\r\n";
  for (auto& h : r.extra) m += h.name + ": " + h.value + "\r\n";
  if (!r.body.empty()) m += "Content-Type: application/sdp\r\n";
  m += "Content-Length: " + std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
  return m;
}

void SipUa::send(const SipRequest& r) { write(build(r, "z9hG4bK" + random_token())); }

std::optional<SipResponse> SipUa::transact(const SipRequest& r, int timeout_ms) {
  std::string m = build(r, "z9hG4bK" + random_token());
  auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool sent = false, provisional = false;
  while (std::chrono::steady_clock::now() < end) {
    // UDP retransmits every 500 ms until a provisional response; TLS sends once.
    if (!sent || (transport_ == UaTransport::udp && !provisional)) write(m);
    sent = true;
    auto slice = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    while (std::chrono::steady_clock::now() < slice) {
      auto msg = read_message(100);
      if (!msg) continue;
      auto resp = parse_response(*msg);
      if (!resp) continue;
      auto cseq = resp->header("CSeq");
      if (cseq.find(r.method) == std::string::npos || std::atoi(cseq.c_str()) != int(r.cseq)) continue;
      if (resp->status < 200) { provisional = true; continue; }
      return resp;
    }
  }
  return std::nullopt;
}

}  // namespace pss
