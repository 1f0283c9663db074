// SPDX-License-Identifier: Apache-2.0
// The SIP transport of a line (SIP_Transport_n_), one enum for the whole project: config/ parses
// it, tls/ plans the connection attempts from it, srtp/'s MediaSec negotiator asks whether it is
// TLS (MediaSec_Over_TLS_Only_n_), the media service opens the connection. Auto (RFC 3263) is
// resolved before a connection is made; a negotiator given Auto treats it as not TLS.
#pragma once

namespace phonesec {

enum class SipTransport { UDP, TCP, TLS, Auto };

}  // namespace phonesec
