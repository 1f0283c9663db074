// SPDX-License-Identifier: Apache-2.0
// libopenconnect's debug output prints HTTP headers: session cookies and DTLS session
// identifiers among them. Every line it logs goes through redact() first.
#pragma once

#include <string>

namespace phonesec::vpn {

// Cookie values in "Set-Cookie:"/"Cookie:" lines and the values of DTLS session headers
// (X-DTLS-Master-Secret, X-DTLS-Session-ID, X-DTLS-App-ID, and their X-DTLS12- forms)
// become "<elided>"; every occurrence of each non-empty secret in secrets becomes "********".
std::string redact(std::string line, std::initializer_list<const std::string*> secrets);

}  // namespace phonesec::vpn
