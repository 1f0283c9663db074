// SPDX-License-Identifier: Apache-2.0
// Untrusted text the VPN client handles: VPN_Server from a provisioned profile, split routes
// and netmasks pushed by the gateway, libopenconnect's log lines, and login forms shaped by
// the server (built here from the bytes). Invariants: a VPN_Server that is accepted gives a
// URL that is accepted again unchanged; routes have a prefix of 0-32 that round-trips through
// its mask; redacted lines never hold the secret; the form filler puts the password only in
// password fields and never into a failure message.
#include <openconnect.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/log.h"
#include "vpn/auth_form.h"
#include "vpn/netlink.h"
#include "vpn/redact.h"
#include "vpn/settings.h"

using namespace phonesec;
using namespace phonesec::vpn;

namespace {

const std::string kSecret = "Pw-9f3Kq";

void check_server(const std::string& in) {
  config::VpnConfig c;
  c.server = in;
  c.user_name.assign(1, 'u');
  auto s = settings_from(c);
  if (!s) {
    if (s.error().code != Errc::invalid_argument || s.error().message().empty()) std::abort();
    return;
  }
  if (s->url.rfind("https://", 0) != 0 || s->host.empty()) std::abort();
  c.server = s->url;
  auto again = settings_from(c);
  if (!again || again->url != s->url || again->host != s->host) std::abort();
}

void check_route(const std::string& in) {
  auto r = parse_route(in);
  if (r) {
    if (r->prefixlen > 32) std::abort();
    auto back = mask_to_prefix(prefix_to_mask(r->prefixlen));
    if (!back || *back != r->prefixlen) std::abort();
  }
  auto m = mask_to_prefix(in);
  if (m && prefix_to_mask(*m) != in) {
    // Accepted masks are dotted quads; leading zeros would not round-trip textually.
    auto again = mask_to_prefix(prefix_to_mask(*m));
    if (!again || *again != *m) std::abort();
  }
}

void check_redact(const std::string& in) {
  std::string line = in + kSecret + in;
  std::string out = redact(line, {&kSecret});
  if (out.find(kSecret) != std::string::npos) std::abort();
}

// Bytes -> a login form: [ngroups][selected] then per field [type][name index].
void check_form(const uint8_t* d, size_t n) {
  if (n < 2) return;
  static const char* kNames[] = {"username", "password", "group_list", "secondary_password", "domain", "answer", "user", ""};
  static const char* kGroups[] = {"voice", "data", "Voice Phones", "", "full"};
  std::vector<oc_choice> choices;
  std::vector<oc_choice*> cptrs;
  int ng = d[0] % 6;
  for (int i = 0; i < ng; ++i) choices.push_back(oc_choice{(char*)kGroups[i % 5], (char*)kGroups[(i + 2) % 5]});
  for (auto& c : choices) cptrs.push_back(&c);
  oc_form_opt_select group{};
  oc_auth_form form{};
  std::vector<std::unique_ptr<oc_form_opt>> opts;
  oc_form_opt* last = nullptr;
  auto link = [&](oc_form_opt* o) {
    if (last) last->next = o;
    else form.opts = o;
    last = o;
  };
  if (ng > 0) {
    group.form.type = OC_FORM_OPT_SELECT;
    group.form.name = (char*)"group_list";
    group.nr_choices = ng;
    group.choices = cptrs.data();
    form.authgroup_opt = &group;
    form.authgroup_selection = d[1] % (ng + 1) - (d[1] & 0x80 ? 1 : 0);
    link(&group.form);
  }
  for (size_t i = 2; i + 1 < n && opts.size() < 8; i += 2) {
    auto o = std::make_unique<oc_form_opt>();
    o->type = 1 + d[i] % 7;
    o->name = (char*)kNames[d[i + 1] % 8];
    o->label = o->name;
    if (o->type == OC_FORM_OPT_SELECT) o->type = OC_FORM_OPT_HIDDEN;  // a select needs choices
    link(o.get());
    opts.push_back(std::move(o));
  }
  SecretString pw(kSecret);
  AuthFormFiller filler("alice", pw, (d[1] & 1) ? "data" : "");
  for (int round = 0; round < 3; ++round) {
    int r = filler.fill(&form);
    if (r != OC_FORM_RESULT_OK && r != OC_FORM_RESULT_NEWGROUP && r != OC_FORM_RESULT_CANCELLED) std::abort();
    if (filler.failure().find(kSecret) != std::string::npos) std::abort();
    for (auto& o : opts) {
      if (o->_value && std::strcmp(o->_value, kSecret.c_str()) == 0 && o->type != OC_FORM_OPT_PASSWORD) std::abort();
      if (o->type == OC_FORM_OPT_TEXT || o->type == OC_FORM_OPT_PASSWORD) {
        std::free(o->_value);
      }
      o->_value = nullptr;
    }
    if (r == OC_FORM_RESULT_CANCELLED) break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  log::set_level(log::Level::error);  // the filler's warnings, a million times over
  std::string in(reinterpret_cast<const char*>(data), size);
  check_server(in);
  check_route(in);
  check_redact(in);
  check_form(data, size);
  return 0;
}
