// SPDX-License-Identifier: Apache-2.0
// phonesec-prov: the provisioning rules from the command line.
//   audit  --config cfg.xml                       rules and line proxies refused by Restricted_Access_Domains
//   fetch  --config cfg.xml (--rule NAME | --url URL) [--server URL] [--ca FILE] [--resolve host=ip,ip]…
//          [--cert FILE --key FILE] [--custom-ca FILE] [--out FILE] [--upgrade] [--mac MAC]
//          [--product PN] [--wpad-url URL] [--domain D]
//          HTTPS with cfg.xml's TLS policy (TLS_Cipher_List), the device certificate when given.
//   dhcp   --iface IF [--v6] [--config cfg.xml] [--timeout-ms N]
//   pac    --pac FILE --url URL [--resolve host=ip,ip]… [--my-ip IP]
//   run    --config cfg.xml [--run-dir DIR] [--iface IF] [--incoming-dir DIR] [--ca FILE] …
//          the provisioning worker on its own (run.h); status and events as JSON lines
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/args.h"
#include "config/phone_config.h"
#include "prov/dhcp_client.h"
#include "prov/domains.h"
#include "prov/fetch.h"
#include "prov/pac.h"
#include "common/secure.h"
#include "tls/from_config.h"
#include "run.h"

using namespace phonesec;
using namespace phonesec::prov;
using cli::Args;
using cli::Command;

namespace {

Result<config::PhoneConfig> load(const Args& a) {
  if (!a.has("config")) return config::PhoneConfig{};
  auto r = config::load_file(a.get("config"));
  if (!r) return r.error();
  for (const auto& d : r->diagnostics) std::cerr << d.to_string() << "\n";
  return r->config;
}

std::unique_ptr<Resolver> resolver(const Args& a) {
  if (!a.has("resolve")) return std::make_unique<SystemResolver>(AddressFamily::ipv4);
  HostTable t;
  for (const auto& v : a.all("resolve")) {
    auto eq = v.find('=');
    if (eq == std::string::npos) continue;
    std::stringstream ss(v.substr(eq + 1));
    for (std::string ip; std::getline(ss, ip, ',');) t[v.substr(0, eq)].push_back(ip);
  }
  return std::make_unique<StaticResolver>(std::move(t));
}

int fail(const std::string& cmd, const Error& e) {
  std::cerr << "phonesec-prov " << cmd << ": " << e.message() << "\n";
  return 1;
}

int audit_cmd(const Args& a) {
  auto c = load(a);
  if (!c) return fail("audit", c.error());
  auto refused = audit(*c);
  for (const auto& r : refused) std::cout << r.param << ": " << r.reason << "\n";
  if (refused.empty()) std::cout << "no refusal\n";
  return refused.empty() ? 0 : 1;
}

int fetch_cmd(const Args& a) {
  auto c = load(a);
  if (!c) return fail("fetch", c.error());
  std::string what = a.has("rule") ? a.get("rule") : "URL";
  std::string rule = a.get("url");
  if (a.has("rule")) {
    rule.clear();
    for (const auto& [name, v] : provisioning_rules(*c))
      if (name == what) rule = v;
    if (rule.empty())
      return fail("fetch", make_error(Errc::invalid_argument, what + ": empty or unknown rule"));
  }
  DeviceInfo dev;
  dev.product_name = a.get("product");
  dev.mac = a.get("mac");
  std::optional<tls::ClientCertFiles> device;
  if (a.has("cert") || a.has("key")) device = tls::ClientCertFiles{a.get("cert"), a.get("key"), {}};
  dev.client_cert_installed = tls::unique_client_cert_installed(device ? &*device : nullptr, dev.mac);
  MacroTable macros = macro_table(dev, {});
  auto url = parse_rule_url(expand(rule, macros));
  if (!url) return fail("fetch", url.error());
  if (url->relative()) {
    if (!a.has("server"))
      return fail("fetch", make_error(Errc::invalid_argument, what + ": relative rule needs --server"));
    auto full = complete_rule(*url, a.get("server"));
    if (!full) return fail("fetch", full.error());
    url = *full;
  }
  std::unique_ptr<SyslogSender> sender;
  if (!c->syslog.server.empty()) {
    auto s = SyslogSender::open(c->syslog.server);
    if (!s) return fail("fetch", s.error());
    sender = std::make_unique<SyslogSender>(std::move(*s));
  }
  ProvisioningLog log(c->syslog, dev, sender.get());
  auto res = resolver(a);
  FetchOptions o;
  o.ca_file = a.get("ca");
  o.op = a.has("upgrade") ? ProvOp::upgrade : ProvOp::resync;
  o.tls_policy = tls::TlsPolicy(tls::tls_policy_options(*c));
  o.device_cert = device;
  o.custom_ca_file = a.get("custom-ca");
  if (what == "Custom_CA_Rule") o.tls_app = tls::TlsApp::client_ca_provisioning;
  if (what == "Report_Rule") o.tls_app = tls::TlsApp::report_upload;
  Fetcher plain(DomainPolicy{}, *res, nullptr, nullptr, o);
  auto chooser = make_proxy_chooser(c->http_proxy, {a.get("wpad-url"), a.get("domain")}, plain, *res, "");
  if (!chooser) return fail("fetch", chooser.error());
  Fetcher f(DomainPolicy(c->prov.restricted_access_domains), *res, &log, chooser->get(), o);
  auto r = f.fetch(*url, what);
  if (!r) return fail("fetch", r.error());
  std::cerr << what << ": " << url->to_string() << " from " << r->server_ip << " status " << r->status << ", "
            << r->body.size() << " bytes" << (r->tls_version.empty() ? "" : ", " + r->tls_version + " " + r->tls_cipher)
            << "\n";
  if (a.has("out"))
    std::ofstream(a.get("out"), std::ios::binary) << r->body;
  else
    std::cout << r->body;
  return 0;
}

int dhcp_cmd(const Args& a) {
  auto c = load(a);
  if (!c) return fail("dhcp", c.error());
  bool v6 = a.has("v6");
  std::vector<int> order = v6 ? c->prov.dhcpv6_options : c->prov.dhcp_options;
  std::vector<int> request = order;
  if (!v6) request.push_back(252);
  char* end = nullptr;
  long ms = std::strtol(a.get("timeout-ms").c_str(), &end, 10);
  if (!end || *end || ms <= 0 || ms > 600000)
    return fail("dhcp", make_error(Errc::invalid_argument, "--timeout-ms: '" + a.get("timeout-ms") + "' is not 1-600000"));
  if (!a.has("iface")) return fail("dhcp", make_error(Errc::invalid_argument, "--iface is required"));
  auto r = dhcp_query(a.get("iface"), v6, request, int(ms));
  if (!r) return fail("dhcp", r.error());
  for (int o : order)
    if (auto u = source_from_option(*r, o)) std::cout << "option " << o << ": " << *u << "\n";
  if (auto w = wpad_url(*r)) std::cout << "option 252 (WPAD): " << *w << "\n";
  auto s = choose_source(*r, order);
  if (!s) {
    std::cout << "no provisioning source in the configured options\n";
    return 1;
  }
  std::cout << "source: option " << s->option << " " << s->url << "\n";
  return 0;
}

int pac_cmd(const Args& a) {
  std::ifstream in(a.get("pac"));
  if (!in) return fail("pac", make_error(Errc::io, "cannot read '" + a.get("pac") + "'"));
  std::string src((std::istreambuf_iterator<char>(in)), {});
  auto res = resolver(a);
  auto s = PacScript::load(src, *res, a.get("my-ip"));
  if (!s) return fail("pac", s.error());
  auto u = parse_rule_url(a.get("url"));
  if (!u) return fail("pac", u.error());
  auto r = (*s)->find_proxy(u->to_string(), u->host);
  if (!r) return fail("pac", r.error());
  std::cout << *r << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!phonesec::no_core_dumps()) std::perror("phonesec-prov: cannot keep secrets out of core dumps");
  const cli::OptionSpec config{"config", "cfg.xml to read (factory profile without it)"};
  const cli::OptionSpec resolve{"resolve", "host=ip[,ip…]: use these A records instead of DNS", true, true};
  std::vector<Command> cmds{
      {"audit", "list the rules and line proxies Restricted_Access_Domains refuses", {config}, audit_cmd},
      {"fetch",
       "download a provisioning rule's file with the domain, proxy and syslog settings of cfg.xml",
       {config,
        {"rule", "Profile_Rule, Profile_Rule_B…, Upgrade_Rule, Report_Rule, Custom_CA_Rule"},
        {"url", "a URL instead of a rule"},
        {"server", "server for a relative rule (as a DHCP option gives it)"},
        {"ca", "trusted CA file for HTTPS (default: the system store)"},
        {"custom-ca", "a further trusted CA (what Custom_CA_Rule installed)"},
        {"cert", "device certificate (PEM) presented to HTTPS servers that ask"},
        {"key", "its private key (PEM)"},
        resolve,
        {"out", "write the body here instead of stdout"},
        {"upgrade", "use the upgrade syslog messages", false},
        {"mac", "device MAC for $MA/$MAU/$MAC"},
        {"product", "product name for $PN", true, false, "phonesec"},
        {"wpad-url", "WPAD URL from DHCP option 252 (Proxy_Mode Auto)"},
        {"domain", "domain for WPAD DNS discovery"}},
       fetch_cmd},
      {"dhcp",
       "ask DHCP (or DHCPv6 with --v6) on an interface for the provisioning options, in cfg.xml's order",
       {{"iface", "interface"},
        {"v6", "DHCPv6", false},
        config,
        {"timeout-ms", "wait this long", true, false, "4000"}},
       dhcp_cmd},
      {"pac",
       "evaluate a PAC file for a URL",
       {{"pac", "PAC file"}, {"url", "URL"}, resolve, {"my-ip", "myIpAddress()"}},
       pac_cmd},
      {"run",
       "run the provisioning worker: DHCP lease files, Profile_Rule…_D resyncs on schedule; JSON lines out",
       phonesec::prov_app::run_options(), phonesec::prov_app::run_cmd},
  };
  auto usage = [&] {
    std::cout << "usage: phonesec-prov <command> [options]\n\ncommands:\n";
    for (const auto& c : cmds)
      std::cout << "  " << c.name << std::string(8 - c.name.size(), ' ') << c.help << "\n";
    std::cout << "\n'phonesec-prov help <command>' lists a command's options.\n";
  };
  std::string first = argc > 1 ? argv[1] : "";
  if (first == "help" || first == "--help") {
    for (const auto& c : cmds)
      if (argc > 2 && c.name == argv[2]) {
        cli::print_command_help(c);
        return 0;
      }
    usage();
    return 0;
  }
  for (const auto& c : cmds) {
    if (c.name != first) continue;
    Args a;
    if (!cli::parse_args(c, argc, argv, 2, a)) return 2;
    return c.handler(a);
  }
  usage();
  return 2;
}
