// SPDX-License-Identifier: Apache-2.0
// phonesecd [--config cfg.xml] [--iface IF]… [--pin-dir DIR] [--run-dir DIR] [--generic-xdp] [--clsact-egress]
#include <cstdio>
#include <cstring>
#include <iostream>

#include "phonesecd/daemon.h"
#include "common/secure.h"

int main(int argc, char** argv) {
  if (!phonesec::no_core_dumps()) std::perror("phonesecd: cannot keep secrets out of core dumps");
  phonesec::daemon::Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto need = [&](const char* what) -> std::string {
      if (i + 1 >= argc) {
        std::cerr << "phonesecd: " << a << " needs " << what << "\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--config") o.config_path = need("a file");
    else if (a == "--iface") o.interfaces.push_back(need("an interface"));
    else if (a == "--pin-dir") o.pin_dir = need("a directory");
    else if (a == "--run-dir") o.run_dir = need("a directory");
    else if (a == "--generic-xdp") o.generic_xdp = true;
    else if (a == "--clsact-egress") o.clsact_egress = true;
    else if (a == "-h" || a == "--help") {
      std::cout << "usage: phonesecd [--config cfg.xml] [--iface IF]... [--pin-dir DIR] [--run-dir DIR] [--generic-xdp] [--clsact-egress]\n"
                   "Loads the phonesec firewall, attaches it to each IF, enforces cfg.xml (factory profile\n"
                   "when none). SIGHUP reloads; a bad file keeps the last good policy.\n";
      return 0;
    } else {
      std::cerr << "phonesecd: unknown argument '" << a << "' (see --help)\n";
      return 2;
    }
  }
  return phonesec::daemon::run(o);
}
