// SPDX-License-Identifier: Apache-2.0
// Fills AnyConnect login forms without a person: picks the tunnel group in the form's group
// list, puts the user name and password in their fields, and gives up (with a reason a
// person can act on) when the server asks twice for the password, does not offer the group,
// or wants something the phone cannot supply (token, SSO).
//
// libopenconnect has no "set group" call: the group is chosen in the form. Choosing it makes
// the server send the group's own form, so the first time the group is selected the filler
// returns NEWGROUP without submitting the password.
#pragma once

#include <openconnect.h>

#include <string>

#include "common/secure.h"

namespace phonesec::vpn {

class AuthFormFiller {
 public:
  AuthFormFiller(std::string user, const SecretString& password, std::string group)
      : user_(std::move(user)), password_(password), group_(std::move(group)) {}

  // One OC_FORM_RESULT_*: OK (submit), NEWGROUP (group selected, fetch its form), CANCELLED
  // (see failure()).
  int fill(oc_auth_form* form);

  // Why the last fill() cancelled; never holds the password.
  const std::string& failure() const { return failure_; }
  // The group name sent to the server ("" when the server offered no group list).
  const std::string& chosen_group() const { return chosen_; }
  int password_submissions() const { return submissions_; }

 private:
  int cancel(std::string why);

  std::string user_;
  const SecretString& password_;
  std::string group_;
  std::string chosen_;
  std::string failure_;
  bool group_selected_ = false;
  int submissions_ = 0;
};

}  // namespace phonesec::vpn
