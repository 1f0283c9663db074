// SPDX-License-Identifier: Apache-2.0
// Header edits a stateless outbound proxy makes on a parsed sip::Message (RFC 3261 §16.6,
// §16.11, RFC 3581): push/pop the top Via (a comma-joined Via value counts as several), the
// sent-by / received / rport of a Via, a deterministic branch for a stateless proxy (the same
// incoming branch always maps to the same outgoing one, so retransmissions and CANCEL match),
// Route entries that name us, the host:port of SIP URIs (Contact, Request-URI).
// Pure string work: no sockets, no logging.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sip/message.h"

namespace phonesec::media {

struct HostPort {
  std::string host;
  std::uint16_t port = 0;  // 0 when absent
};

// The first Via entry (a Via value "a, b" holds two entries); empty when there is none.
std::string top_via(const sip::Message& m);
// Removes the first Via entry; false when there was none.
bool pop_via(sip::Message& m);
// Inserts `value` as the first Via header.
void push_via(sip::Message& m, std::string value);
// Replaces the first Via entry by `value`.
void replace_top_via(sip::Message& m, const std::string& value);

// Parameter of a Via entry ("branch", "received", "rport"); nullopt when absent, "" when it
// has no value.
std::optional<std::string> via_param(std::string_view via, std::string_view name);
// sent-by of a Via entry ("SIP/2.0/UDP host:port;…").
HostPort via_sent_by(std::string_view via);
// Where a response to this Via goes (RFC 3581 §4): received/rport when present, else sent-by
// (port 5060 when absent).
HostPort via_response_target(std::string_view via);
// The Via entry with received=<ip> and rport=<port> set (RFC 3581 §4).
std::string via_with_received(std::string_view via, const std::string& ip, std::uint16_t port);

// "z9hG4bK" + a hash of (salt, incoming branch): stable for retransmissions and CANCEL.
std::string stateless_branch(std::string_view salt, std::string_view incoming_branch);

// host:port of a SIP URI, inside <> or bare ("sip:user@host:port;params").
std::optional<HostPort> uri_host_port(std::string_view uri);
// The URI with its host:port replaced (user and parameters kept).
std::string uri_with_host_port(std::string_view uri, const HostPort& hp);

// Rewrites the host:port of every Contact URI (not "*"); returns the first original URI (inside
// the angle brackets when present), empty when no Contact.
std::string rewrite_contacts(sip::Message& m, const HostPort& hp);

// Removes Route entries whose URI host:port is `us` (our own outbound-proxy address).
void remove_routes_to(sip::Message& m, const HostPort& us);

// Removes every header called `name`.
void remove_header(sip::Message& m, std::string_view name);

// The method named in CSeq ("1 INVITE" → "INVITE") and its number.
std::string cseq_method(const sip::Message& m);

// Decrements Max-Forwards; false when it was 0 (RFC 3261 §16.3: answer 483).
bool decrement_max_forwards(sip::Message& m);

}  // namespace phonesec::media
