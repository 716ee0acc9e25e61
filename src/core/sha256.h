//===- core/sha256.h - SHA-256 of bytes and files -------------------------===//
//
// Python environments live in folders named after a hash of their pin file, computed by the
// install script with `sha256sum`; convcheck computes the same digest to find them (FIPS 180-4).
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CORE_SHA256_H_
#define CONVCHECK_CORE_SHA256_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace convcheck {

/// The digest of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::string_view data);

/// The digest of a file's bytes; NotFound or DataLoss when it cannot be read.
StatusOr<std::string> Sha256FileHex(const std::string& path);

}  // namespace convcheck

#endif  // CONVCHECK_CORE_SHA256_H_
