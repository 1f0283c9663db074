// SPDX-License-Identifier: Apache-2.0
#include "prov/syslog.h"

#include <netdb.h>
#include <sys/socket.h>

#include <cctype>
#include <cstdio>
#include <ctime>
#include <memory>

#include "common/log.h"

namespace phonesec::prov {
namespace {

bool blank(std::string_view s) {
  for (char c : s)
    if (!std::isspace(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string pri(const SyslogOptions& o, Severity s) {
  return "<" + std::to_string(o.facility * 8 + int(s)) + ">";
}

}  // namespace

std::string format_syslog(const SyslogOptions& o, Severity sev, std::string_view msgid, std::string_view text,
                          std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  std::time_t secs = system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::string host = o.hostname.empty() ? "-" : o.hostname;
  if (o.format == SyslogFormat::rfc3164) {
    // "Mmm dd hh:mm:ss" (day space-padded), then HOSTNAME TAG: MSG.
    std::strftime(buf, sizeof buf, "%b %e %H:%M:%S", &tm);
    return pri(o, sev) + buf + " " + (host == "-" ? "localhost" : host) + " " + o.app + ": " +
           std::string(text);
  }
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count() % 1000;
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03dZ", int(ms));
  // <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG
  return pri(o, sev) + "1 " + buf + frac + " " + host + " " + o.app + " - " +
         (msgid.empty() ? std::string("-") : std::string(msgid)) + " - " + std::string(text);
}

Result<SyslogSender> SyslogSender::open(std::string_view server, SyslogOptions o) {
  std::string s(server);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.erase(0, 1);
  if (s.empty()) return make_error(Errc::invalid_argument, "Syslog_Server: empty");
  std::string host = s, port = "514";
  if (s.front() == '[') {
    auto end = s.find(']');
    if (end == std::string::npos)
      return make_error(Errc::invalid_argument, "Syslog_Server '" + s + "': unclosed '['");
    host = s.substr(1, end - 1);
    if (end + 1 < s.size()) {
      if (s[end + 1] != ':')
        return make_error(Errc::invalid_argument, "Syslog_Server '" + s + "': junk after ']'");
      port = s.substr(end + 2);
    }
  } else if (auto c = s.rfind(':'); c != std::string::npos && s.find(':') == c) {
    host = s.substr(0, c);
    port = s.substr(c + 1);
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res); rc != 0)
    return make_error(Errc::invalid_argument, "Syslog_Server '" + s + "': " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(res, freeaddrinfo);
  UniqueFd fd(socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return sys_error("Syslog_Server '" + s + "': socket");
  if (connect(fd.get(), res->ai_addr, res->ai_addrlen) != 0)
    return sys_error("Syslog_Server '" + s + "': connect");
  return SyslogSender(std::move(fd), std::move(o));
}

Status SyslogSender::send(Severity sev, std::string_view msgid, std::string_view text) const {
  if (blank(text)) return {};
  std::string d = format_syslog(o_, sev, msgid, text, o_.now());
  if (::send(fd_.get(), d.data(), d.size(), 0) < 0) return sys_error("syslog send");
  return {};
}

std::string ProvisioningLog::render_request(ProvOp op, const RequestInfo& r) const {
  const auto& m = op == ProvOp::resync ? cfg_.log_request_msg : cfg_.log_upgrade_request_msg;
  return blank(m) ? std::string() : expand(m, macro_table(dev_, r));
}
std::string ProvisioningLog::render_success(ProvOp op, const RequestInfo& r) const {
  const auto& m = op == ProvOp::resync ? cfg_.log_success_msg : cfg_.log_upgrade_success_msg;
  return blank(m) ? std::string() : expand(m, macro_table(dev_, r));
}
std::string ProvisioningLog::render_failure(ProvOp op, const RequestInfo& r) const {
  const auto& m = op == ProvOp::resync ? cfg_.log_failure_msg : cfg_.log_upgrade_failure_msg;
  return blank(m) ? std::string() : expand(m, macro_table(dev_, r));
}

void ProvisioningLog::emit(Severity s, std::string_view msgid, const std::string& text) const {
  if (text.empty()) return;
  if (s == Severity::err)
    log::warn("prov", text);
  else
    log::info("prov", text);
  if (!sender_) return;
  if (auto st = sender_->send(s, msgid, text); !st) log::warn("prov", "syslog: ", st.error().message());
}
void ProvisioningLog::request(ProvOp op, const RequestInfo& r) const {
  emit(Severity::info, op == ProvOp::resync ? "resync" : "upgrade", render_request(op, r));
}
void ProvisioningLog::success(ProvOp op, const RequestInfo& r) const {
  emit(Severity::notice, op == ProvOp::resync ? "resync" : "upgrade", render_success(op, r));
}
void ProvisioningLog::failure(ProvOp op, const RequestInfo& r) const {
  emit(Severity::err, op == ProvOp::resync ? "resync" : "upgrade", render_failure(op, r));
}

}  // namespace phonesec::prov
