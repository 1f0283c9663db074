// SPDX-License-Identifier: Apache-2.0
// prov::run_worker over a real channel pair, as phonesecd drives it: apply, lease files
// appearing under the run dir (inotify), resync against a loopback HTTP server, the profile
// event and its 0600 file, status on each change, a refused profile, the resync command,
// an unchanged apply, stop. Syslog messages go to a loopback receiver.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/channel.h"
#include "loopback_http.h"
#include "prov/worker.h"

using namespace phonesec;
using namespace phonesec::prov;
using namespace std::chrono_literals;

namespace {

struct TmpDir {
  std::filesystem::path p = std::filesystem::temp_directory_path() / ("ps_worker." + std::to_string(getpid()));
  TmpDir() {
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
  }
  ~TmpDir() { std::filesystem::remove_all(p); }
  std::string f(const std::string& n) const { return (p / n).string(); }
  void put(const std::string& n, const std::string& t) const {
    std::ofstream(f(n) + ".tmp") << t;
    std::filesystem::rename(f(n) + ".tmp", f(n));  // as the hooks do: whole files only
  }
};

std::string http(const std::string& body) {
  return "HTTP/1.0 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

class Harness {
 public:
  explicit Harness(const TmpDir& d) {
    auto p = Channel::pair();
    ctl_ = std::move(p->first);
    WorkerOptions o;
    o.run_dir = d.f("run");
    o.device.product_series = "8851";
    th_ = std::thread([w = std::move(p->second), o]() mutable {
      auto st = run_worker(w, o);
      EXPECT_TRUE(st) << st.error().message();
    });
  }
  ~Harness() {
    (void)ctl_.send(Json{{"op", "stop"}});
    th_.join();
  }
  void send(const Json& j) { ASSERT_TRUE(ctl_.send(j)); }
  // The next message matching pred within 10 s; every message seen is kept in `seen`.
  Json wait_for(const std::function<bool(const Json&)>& pred) {
    auto end = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < end) {
      pollfd p{ctl_.fd(), POLLIN, 0};
      if (poll(&p, 1, 100) != 1) continue;
      auto m = ctl_.recv();
      if (!m || !*m) break;
      seen.push_back(**m);
      if (pred(**m)) return **m;
    }
    ADD_FAILURE() << "timed out; seen: " << Json(seen).dump();
    return nullptr;
  }
  std::vector<Json> seen;

 private:
  Channel ctl_;
  std::thread th_;
};

bool is_status(const Json& m) { return m["op"] == "status"; }

}  // namespace

TEST(Worker, LeaseFileTriggersResyncProfileEventAndStatus) {
  TmpDir d;
  test::LoopbackHttp srv(http("<flat-profile><Proxy_1_>sip.test</Proxy_1_></flat-profile>"));
  test::UdpReceiver syslog;
  std::filesystem::create_directories(d.f("incoming"));
  d.put("cfg.xml", "<flat-profile><Profile_Rule>/$PSN.xml</Profile_Rule><Resync_Random_Delay>0</Resync_Random_Delay>"
                   "<Syslog_Server>" + syslog.server() + "</Syslog_Server></flat-profile>");
  Harness h(d);
  h.send({{"op", "apply"}, {"profile", d.f("cfg.xml")}, {"generation", 7}, {"incoming_dir", d.f("incoming")}});
  auto applied = h.wait_for([](const Json& m) { return m["op"] == "applied"; });
  EXPECT_EQ(applied["generation"], 7);
  EXPECT_EQ(applied["outcome"], "applied");
  // The boot resync finds no lease: failed, retry planned, no profile event.
  auto failed = h.wait_for([](const Json& m) { return is_status(m) && m["status"]["result"].is_string(); });
  EXPECT_EQ(failed["status"]["result"],
            "failed: Profile_Rule: relative rule '/$PSN.xml' needs a provisioning server and no DHCP lease offers one");
  EXPECT_EQ(failed["status"]["next_reason"], "retry");
  EXPECT_EQ(failed["status"]["source"].get<std::string>().rfind("none: no DHCP lease file", 0), 0u);

  // The hook writes a lease: the source changes, the worker resyncs at once.
  std::filesystem::create_directories(d.f("run/dhcp"));
  d.put("run/dhcp/eth0.v4", "family v4\niface eth0\naddress 127.0.0.1\n"
                            "option 160 text http://127.0.0.1:" + std::to_string(srv.port()) + "\n");
  auto ev = h.wait_for([](const Json& m) { return m["op"] == "event"; });
  EXPECT_EQ(ev["name"], "profile");
  EXPECT_EQ(ev["generation"], 7);
  EXPECT_EQ(ev["changed"], true);
  std::string url = "http://127.0.0.1:" + std::to_string(srv.port()) + "/8851.xml";
  ASSERT_EQ(ev["rules"].size(), 1u);
  EXPECT_EQ(ev["rules"][0]["name"], "Profile_Rule");
  EXPECT_EQ(ev["rules"][0]["url"], url);
  EXPECT_NE(ev["source"].get<std::string>().find("DHCP option 160 on eth0"), std::string::npos) << ev.dump();
  std::string path = ev["path"];
  EXPECT_EQ(std::filesystem::path(path).parent_path(), d.p / "incoming");
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(text.find("<Proxy_1_>sip.test</Proxy_1_>"), std::string::npos) << text;

  auto ok = h.wait_for([](const Json& m) { return is_status(m) && m["status"]["result"] == "ok"; });
  const Json& s = ok["status"];
  EXPECT_EQ(s["state"], "idle");
  ASSERT_TRUE(s["last_resync"].is_number());
  EXPECT_EQ(s["next_reason"], "periodic");
  EXPECT_EQ(s["next_resync"].get<std::int64_t>(), s["last_resync"].get<std::int64_t>() + 3600);
  EXPECT_EQ(s["source_url"], "http://127.0.0.1:" + std::to_string(srv.port()));
  EXPECT_EQ(s["rules"][0]["result"], "ok");
  EXPECT_EQ(s["rules"][0]["server_ip"], "127.0.0.1");
  std::string sys;
  for (int i = 0; i < 5 && sys.find("Successful resync") == std::string::npos; ++i) sys += syslog.next(1000);
  EXPECT_NE(sys.find("Requesting resync http://127.0.0.1:" + std::to_string(srv.port()) + "/8851.xml"),
            std::string::npos) << sys;

  // The same settings again: unchanged. The resync command: one more resync, same profile.
  h.send({{"op", "apply"}, {"profile", d.f("cfg.xml")}, {"generation", 8}, {"incoming_dir", d.f("incoming")}});
  EXPECT_EQ(h.wait_for([](const Json& m) { return m["op"] == "applied"; })["outcome"], "unchanged");
  h.send({{"op", "command"}, {"name", "resync"}});
  auto again = h.wait_for([](const Json& m) { return m["op"] == "event"; });
  EXPECT_EQ(again["changed"], false);
  EXPECT_EQ(again["generation"], 8);
  EXPECT_GE(srv.connections(), 2);
}

TEST(Worker, RefusedProfileFailsWithoutEvent) {
  TmpDir d;
  test::LoopbackHttp srv(http("<flat-profile><Proxy_1_>cut short"));
  std::filesystem::create_directories(d.f("run/dhcp"));
  d.put("run/dhcp/eth0.v4", "family v4\niface eth0\noption 66 text http://127.0.0.1:" +
                                std::to_string(srv.port()) + "\n");
  d.put("cfg.xml", "<flat-profile><Profile_Rule>/p.xml</Profile_Rule><Resync_Random_Delay>0</Resync_Random_Delay>"
                   "<Resync_Error_Retry_Delay>30</Resync_Error_Retry_Delay><Resync_Periodic>soon</Resync_Periodic>"
                   "</flat-profile>");
  Harness h(d);
  h.send({{"op", "apply"}, {"profile", d.f("cfg.xml")}, {"generation", 1}});
  auto st = h.wait_for([](const Json& m) { return is_status(m) && m["status"]["result"].is_string(); });
  std::string result = st["status"]["result"];
  EXPECT_EQ(result.rfind("failed: Profile_Rule: profile refused: http://127.0.0.1:", 0), 0u) << result;
  EXPECT_NE(result.find("not well-formed"), std::string::npos) << result;
  EXPECT_EQ(st["status"]["next_reason"], "retry");
  EXPECT_EQ(st["status"]["next_resync"].get<std::int64_t>(), st["status"]["last_resync"].get<std::int64_t>() + 30);
  EXPECT_NE(st["status"]["source"].get<std::string>().find("DHCP option 66 on eth0"), std::string::npos);
  ASSERT_EQ(st["status"]["warnings"].size(), 1u) << st.dump();  // the profile's bad value, named
  EXPECT_NE(st["status"]["warnings"][0].get<std::string>().find("Resync_Periodic: 'soon' is not a delay list"),
            std::string::npos);
  for (const auto& m : h.seen) EXPECT_NE(m["op"], "event") << m.dump();
  for (const auto& e : std::filesystem::directory_iterator(d.p))  // incoming_dir = the profile's folder
    EXPECT_EQ(e.path().filename().string().rfind("prov-incoming", 0), std::string::npos) << e.path();
}

TEST(Worker, BadApplyIsAnErrorAndStopEnds) {
  TmpDir d;
  d.put("bad.xml", "<flat-profile><oops></flat-profile>");
  Harness h(d);
  h.send({{"op", "apply"}, {"profile", d.f("bad.xml")}, {"generation", 3}});
  auto a = h.wait_for([](const Json& m) { return m["op"] == "applied"; });
  EXPECT_EQ(a["generation"], 3);
  EXPECT_EQ(a["outcome"].get<std::string>().rfind("error: " + d.f("bad.xml") + ":1:", 0), 0u) << a.dump();
  EXPECT_EQ(h.seen.front()["status"]["state"], "waiting for settings");
  // Fields of the wrong type are an error reply, not a crash.
  h.send({{"op", "apply"}, {"profile", 12}, {"generation", "x"}});
  auto b = h.wait_for([](const Json& m) { return m["op"] == "applied"; });
  EXPECT_EQ(b["outcome"], "error: apply without an integer \"generation\"");
  h.send({{"op", "command"}, {"name", "busy"}, {"value", "yes"}});
  h.send({{"op", "apply"}, {"profile", d.f("missing.xml")}, {"generation", 4}});
  auto c = h.wait_for([](const Json& m) { return m["op"] == "applied"; });
  EXPECT_EQ(c["outcome"].get<std::string>().rfind("error: " + d.f("missing.xml") + ": cannot open", 0), 0u) << c.dump();
}

TEST(Worker, DhcpServerOutsideRestrictedDomainsIsRefusedBeforeConnecting) {
  TmpDir d;
  test::LoopbackHttp srv(http("<flat-profile/>"));
  std::filesystem::create_directories(d.f("run/dhcp"));
  d.put("run/dhcp/eth0.v4", "family v4\niface eth0\noption 160 text http://127.0.0.1:" +
                                std::to_string(srv.port()) + "\n");
  d.put("cfg.xml", "<flat-profile><Profile_Rule>/p.xml</Profile_Rule><Resync_Random_Delay>0</Resync_Random_Delay>"
                   "<Restricted_Access_Domains>prov.example.com</Restricted_Access_Domains></flat-profile>");
  Harness h(d);
  h.send({{"op", "apply"}, {"profile", d.f("cfg.xml")}, {"generation", 1}});
  auto st = h.wait_for([](const Json& m) { return is_status(m) && m["status"]["result"].is_string(); });
  std::string result = st["status"]["result"];
  EXPECT_NE(result.find("'127.0.0.1' is not in Restricted_Access_Domains"), std::string::npos) << result;
  EXPECT_EQ(srv.connections(), 0);
}
