// SPDX-License-Identifier: Apache-2.0
#include "vpn/auth_form.h"

#include <strings.h>

#include "common/log.h"

namespace phonesec::vpn {
namespace {

bool same(const char* a, const std::string& b) { return a && strcasecmp(a, b.c_str()) == 0; }

std::string server_text(const oc_auth_form* f) {
  std::string s;
  if (f->error && *f->error) s = f->error;
  if (f->message && *f->message) s += (s.empty() ? "" : " / ") + std::string(f->message);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

bool is_user_field(const oc_form_opt* o) {
  return same(o->name, "username") || same(o->name, "user") || same(o->name, "login");
}

}  // namespace

int AuthFormFiller::cancel(std::string why) {
  failure_ = std::move(why);
  return OC_FORM_RESULT_CANCELLED;
}

int AuthFormFiller::fill(oc_auth_form* form) {
  // 1. The tunnel group.
  if (oc_form_opt_select* g = form->authgroup_opt; g && g->nr_choices > 0) {
    int idx = -1;
    std::string offered;
    for (int i = 0; i < g->nr_choices; ++i) {
      const oc_choice* c = g->choices[i];
      offered += (i ? ", " : "") + std::string(c->name ? c->name : "?");
      if (!group_.empty() && (same(c->name, group_) || same(c->label, group_))) idx = i;
    }
    if (group_.empty()) {
      idx = form->authgroup_selection >= 0 && form->authgroup_selection < g->nr_choices ? form->authgroup_selection : 0;
    } else if (idx < 0) {
      return cancel("tunnel group '" + group_ + "' is not offered by the server (offered: " + offered + ")");
    }
    if (openconnect_set_option_value(&g->form, g->choices[idx]->name) != 0)
      return cancel("tunnel group '" + group_ + "' could not be selected");
    form->authgroup_selection = idx;
    chosen_ = g->choices[idx]->name;
    if (!group_selected_) {
      group_selected_ = true;
      log::debug("vpn", "tunnel group '", chosen_, "' selected; fetching its form");
      return OC_FORM_RESULT_NEWGROUP;
    }
  } else if (!group_.empty() && !group_selected_) {
    group_selected_ = true;  // warn once
    log::warn("vpn", "the server offers no tunnel group list; VPN_Tunnel_Group '", group_, "' is not used");
  }

  // 2. The fields.
  bool has_user_field = false;
  for (oc_form_opt* o = form->opts; o; o = o->next)
    if (o->type == OC_FORM_OPT_TEXT && is_user_field(o)) has_user_field = true;
  bool user_done = false, asks_password = false;
  for (oc_form_opt* o = form->opts; o; o = o->next) {
    if (o->flags & OC_FORM_OPT_IGNORE) continue;
    switch (o->type) {
      case OC_FORM_OPT_TEXT:
        if (!user_done && (!has_user_field || is_user_field(o))) {
          if (openconnect_set_option_value(o, user_.c_str()) != 0) return cancel("out of memory filling the login form");
          user_done = true;
        }
        break;
      case OC_FORM_OPT_PASSWORD:
        asks_password = true;
        if (submissions_ > 0) {
          std::string srv = server_text(form);
          return cancel("server rejected the credentials of user '" + user_ + "'" +
                        (chosen_.empty() ? "" : " in tunnel group '" + chosen_ + "'") +
                        (srv.empty() ? "" : " (server: " + srv + ")"));
        }
        if (openconnect_set_option_value(o, password_.reveal().c_str()) != 0)
          return cancel("out of memory filling the login form");
        break;
      case OC_FORM_OPT_SELECT:
      case OC_FORM_OPT_HIDDEN:
        break;  // group handled above; other lists keep the server's default
      default:
        return cancel(std::string("server asks for '") + (o->label ? o->label : o->name ? o->name : "?") +
                      "', which the phone cannot supply (token or single sign-on)");
    }
  }
  if (asks_password) ++submissions_;
  return OC_FORM_RESULT_OK;
}

}  // namespace phonesec::vpn
