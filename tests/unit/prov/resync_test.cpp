// SPDX-License-Identifier: Apache-2.0
// One resync with a scripted fetch function: Profile_Rule … _D in order, relative rules
// completed with the DHCP source, macros, later rules overriding earlier ones in the merged
// profile, a profile that is not well-formed failing the whole resync, Resync_Fails_On_FNF.
#include <gtest/gtest.h>

#include <map>

#include "config/phone_config.h"
#include "prov/resync.h"

using namespace phonesec;
using namespace phonesec::prov;

namespace {

struct FakeServer {
  std::map<std::string, std::string> files;  // URL -> body
  std::vector<std::string> asked;            // "what url"
  FetchFn fn() {
    return [this](const RuleUrl& u, std::string_view what) -> Result<FetchResult> {
      asked.push_back(std::string(what) + " " + u.to_string());
      auto it = files.find(u.to_string());
      if (it == files.end())
        return make_error(Errc::io, std::string(what) + ": HTTP 404 from " + u.to_string());
      return FetchResult{200, it->second, "10.0.0.1"};
    };
  }
};

config::ProvisioningConfig rules(std::string a, std::string b = "", std::string c = "", std::string d = "") {
  config::ProvisioningConfig p;
  p.profile_rule = std::move(a);
  p.profile_rule_b = std::move(b);
  p.profile_rule_c = std::move(c);
  p.profile_rule_d = std::move(d);
  return p;
}

ChosenSource dhcp(const std::string& url) {
  ChosenSource s;
  s.iface = "eth0";
  s.option = 66;
  s.url = url;
  return s;
}

const MacroTable kMacros = macro_table(DeviceInfo{"CP-8851-3PCC", "8851", "000e08abcdef"}, {});

}  // namespace

TEST(Resync, RulesInOrderLaterOverridesEarlier) {
  FakeServer srv;
  srv.files["http://prov.test/8851.xml"] =
      "<flat-profile><Proxy_1_>a.test</Proxy_1_><Resync_Periodic>600</Resync_Periodic></flat-profile>";
  srv.files["http://prov.test/000e08abcdef.xml"] =
      "<?xml version=\"1.0\"?><device><x:flat-profile xmlns:x=\"urn:p\"><x:Proxy_1_ ua=\"na\">b.test</x:Proxy_1_>"
      "</x:flat-profile></device>";
  srv.files["https://other.test/last.xml"] = "<flat-profile><Proxy_1_>d.test</Proxy_1_></flat-profile>";
  auto out = run_resync(rules("/$PSN.xml", "/$MA.xml", "", "https://other.test/last.xml"),
                        dhcp("http://prov.test/base"), kMacros, srv.fn(), true);
  ASSERT_TRUE(out.ok) << out.error;
  EXPECT_EQ(srv.asked, (std::vector<std::string>{"Profile_Rule http://prov.test/8851.xml",
                                                 "Profile_Rule_B http://prov.test/000e08abcdef.xml",
                                                 "Profile_Rule_D https://other.test/last.xml"}));
  ASSERT_EQ(out.rules.size(), 3u);  // the empty Profile_Rule_C is not a rule
  EXPECT_EQ(out.rules[2].name, "Profile_Rule_D");
  EXPECT_EQ(out.profiles, 3u);
  auto merged = config::load_string(out.profile, "merged");
  ASSERT_TRUE(merged) << out.profile;
  EXPECT_EQ(merged->config.lines[0].proxy, "d.test");  // D overrides B overrides A
  EXPECT_EQ(merged->config.resync.periodic, "600");    // set only by A: kept
  // The merged file overlays a base profile the same way: base first, then the fetched one.
  auto overlay = merge_profiles({"<flat-profile><Proxy_1_>base</Proxy_1_><Proxy_2_>keep</Proxy_2_></flat-profile>",
                                 out.profile},
                                {"base", "fetched"});
  ASSERT_TRUE(overlay);
  auto o = config::load_string(*overlay);
  EXPECT_EQ(o->config.lines[0].proxy, "d.test");
  EXPECT_EQ(o->config.lines[1].proxy, "keep");
}

TEST(Resync, NotWellFormedProfileFailsTheResyncAndStopsThere) {
  FakeServer srv;
  srv.files["tftp://10.0.0.1/a.xml"] = "<flat-profile><Proxy_1_>a</Proxy_1_></flat-profile>";
  srv.files["tftp://10.0.0.1/b.xml"] = "<flat-profile><Proxy_1_>b</Proxy_1_>";  // cut short
  auto out = run_resync(rules("/a.xml", "/b.xml", "/c.xml"), dhcp("tftp://10.0.0.1"), kMacros, srv.fn(), true);
  EXPECT_FALSE(out.ok);
  EXPECT_TRUE(out.profile.empty());
  EXPECT_NE(out.error.find("Profile_Rule_B: profile refused: tftp://10.0.0.1/b.xml:1:"), std::string::npos)
      << out.error;
  EXPECT_NE(out.error.find("not well-formed"), std::string::npos) << out.error;
  EXPECT_EQ(out.rules[0].result, "ok");
  EXPECT_EQ(out.rules[2].result, "not tried");
  EXPECT_EQ(srv.asked.size(), 2u);
  // XML without a <flat-profile> is refused too.
  srv.files["tftp://10.0.0.1/b.xml"] = "<html><body>captive portal</body></html>";
  out = run_resync(rules("/b.xml"), dhcp("tftp://10.0.0.1"), kMacros, srv.fn(), true);
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.error.find("no <flat-profile>"), std::string::npos) << out.error;
}

TEST(Resync, RelativeRuleWithoutSourceAndMissingFiles) {
  FakeServer srv;
  srv.files["http://abs.test/x.xml"] = "<flat-profile/>";
  auto out = run_resync(rules("http://abs.test/x.xml", "/$PSN.xml"), std::nullopt, kMacros, srv.fn(), true);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error,
            "Profile_Rule_B: relative rule '/$PSN.xml' needs a provisioning server and no DHCP lease offers one");

  // Resync_Fails_On_FNF = Yes: a missing file fails; No: skipped, the others apply.
  out = run_resync(rules("http://abs.test/none.xml", "http://abs.test/x.xml"), std::nullopt, kMacros, srv.fn(), true);
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.error.find("HTTP 404"), std::string::npos);
  out = run_resync(rules("http://abs.test/none.xml", "http://abs.test/x.xml"), std::nullopt, kMacros, srv.fn(), false);
  EXPECT_TRUE(out.ok) << out.error;
  EXPECT_EQ(out.profiles, 1u);
  EXPECT_NE(out.rules[0].result.find("not found"), std::string::npos);

  out = run_resync(rules(""), std::nullopt, kMacros, srv.fn(), true);
  EXPECT_FALSE(out.ok);
  EXPECT_NE(out.error.find("no profile rule is set"), std::string::npos);
}

TEST(Resync, ProfileKeysNeverShown) {
  EXPECT_EQ(redact_rule("[--key s3cret] http://p.test/a.xml"), "[--key ********] http://p.test/a.xml");
  EXPECT_EQ(redact_rule("[--uid u --key \"two words\" --cookie c]/a.xml"),
            "[--uid u --key ******** --cookie c]/a.xml");
  EXPECT_EQ(redact_rule("( $X eq 1 )[--key k]https://h/x"), "( $X eq 1 )[--key ********]https://h/x");
  EXPECT_EQ(redact_rule("http://p.test/--key/x"), "http://p.test/--key/x");  // not an option group

  FakeServer srv;
  auto out = run_resync(rules("[--key s3cret] http://p.test:99999/a.xml", "[--key k2] /b.xml"), std::nullopt, kMacros,
                        srv.fn(), true);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.error.find("s3cret"), std::string::npos) << out.error;
  EXPECT_NE(out.error.find("[--key ********]"), std::string::npos) << out.error;
  for (const auto& r : out.rules) {
    EXPECT_EQ(r.rule.find("s3cret"), std::string::npos);
    EXPECT_EQ(r.rule.find("k2"), std::string::npos);
    EXPECT_EQ(r.result.find("s3cret"), std::string::npos);
  }
}
