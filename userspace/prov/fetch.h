// SPDX-License-Identifier: Apache-2.0
// The provisioning HTTP(S)/TFTP client (libcurl): profile, upgrade, report and CA downloads.
// Order of a fetch:
//   1. Restricted_Access_Domains: a host outside the list is refused before anything is
//      resolved or connected (and the failure message goes to syslog).
//   2. Proxy choices (Off / Manual / PAC), tried in order; with a proxy the proxy resolves.
//   3. Direct: the host's A records, tried one by one (CURLOPT_RESOLVE pins each address)
//      until a server answers; a record that refuses or times out the connection is skipped.
//      When none answers, the failure message names every address.
// Each attempt logs the request message, the end logs success or failure (Log_*_Msg).
// HTTPS: libcurl makes the connection (proxy tunnel, HTTP), userspace/tls sets up every
// handshake (tls/external.h, through CURLOPT_SSL_CTX_FUNCTION) exactly as for the phone's other
// TLS clients: TLS 1.2 minimum, the cipher list of FetchOptions::tls_policy (TLS_Cipher_List,
// else the application's seed default), trust in ca_file (empty: the system store) plus
// custom_ca_file, the device certificate presented when installed, and the server identity
// rule of the application: provisioning and Custom_CA_Rule accept "CN=fqdn/…" and check the
// address connected to against the DNS of that name (not through a proxy: the phone never
// learns the server's address there); upgrades and reports check SAN, then CN. libcurl's own
// host-name check is off (it does not know the CN=fqdn/ form); ours runs inside the handshake.
// A TLS failure is an answer (the next address is not tried) and its message names the reason:
// "Profile_Rule: TLS handshake with prov.test:443 failed: no shared cipher (TLS_Cipher_List
// 'AES128-SHA'; …)".
// Redirects are not followed (a redirect could leave the restricted domains).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "prov/domains.h"
#include "prov/proxy.h"
#include "common/resolver.h"
#include "prov/rule_url.h"
#include "prov/syslog.h"
#include "tls/apps.h"
#include "tls/cipher_list.h"
#include "tls/client_cert.h"

namespace phonesec::prov {

struct FetchOptions {
  std::string ca_file;  // trusted roots for HTTPS (PEM); empty = the system store
  long connect_timeout_ms = 3000;
  long timeout_ms = 20000;
  ProvOp op = ProvOp::resync;  // which syslog messages
  // The TLS policy (build it from cfg.xml: tls::TlsPolicy(tls::tls_policy_options(cfg))).
  // Default: no TLS_Cipher_List, each application's seed default.
  tls::TlsPolicy tls_policy = tls::TlsPolicy();
  // Which TLS application's rules apply; default: firmware_upgrade when op is upgrade, else
  // provisioning. Custom_CA_Rule: client_ca_provisioning; Report_Rule: report_upload.
  std::optional<tls::TlsApp> tls_app;
  // The device certificate, presented when a server asks — when both files exist ($CCERT
  // "Installed"/generic); files that exist but do not load fail the HTTPS fetch.
  std::optional<tls::ClientCertFiles> device_cert;
  std::string custom_ca_file;  // the CA Custom_CA_Rule installed, trusted too when set
};

struct FetchResult {
  long status = 0;  // HTTP status (0 for TFTP)
  std::string body;
  std::string server_ip;  // the address that answered (the proxy's when proxied)
  std::string tls_version, tls_cipher;  // HTTPS: what the handshake agreed ("" otherwise)
};

class Fetcher {
 public:
  Fetcher(DomainPolicy policy, const Resolver& resolver, const ProvisioningLog* log, const ProxyChooser* proxy,
          FetchOptions o = {});
  // `what` names the rule for messages ("Profile_Rule_B"). Errc::auth when refused by the
  // domain policy or a certificate/identity check, Errc::not_found when the name does not
  // resolve, Errc::io when no server answered or the server answered with an error status,
  // Errc::crypto for a TLS handshake that failed otherwise (no shared cipher, protocol).
  Result<FetchResult> fetch(const RuleUrl& url, std::string_view what) const;
  Result<FetchResult> fetch(std::string_view rule, std::string_view what) const;

 private:
  Result<FetchResult> attempt(const RuleUrl& url, const std::string& pin_ip, const ProxyChoice& proxy,
                              const tls::ClientIdentity* device, bool& answered) const;
  tls::TlsApp tls_app() const;
  Result<FetchResult> fail(RequestInfo r, Error e) const;
  DomainPolicy policy_;
  const Resolver& resolver_;
  const ProvisioningLog* log_;
  const ProxyChooser* proxy_;
  FetchOptions o_;
};

}  // namespace phonesec::prov
