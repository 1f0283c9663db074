// SPDX-License-Identifier: Apache-2.0
#include "common/secure.h"

#include <openssl/crypto.h>
#include <sys/prctl.h>
#include <sys/resource.h>

namespace phonesec {

void secure_wipe(void* p, std::size_t n) { OPENSSL_cleanse(p, n); }

bool no_core_dumps() {
  rlimit none{0, 0};
  bool ok = ::setrlimit(RLIMIT_CORE, &none) == 0;
  return ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && ok;
}

}  // namespace phonesec
