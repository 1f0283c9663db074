// SPDX-License-Identifier: Apache-2.0
// The 802.1X part as a phonesecd worker (`phonesecd --worker dot1x`), speaking the protocol of
// common/channel.h. The apply message carries "args": the phonesec-dot1x options that describe
// the device (interface, uplink, PC port, device certificate, CA, EAP-FAST settings); the
// profile gives Enable_802.1X_Authentication and PC_PORT_Enable. An apply whose 802.1X settings
// are the same is answered "unchanged" and does not touch the supplicant (no re-authentication
// because a firewall port moved); a changed one restarts the agent with the new settings.
// {"op":"command","name":"reauth"} re-authenticates. Status: the Dot1xStatus object on every
// change. Needs CAP_NET_RAW (packet sockets) and CAP_NET_ADMIN (bridge group_fwd_mask).
#pragma once

#include "common/channel.h"

namespace phonesec::dot1x {

Status run_worker(Channel& ch);

}  // namespace phonesec::dot1x
