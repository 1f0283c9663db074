// SPDX-License-Identifier: Apache-2.0
#include "tls/apps.h"

namespace phonesec::tls {

std::string_view app_name(TlsApp app) {
  switch (app) {
    case TlsApp::client_ca_provisioning:
      return "client-ca-provisioning";
    case TlsApp::e911_geolocation:
      return "e911-geolocation";
    case TlsApp::firmware_upgrade:
      return "firmware-upgrade";
    case TlsApp::ldaps:
      return "ldaps";
    case TlsApp::ldap_starttls:
      return "ldap-starttls";
    case TlsApp::image_download:
      return "image-download";
    case TlsApp::logo_download:
      return "logo-download";
    case TlsApp::dictionary_download:
      return "dictionary-download";
    case TlsApp::provisioning:
      return "provisioning";
    case TlsApp::report_upload:
      return "report-upload";
    case TlsApp::prt_upload:
      return "prt-upload";
    case TlsApp::sip:
      return "sip";
    case TlsApp::tr069:
      return "tr069";
    case TlsApp::websocket_api:
      return "websocket-api";
    case TlsApp::xml_services:
      return "xml-services";
    case TlsApp::xsi:
      return "xsi";
    case TlsApp::xmpp:
      return "xmpp";
    case TlsApp::web_server:
      return "web-server";
  }
  return "?";
}

std::string_view default_cipher_list(TlsApp app) {
  switch (app) {
    case TlsApp::web_server:
      // The seed's five suites, in its order. DES-CBC3-SHA is not built into OpenSSL 3 here;
      // OpenSSL skips names it does not know, so the other four remain.
      return "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:AES128-SHA:DES-CBC3-SHA";
    case TlsApp::xmpp:
      return "HIGH:MEDIUM:AES:@STRENGTH";
    default:
      // SIP, TR-069 and the curl-based clients. The seed is silent for LDAP, E911, websocket
      // and the others: they are curl/OpenSSL clients on the phone, so DEFAULT as well.
      return "DEFAULT";
  }
}

NameCheck name_check(TlsApp app) {
  switch (app) {
    case TlsApp::sip:
      return NameCheck::per_line;
    case TlsApp::provisioning:
    case TlsApp::client_ca_provisioning:
      return NameCheck::provisioning;
    case TlsApp::web_server:
      return NameCheck::not_applicable;
    default:
      // Always for the seed's list (LDAPS, StartTLS, XMPP, image upgrade, XSI, file download,
      // TR-069) and, where the seed is silent (E911, PRT, reports, websocket, XML services),
      // always too: a client that skips the check accepts any certificate the CA ever issued.
      return NameCheck::always;
  }
}

}  // namespace phonesec::tls
