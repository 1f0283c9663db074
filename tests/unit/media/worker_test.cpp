// SPDX-License-Identifier: Apache-2.0
// media::run_worker over a real SOCK_SEQPACKET channel: apply a profile → "applied" and a status
// with the line (never the password); the same profile again → "unchanged"; a changed line →
// "applied"; a bad profile → "error: …"; stop → the worker returns. Ports on 127.0.0.1 only.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "media/service.h"

using namespace phonesec;

namespace {

std::string profile(const std::string& dir, const std::string& name, int sip_port, const std::string& extra = "") {
  std::string p = dir + "/" + name;
  std::ofstream(p) << "<flat-profile><RTP_Port_Min>26000</RTP_Port_Min><RTP_Port_Max>26099</RTP_Port_Max>"
                   << "<Proxy_1_>127.0.0.1:25999</Proxy_1_><SIP_Port_1_>" << sip_port
                   << "</SIP_Port_1_><Password_1_>hunter2</Password_1_>" << extra << "</flat-profile>";
  return p;
}

Json next(Channel& c, const std::string& op) {
  for (int i = 0; i < 50; ++i) {
    auto m = c.recv();
    if (!m || !*m) return {};
    if ((**m)["op"] == op) return **m;
  }
  return {};
}

}  // namespace

TEST(MediaWorker, ApplyStatusUnchangedErrorStop) {
  auto dir = std::filesystem::temp_directory_path() / ("psm-worker-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto pair = Channel::pair();
  ASSERT_TRUE(pair.ok());
  Channel ctl = std::move(pair->first);
  Channel wk = std::move(pair->second);
  Status result;
  std::thread t([&] { result = media::run_worker(wk); });

  ASSERT_TRUE(ctl.send({{"op", "apply"}, {"profile", profile(dir, "a.xml", 25060)}, {"generation", 1}}).ok());
  Json a = next(ctl, "applied");
  EXPECT_EQ(a["outcome"], "applied");
  EXPECT_EQ(a["generation"], 1);
  Json s = next(ctl, "status");
  ASSERT_TRUE(s.contains("status")) << s.dump();
  auto lines = s["status"]["lines"];
  ASSERT_EQ(lines.size(), 1u) << s.dump();
  EXPECT_EQ(lines[0]["line"], 1);
  EXPECT_EQ(lines[0]["enabled"], true);
  EXPECT_EQ(lines[0]["transport"], "udp");
  EXPECT_EQ(lines[0]["proxy"], "127.0.0.1:25999");
  EXPECT_EQ(lines[0]["ua_side"], "127.0.0.1:35060");
  EXPECT_EQ(lines[0]["mediasec"]["state"], "Idle");
  EXPECT_EQ(lines[0]["calls"], 0);
  EXPECT_EQ(s.dump().find("hunter2"), std::string::npos) << "a secret in status";

  ASSERT_TRUE(ctl.send({{"op", "apply"}, {"profile", profile(dir, "a.xml", 25060)}, {"generation", 2}}).ok());
  EXPECT_EQ(next(ctl, "applied")["outcome"], "unchanged");
  ASSERT_TRUE(ctl.send({{"op", "apply"},
                        {"profile", profile(dir, "b.xml", 25060, "<MediaSec_Request_1_>Yes</MediaSec_Request_1_>")},
                        {"generation", 3}})
                  .ok());
  EXPECT_EQ(next(ctl, "applied")["outcome"], "applied");
  Json s2 = next(ctl, "status");
  EXPECT_EQ(s2["status"]["lines"][0]["mediasec"]["mode"], "client") << s2.dump();
  ASSERT_TRUE(ctl.send({{"op", "apply"},
                        {"profile", profile(dir, "c.xml", 25060, "<Line_Enable_1_>No</Line_Enable_1_>")},
                        {"generation", 5}})
                  .ok());
  EXPECT_EQ(next(ctl, "applied")["outcome"], "applied");
  Json s3 = next(ctl, "status");
  ASSERT_EQ(s3["status"]["lines"].size(), 1u) << s3.dump();
  EXPECT_EQ(s3["status"]["lines"][0]["enabled"], false) << s3.dump();
  std::ofstream(dir / "bad.xml") << "<flat-profile><oops";
  ASSERT_TRUE(ctl.send({{"op", "apply"}, {"profile", (dir / "bad.xml").string()}, {"generation", 4}}).ok());
  std::string bad = next(ctl, "applied")["outcome"];
  EXPECT_EQ(bad.rfind("error: ", 0), 0u) << bad;

  ASSERT_TRUE(ctl.send({{"op", "stop"}}).ok());
  t.join();
  EXPECT_TRUE(result.ok()) << result.error().message();
  std::filesystem::remove_all(dir);
}
