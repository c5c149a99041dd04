// A node's transport identity: a TLS key and self-signed certificate
// (DESIGN.md section 2). The node id is SHA-256 of the certificate's
// SubjectPublicKeyInfo (DER), so it names the key, not the certificate: an
// institution may re-issue certificates from its own CA without changing
// the id its peers allow.
#pragma once

#include <filesystem>
#include <string>

#include "chain/hash.h"
#include "chain/status.h"

namespace hpchain::p2p {

struct NodeIdentity {
  std::string key_pem;   // PKCS#8 private key (ECDSA P-256)
  std::string cert_pem;  // X.509 certificate
  Hash32 node_id;
};

// A fresh P-256 key and a self-signed certificate for it (CN = `common_name`,
// valid for 100 years). Internal only if OpenSSL fails.
Result<NodeIdentity> generate_identity(std::string_view common_name);

// The node id of a PEM certificate. InvalidArgument for bytes that are not one.
Result<Hash32> node_id_of_certificate(std::string_view cert_pem);

// Writes key (mode 0600) and certificate (0644); neither may exist yet
// (AlreadyExists). Each file is written whole or not at all.
Status write_identity(const NodeIdentity& identity, const std::filesystem::path& key_path,
                      const std::filesystem::path& cert_path);
// Loads both and checks that the key belongs to the certificate. NotFound,
// PermissionDenied (a key readable by others), Corruption (not PEM, or a
// key that does not match), IoError.
Result<NodeIdentity> load_identity(const std::filesystem::path& key_path, const std::filesystem::path& cert_path);

}  // namespace hpchain::p2p
