// SPDX-License-Identifier: Apache-2.0
#include "common/secure.h"

#include <openssl/crypto.h>

namespace phonesec {
void secure_wipe(void* p, std::size_t n) { OPENSSL_cleanse(p, n); }
}  // namespace phonesec
