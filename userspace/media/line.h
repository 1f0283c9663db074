// SPDX-License-Identifier: Apache-2.0
// LineProxy: the media-security service of one phone line. The phone's own SIP user agent
// (unmodified: plain SIP, plain RTP) points its outbound proxy at 127.0.0.1:ua_port; the line
// sends what leaves the device to the line's proxy (Outbound_Proxy_n_, else Proxy_n_) from
// SIP_Port_n_, and secures it as cfg.xml says:
//  - a stateless proxy hop (RFC 3261 §16.11): its own Via with a branch derived from the
//    incoming one, Route entries naming it removed, Contact rewritten to the line's address
//    (in-dialog requests from the network come back to it and go to the UA's own Contact),
//    every message forwarded as it arrives, in order; nothing queued, nothing dropped but
//    unparseable text (logged);
//  - MediaSec (srtp::MediaSecNegotiator, per MediaSec_Request_n_ / MediaSec_Over_TLS_Only_n_):
//    its Security-* and option tags added to each request, responses fed to it; a 494 to a
//    REGISTER is answered by resending the REGISTER once with Security-Verify (the UA never sees
//    Security-* headers nor the 494);
//  - Auth_INVITE_n_: initial INVITEs from the network are challenged (sip::InviteAuthenticator)
//    before the UA sees them;
//  - media: every SDP offer/answer is rewritten (media_call.h): the network side is always
//    RTP/SAVP with SDES a=crypto from the key store (per call and m-line), plus
//    a=3ge2ae:requested when MediaSec is agreed; an offer from the network without a usable
//    a=crypto is refused with 488 (never plain media outside). Re-INVITE from the UA rekeys;
//    BYE, CANCEL and a failed initial INVITE wipe the call's keys.
// Transport toward the proxy per SIP_Transport_n_ (Auto = UDP: RFC 3263 without NAPTR):
//  - UDP from SIP_Port_n_ (the firewall's open SIP port);
//  - TCP or TLS: one connection to the proxy, opened when the line starts and again when a
//    message must go out after it closed; requests from the network come back over it (RFC 3261
//    §18 connection reuse), messages framed by Content-Length. TLS uses the project's TLS policy
//    (TlsApp::sip: TLS_Cipher_List, TLS >= 1.2, the CA file) and checks the proxy's name unless
//    TLS_Name_Validate_n_ = No (the chain is always verified): a proxy that fails it is refused —
//    the line reports the reason and nothing of the UA's SIP leaves.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/channel.h"
#include "config/phone_config.h"
#include "media/loop.h"
#include "media/relay.h"
#include "media/sip_edit.h"
#include "sip/invite_auth.h"
#include "sip/message.h"
#include "srtp/key_store.h"
#include "srtp/mediasec.h"
#include "tls/client.h"

namespace phonesec::media {

// The UA-facing port is SIP_Port_n_ + kUaPortOffset on 127.0.0.1; until the UA has sent
// anything, inbound requests go to 127.0.0.1:SIP_Port_n_ + kUaDefaultOffset.
inline constexpr int kUaPortOffset = 10000;
inline constexpr int kUaDefaultOffset = 10;
// Trusted roots for SIP over TLS unless the service is told otherwise (Debian's bundle).
inline constexpr const char* kDefaultCaFile = "/etc/ssl/certs/ca-certificates.crt";

// Offer order when the profile says nothing: GCM first (strongest, cheapest per packet), then
// AES_CM_128 with the 80- then 32-bit tag.
std::vector<srtp::Suite> default_suites();

struct LineSettings {
  int line = 1;  // 1-based
  config::LineConfig cfg;
  std::uint16_t rtp_min = 16384, rtp_max = 16482;
  std::vector<srtp::Suite> suites = default_suites();
  std::string tls_cipher_list;  // TLS_Cipher_List
  std::string ca_file = kDefaultCaFile;
  std::uint16_t ua_port = 0;          // 0: sip_port + kUaPortOffset
  std::uint16_t ua_default_port = 0;  // 0: sip_port + kUaDefaultOffset
  bool operator==(const LineSettings&) const = default;
};

// Settings of every line that runs: Line_Enable_n_ = Yes and a proxy configured.
std::vector<LineSettings> line_settings(const config::PhoneConfig& c, const std::vector<srtp::Suite>& suites,
                                        const std::string& ca_file = kDefaultCaFile);

struct Call;

class LineProxy : public Handler {
 public:
  // `changed` is called when the status changed (call up/down, MediaSec state).
  static Result<std::unique_ptr<LineProxy>> create(Loop& loop, LineSettings s, std::function<void()> changed);
  ~LineProxy() override;

  const LineSettings& settings() const { return s_; }
  Json status() const;
  void on_readable(int fd) override;

 private:
  LineProxy(Loop& loop, LineSettings s, std::function<void()> changed);
  void from_ua(const std::string& text, const Endpoint& src);
  void from_net(const std::string& text, const Endpoint& src);
  void ua_request(sip::Message m, const std::string& salt_suffix = "");
  void ua_response(sip::Message m);
  void net_request(sip::Message m, const Endpoint& src);
  void net_response(sip::Message m);
  void send_net(const Endpoint& to, std::string text);
  Status connect_stream();
  void read_stream();
  void drop_stream(std::string_view why);
  void send_ua(const Endpoint& to, std::string text);
  void end_call(const std::string& call_id, std::string_view why);
  // The call of that Call-ID, created (and status changed) on its first offer.
  Call& call(const std::string& call_id);
  Call* find_call(const std::string& call_id);

  Loop& loop_;
  LineSettings s_;
  std::function<void()> changed_;
  UniqueFd ua_sock_, net_sock_;
  config::SipTransport transport_ = config::SipTransport::UDP;  // never Auto
  HostPort proxy_hp_;
  std::optional<tls::TlsClientContext> tls_ctx_;
  std::unique_ptr<tls::Stream> stream_;  // TCP or TLS connection to the proxy
  tls::TlsSession* tls_ = nullptr;       // stream_ when it is TLS
  UniqueFd tcp_fd_;                      // owned here for TCP (TlsSession owns its own)
  int stream_fd_ = -1;
  std::string inbuf_;
  Endpoint proxy_, ua_addr_;
  HostPort net_hp_, ua_hp_;
  std::string proxy_text_, salt_, error_;
  std::string ua_contact_;  // the UA's own Contact URI (for requests from the network)
  srtp::MediaSecNegotiator neg_;
  std::optional<sip::InviteAuthenticator> auth_;
  PortRange ports_;
  srtp::KeyStore keys_;  // before calls_: relays hold references into it
  std::map<std::string, std::unique_ptr<Call>> calls_;
  std::deque<std::pair<std::string, sip::Message>> registers_;  // our branch -> the UA's REGISTER
  std::uint64_t sip_to_net_ = 0, sip_to_ua_ = 0, sip_dropped_ = 0, auth_challenges_ = 0;
  std::string last_suite_;
};

}  // namespace phonesec::media
