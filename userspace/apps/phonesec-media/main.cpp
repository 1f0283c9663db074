// SPDX-License-Identifier: Apache-2.0
// phonesec-media: the media-security service on its own, for people and for the lab (on the
// phone phonesecd runs the same code as a worker: media::run_worker).
//   phonesec-media run --config cfg.xml [--suite NAME]… [--ca FILE] [--status-out]
//       one local SIP outbound proxy per enabled line: point the phone's UA at
//       127.0.0.1:(SIP_Port_n_ + 10000) as outbound proxy; SIGHUP re-reads cfg.xml.
//       --suite restricts/orders the SDES suites offered (default: all six, strongest first).
//       --status-out prints each status object as one JSON line on stdout.
//   phonesec-media decrypt --sdp offer.sdp --sdp answer.sdp --pcap in.pcap -o out.pcap
//       writes the RTP/RTCP of an SDES-SRTP call in clear.
#include <iostream>

#include "common/args.h"
#include "common/log.h"
#include "common/secure.h"
#include "media/decrypt.h"
#include "media/service.h"
#include "srtp/suite.h"

namespace {

using namespace phonesec;
using namespace phonesec::cli;

int cmd_run(const Args& a) {
  if (!a.has("config")) {
    std::cerr << "phonesec-media run: --config is required\n";
    return 2;
  }
  media::ServiceOptions o;
  if (a.has("ca")) o.ca_file = a.get("ca");
  auto& suites = o.suites;
  for (auto& n : a.all("suite")) {
    auto s = srtp::suite_from_name(n);
    if (!s) {
      std::cerr << "phonesec-media run: unknown suite '" << n << "'\n";
      return 2;
    }
    suites.push_back(*s);
  }
  auto st = media::run_standalone(a.get("config"), std::move(o), a.has("status-out") ? &std::cout : nullptr);
  if (!st) {
    std::cerr << "phonesec-media: " << st.error().message() << "\n";
    return 1;
  }
  return 0;
}

int cmd_decrypt(const Args& a) {
  auto sdps = a.all("sdp");
  if (sdps.size() != 2 || !a.has("pcap") || !a.has("o")) {
    std::cerr << "phonesec-media decrypt: needs --sdp OFFER --sdp ANSWER --pcap IN -o OUT\n";
    return 2;
  }
  auto r = media::decrypt_capture(sdps[0], sdps[1], a.get("pcap"), a.get("o"));
  if (!r) {
    std::cerr << "phonesec-media decrypt: " << r.error().message() << "\n";
    return 1;
  }
  std::cout << "decrypted " << r->rtp << " RTP and " << r->rtcp << " RTCP packets, copied " << r->other
            << " other frames and " << r->not_srtp << " datagrams too short to be SRTP, dropped " << r->duplicates
            << " replayed copies and " << r->unauthenticated << " packets that failed authentication\n";
  return 0;
}

std::vector<Command> commands() {
  return {
      {"run",
       "run the media-security service (SIP outbound proxy per line + RTP<->SRTP relay)",
       {{"config", "cfg.xml to run", true, false, ""},
        {"suite", "SDES suite to offer, in order (repeatable)", true, true, ""},
        {"ca", "trusted roots for SIP over TLS (PEM)", true, false, media::kDefaultCaFile},
        {"status-out", "print each status change as a JSON line", false}},
       cmd_run},
      {"decrypt",
       "write the RTP/RTCP of an SDES-SRTP call in clear",
       {{"sdp", "the offer, then the answer (SDP files)", true, true, ""},
        {"pcap", "capture of the call", true, false, ""},
        {"o", "output capture", true, false, ""}},
       cmd_decrypt},
  };
}

}  // namespace

int main(int argc, char** argv) {
  phonesec::no_core_dumps();
  auto cmds = commands();
  if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
    std::cout << "usage: phonesec-media <command> [options]\n";
    print_usage(cmds);
    return argc < 2 ? 2 : 0;
  }
  for (const auto& c : cmds) {
    if (c.name != argv[1]) continue;
    Args a;
    if (!parse_args(c, argc, argv, 2, a)) return 2;
    return c.handler(a);
  }
  std::cerr << "phonesec-media: unknown command '" << argv[1] << "'\n";
  print_usage(cmds);
  return 2;
}
