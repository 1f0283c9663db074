// SPDX-License-Identifier: Apache-2.0
// The login-form filler on forms shaped like ocserv's and ASA's (libopenconnect's structs,
// built by hand).
#include "vpn/auth_form.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <vector>

namespace phonesec::vpn {
namespace {

// An AnyConnect login form: optional group list, then the given fields.
class Form {
 public:
  explicit Form(std::vector<std::pair<const char*, const char*>> groups, int selected = 0) {
    for (auto& [name, label] : groups) choices_.push_back(std::make_unique<oc_choice>(oc_choice{(char*)name, (char*)label}));
    for (auto& c : choices_) choice_ptrs_.push_back(c.get());
    if (!choices_.empty()) {
      group_.form.type = OC_FORM_OPT_SELECT;
      group_.form.name = (char*)"group_list";
      group_.form.label = (char*)"GROUP:";
      group_.nr_choices = int(choice_ptrs_.size());
      group_.choices = choice_ptrs_.data();
      form_.authgroup_opt = &group_;
      form_.authgroup_selection = selected;
      add(&group_.form);
    }
  }
  Form(const Form&) = delete;  // the structs point into the object
  Form& operator=(const Form&) = delete;
  ~Form() {
    for (auto& o : opts_)
      if (o->type == OC_FORM_OPT_TEXT || o->type == OC_FORM_OPT_PASSWORD) std::free(o->_value);
  }
  Form& field(int type, const char* name, const char* label = "") {
    owned_.push_back(std::make_unique<oc_form_opt>());
    oc_form_opt* o = owned_.back().get();
    o->type = type;
    o->name = (char*)name;
    o->label = (char*)label;
    add(o);
    return *this;
  }
  oc_form_opt* get(const char* name) {
    for (auto* o : opts_)
      if (std::string(o->name) == name) return o;
    return nullptr;
  }
  std::string value(const char* name) {
    auto* o = get(name);
    return o && o->_value ? o->_value : "";
  }
  oc_auth_form* operator->() { return &form_; }
  oc_auth_form* ptr() { return &form_; }
  // The server's reply to a refused login.
  void set_error(const char* e) { form_.error = (char*)e; }

 private:
  void add(oc_form_opt* o) {
    if (!opts_.empty()) opts_.back()->next = o;
    else form_.opts = o;
    opts_.push_back(o);
  }
  std::vector<std::unique_ptr<oc_choice>> choices_;
  std::vector<oc_choice*> choice_ptrs_;
  std::vector<std::unique_ptr<oc_form_opt>> owned_;
  std::vector<oc_form_opt*> opts_;
  oc_form_opt_select group_{};
  oc_auth_form form_{};
};

const SecretString kPw("S3cret-pw");

// ocserv's form with select-group = voice[Voice Phones], data[Data Users].
struct OcservForm : Form {
  OcservForm() : Form({{"voice", "Voice Phones"}, {"data", "Data Users"}}) {
    field(OC_FORM_OPT_TEXT, "username", "Username:").field(OC_FORM_OPT_PASSWORD, "password", "Password:");
  }
};

TEST(VpnAuthForm, SelectsTheGroupOnceThenFillsCredentials) {
  AuthFormFiller filler("alice", kPw, "data");
  {
    OcservForm f;
    EXPECT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_NEWGROUP);
    EXPECT_EQ(f.value("group_list"), "data");
    EXPECT_EQ(f->authgroup_selection, 1);
    EXPECT_EQ(f.value("password"), "") << "no password before the group's own form";
  }
  {
    OcservForm f;  // the group's form
    EXPECT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_OK);
    EXPECT_EQ(f.value("group_list"), "data");
    EXPECT_EQ(f.value("username"), "alice");
    EXPECT_EQ(f.value("password"), "S3cret-pw");
  }
  EXPECT_EQ(filler.chosen_group(), "data");
  EXPECT_EQ(filler.password_submissions(), 1);
}

TEST(VpnAuthForm, GroupMatchesByLabelCaseInsensitively) {
  AuthFormFiller filler("alice", kPw, "voice phones");
  OcservForm f;
  EXPECT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_NEWGROUP);
  EXPECT_EQ(f.value("group_list"), "voice");
  EXPECT_EQ(filler.chosen_group(), "voice");
}

TEST(VpnAuthForm, GroupNotOfferedCancelsWithTheList) {
  AuthFormFiller filler("alice", kPw, "sales");
  OcservForm f;
  EXPECT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_CANCELLED);
  EXPECT_EQ(filler.failure(), "tunnel group 'sales' is not offered by the server (offered: voice, data)");
  EXPECT_EQ(f.value("password"), "");
}

TEST(VpnAuthForm, NoConfiguredGroupTakesTheServersDefault) {
  AuthFormFiller filler("alice", kPw, "");
  Form f({{"voice", "Voice Phones"}, {"data", "Data Users"}}, 1);
  f.field(OC_FORM_OPT_TEXT, "username").field(OC_FORM_OPT_PASSWORD, "password");
  EXPECT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_NEWGROUP);
  EXPECT_EQ(filler.chosen_group(), "data");
}

TEST(VpnAuthForm, ServerWithoutGroupListIgnoresTheGroup) {
  AuthFormFiller filler("alice", kPw, "voice");
  Form f({});
  f.field(OC_FORM_OPT_TEXT, "username").field(OC_FORM_OPT_PASSWORD, "password");
  EXPECT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_OK);
  EXPECT_EQ(f.value("username"), "alice");
  EXPECT_EQ(f.value("password"), "S3cret-pw");
  EXPECT_EQ(filler.chosen_group(), "");
}

TEST(VpnAuthForm, SecondPasswordPromptCancelsWithoutResending) {
  AuthFormFiller filler("alice", kPw, "voice");
  {
    OcservForm f;
    ASSERT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_NEWGROUP);
  }
  {
    OcservForm f;
    ASSERT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_OK);
  }
  OcservForm again;
  again.set_error("Login failed.");
  EXPECT_EQ(filler.fill(again.ptr()), OC_FORM_RESULT_CANCELLED);
  EXPECT_EQ(filler.failure(), "server rejected the credentials of user 'alice' in tunnel group 'voice' (server: Login failed.)");
  EXPECT_EQ(again.value("password"), "");
  EXPECT_EQ(filler.failure().find("S3cret-pw"), std::string::npos);
}

TEST(VpnAuthForm, UsernameFieldFoundByName) {
  // ASA-style: a first text field that is not the user name.
  AuthFormFiller filler("alice", kPw, "");
  Form f({});
  f.field(OC_FORM_OPT_TEXT, "domain").field(OC_FORM_OPT_TEXT, "username").field(OC_FORM_OPT_PASSWORD, "password");
  EXPECT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_OK);
  EXPECT_EQ(f.value("domain"), "");
  EXPECT_EQ(f.value("username"), "alice");
}

TEST(VpnAuthForm, TokenFieldCannotBeSupplied) {
  AuthFormFiller filler("alice", kPw, "");
  Form f({});
  f.field(OC_FORM_OPT_TEXT, "username").field(OC_FORM_OPT_PASSWORD, "password").field(OC_FORM_OPT_TOKEN, "secondary_password", "OTP:");
  EXPECT_EQ(filler.fill(f.ptr()), OC_FORM_RESULT_CANCELLED);
  EXPECT_EQ(filler.failure(), "server asks for 'OTP:', which the phone cannot supply (token or single sign-on)");
}

}  // namespace
}  // namespace phonesec::vpn
