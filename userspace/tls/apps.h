// SPDX-License-Identifier: Apache-2.0
// The TLS applications of the phone (seed: "Configurer la liste de chiffrement", plus the web
// server and XMPP named in its fallback list and the HTTPS uses named in "Activer la
// vérification du nom d'hôte"), with what the seed fixes for each: the cipher list used when
// TLS_Cipher_List is empty or invalid, and how the server's name is checked.
#pragma once

#include <array>
#include <string_view>

namespace phonesec::tls {

enum class TlsApp {
  client_ca_provisioning,  // Mise à disposition de l'autorité de certification du client
  e911_geolocation,        // Géolocalisation E911
  firmware_upgrade,        // Mise à niveau du micrologiciel/du casque (image upgrade via HTTPS)
  ldaps,                   // LDAPS
  ldap_starttls,           // LDAP (StartTLS)
  image_download,          // Téléchargement d'image
  logo_download,           // Téléchargement de logo
  dictionary_download,     // Téléchargement du dictionnaire
  provisioning,            // Mise à disposition (HTTPS resync)
  report_upload,           // Téléchargement d'un rapport
  prt_upload,              // Chargement PRT (problem report tool)
  sip,                     // SIP sur TLS
  tr069,                   // TR-069
  websocket_api,           // API Websocket
  xml_services,            // Services XML
  xsi,                     // Services XSI
  xmpp,                    // XMPP (named in the fallback list and the always-validated list)
  web_server,              // the phone's own HTTPS web server (the one TLS server)
};

inline constexpr std::array kAllApps = {
    TlsApp::client_ca_provisioning,
    TlsApp::e911_geolocation,
    TlsApp::firmware_upgrade,
    TlsApp::ldaps,
    TlsApp::ldap_starttls,
    TlsApp::image_download,
    TlsApp::logo_download,
    TlsApp::dictionary_download,
    TlsApp::provisioning,
    TlsApp::report_upload,
    TlsApp::prt_upload,
    TlsApp::sip,
    TlsApp::tr069,
    TlsApp::websocket_api,
    TlsApp::xml_services,
    TlsApp::xsi,
    TlsApp::xmpp,
    TlsApp::web_server,
};

// Stable lower-case name for logs and status ("ldaps", "sip", …).
std::string_view app_name(TlsApp app);

// The cipher list an application uses when TLS_Cipher_List is empty or invalid:
// web server → the five suites the seed lists; XMPP → "HIGH:MEDIUM:AES:@STRENGTH";
// SIP, TR-069 and every other (curl-based) client → "DEFAULT".
std::string_view default_cipher_list(TlsApp app);

// How a client checks the server's identity.
enum class NameCheck {
  always,          // SAN then CN against the configured host; IP hosts against IP SANs
  per_line,        // SIP over TLS: TLS_Name_Validate_n_ decides (default Yes)
  provisioning,    // CN may carry "/…" after the FQDN; server IP checked against DNS of that name
  not_applicable,  // the web server (a server has no peer name to check)
};
NameCheck name_check(TlsApp app);

}  // namespace phonesec::tls
