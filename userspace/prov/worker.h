// SPDX-License-Identifier: Apache-2.0
// The provisioning worker: phonesecd runs it as `phonesecd --worker prov` (a child holding no
// capability: it reads lease files, makes outbound HTTP(S)/TFTP requests and writes a profile
// file the controller validates again and applies). It speaks common/channel.h:
//
// In
//   {"op":"apply","profile":PATH,"generation":N,           the effective profile (config::load_file)
//    "incoming_dir":DIR?,                                  where fetched profiles go (default: PATH's folder)
//    "ca_file":FILE?, "iface":IF?,                         HTTPS trust store; the only interface to use
//    "device":{"product_name","product_series","serial",   $PN $PSN $SN $MA… for the rules and syslog
//              "mac","sw_version","hw_version"}?}
//   {"op":"command","name":"resync"}                       resync now (queued if one is running)
//   {"op":"command","name":"busy","value":true|false}      a call is up: scheduled resyncs wait
//                                                          (at most Forced_Resync_Delay)
//   {"op":"stop"} or the socket closing                    leave (after a running fetch ends)
// Out
//   {"op":"applied","generation":N,"outcome":"applied"|"unchanged"|"error: …"}
//   {"op":"event","name":"profile","path":FILE,"generation":N,"changed":bool,
//    "source":"DHCP option 66 on eth0: …"|null,"rules":[{"name","url","server_ip","bytes"}…]}
//       after each successful resync that fetched at least one profile: FILE (0600, in
//       incoming_dir) is one <flat-profile> with every fetched profile's parameters in rule
//       order (later rules override earlier ones); "changed" = differs from the previous one.
//   {"op":"status","status":{"state":"waiting for settings"|"idle"|"resyncing",
//    "generation":N|null,"source":"…how chosen…","source_url":URL|null,
//    "last_resync":unix|null,"result":"ok"|"failed: …"|null,"next_resync":unix|null,
//    "next_reason":"reset"|"periodic"|"retry"|"Resync_At"|null,
//    "rules":[{"name","rule","url","server_ip","bytes","result"}…],"lease_errors":[…],"warnings":[…]}}
//       whenever any of it changes.
// The provisioning source comes from the lease files the OS's DHCP client hooks write
// (lease_file.h) under <run_dir>/dhcp, watched with inotify: when the chosen source changes,
// the worker resyncs at once (unless the boot resync is still pending). Resyncs also run on the
// schedule (schedule.h) and on the command. Each resync runs on its own thread so the channel
// stays answered; results are applied on the main loop.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "common/channel.h"
#include "common/result.h"
#include "prov/macros.h"

namespace phonesec::prov {

struct WorkerOptions {
  std::string run_dir;       // lease files in <run_dir>/dhcp; empty = $PHONESEC_RUN_DIR or /run/phonesec
  std::string iface;         // only this interface's leases; empty = every interface
  std::string incoming_dir;  // empty = the apply message's, else the profile's folder
  std::string ca_file;       // empty = the apply message's, else the system store
  DeviceInfo device;         // overridden field by field by the apply message's "device"
  std::function<std::int64_t()> now;                     // unix seconds; empty = the system clock
  std::function<std::uint32_t(std::uint32_t)> random;    // uniform in [0, max]; empty = random_device
};

// Runs until {"op":"stop"} or the channel closes (ok), or the channel fails (the error).
Status run_worker(Channel& ch, WorkerOptions o);
Status run_worker(Channel& ch);

std::string default_run_dir();

}  // namespace phonesec::prov
