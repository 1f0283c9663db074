// SPDX-License-Identifier: Apache-2.0
// `phonesec-prov run`: the provisioning worker (prov::run_worker) on its own, for people and
// for the lab test. It plays the controller's side of the channel: sends the apply for
// --config, prints every message of the worker as one JSON line on stdout; SIGHUP re-sends
// the apply (a reload), SIGUSR1 sends the resync command, SIGINT/SIGTERM stop it. With
// --follow it also plays the controller's apply step: each changed fetched profile is laid over
// --config (prov-effective.xml, 0600, next to the fetched file) and applied, so the fetched
// Resync_* and rules take effect as on a phone.
#pragma once

#include "common/args.h"

namespace phonesec::prov_app {

std::vector<cli::OptionSpec> run_options();
int run_cmd(const cli::Args& a);

}  // namespace phonesec::prov_app
