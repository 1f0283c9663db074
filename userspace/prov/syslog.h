// SPDX-License-Identifier: Apache-2.0
// Syslog over UDP to Syslog_Server ("host[:port]", port 514 by default), RFC 5424 or RFC 3164
// framing, and the provisioning messages (Log_*_Msg) with their macros expanded.
// An empty message (after trimming) sends nothing; Syslog_Server empty disables syslog.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "common/fd.h"
#include "common/result.h"
#include "config/phone_config.h"
#include "prov/macros.h"

namespace phonesec::prov {

enum class SyslogFormat { rfc5424, rfc3164 };
enum class Severity { err = 3, warning = 4, notice = 5, info = 6 };

struct SyslogOptions {
  SyslogFormat format = SyslogFormat::rfc5424;
  int facility = 16;           // local0
  std::string hostname = "-";  // HOSTNAME field ("-" = nil in RFC 5424)
  std::string app = "phonesec-prov";
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
};

// One syslog datagram (pure; for tests and for the sender).
std::string format_syslog(const SyslogOptions& o, Severity sev, std::string_view msgid, std::string_view text,
                          std::chrono::system_clock::time_point t);

class SyslogSender {
 public:
  // Resolves the server (numeric or by name) and opens a connected UDP socket.
  // Errc::invalid_argument naming Syslog_Server for a bad value.
  static Result<SyslogSender> open(std::string_view server, SyslogOptions o = {});
  // Sends nothing (ok) for an empty text. Errc::system when the datagram is not sent.
  Status send(Severity sev, std::string_view msgid, std::string_view text) const;

 private:
  SyslogSender(UniqueFd fd, SyslogOptions o) : fd_(std::move(fd)), o_(std::move(o)) {}
  UniqueFd fd_;
  SyslogOptions o_;
};

enum class ProvOp { resync, upgrade };

// The provisioning client's voice in syslog: request / success / failure of a resync or an
// upgrade, with the configured message expanded for this device and request.
class ProvisioningLog {
 public:
  ProvisioningLog(config::SyslogConfig cfg, DeviceInfo dev, const SyslogSender* sender)
      : cfg_(std::move(cfg)), dev_(std::move(dev)), sender_(sender) {}
  // The expanded text (empty when the configured message is empty).
  std::string render_request(ProvOp op, const RequestInfo& r) const;
  std::string render_success(ProvOp op, const RequestInfo& r) const;
  std::string render_failure(ProvOp op, const RequestInfo& r) const;
  void request(ProvOp op, const RequestInfo& r) const;
  void success(ProvOp op, const RequestInfo& r) const;
  void failure(ProvOp op, const RequestInfo& r) const;

 private:
  void emit(Severity s, std::string_view msgid, const std::string& text) const;
  config::SyslogConfig cfg_;
  DeviceInfo dev_;
  const SyslogSender* sender_;
};

}  // namespace phonesec::prov
