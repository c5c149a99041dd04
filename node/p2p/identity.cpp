#include "node/p2p/identity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "chain/file.h"

namespace hpchain::p2p {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

Bio memory_bio(std::string_view text) {
  return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

Result<Hash32> node_id_of(X509* cert) {
  unsigned char* der = nullptr;
  const int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (n <= 0) return Status::invalid_argument("certificate has no public key");
  const Hash32 id = sha256(ByteSpan(der, static_cast<size_t>(n)));
  OPENSSL_free(der);
  return id;
}

Result<Cert> self_signed(EVP_PKEY* key, std::string_view common_name) {
  Cert cert(X509_new());
  if (!cert) return Status::internal("X509_new failed");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 100L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  const std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) return Status::internal("X509_sign failed");
  return cert;
}

}  // namespace

Result<NodeIdentity> generate_identity(std::string_view common_name) {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return Status::internal("cannot generate a P-256 key");
  HPC_ASSIGN_OR_RETURN(Cert cert, self_signed(key.get(), common_name));
  Bio key_out(BIO_new(BIO_s_mem())), cert_out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
      PEM_write_bio_X509(cert_out.get(), cert.get()) != 1) {
    return Status::internal("cannot encode the TLS identity as PEM");
  }
  HPC_ASSIGN_OR_RETURN(Hash32 id, node_id_of(cert.get()));
  return NodeIdentity{bio_text(key_out.get()), bio_text(cert_out.get()), id};
}

Result<Hash32> node_id_of_certificate(std::string_view cert_pem) {
  Bio in = memory_bio(cert_pem);
  Cert cert(PEM_read_bio_X509(in.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::invalid_argument("not a PEM certificate");
  return node_id_of(cert.get());
}

Status write_identity(const NodeIdentity& identity, const std::filesystem::path& key_path,
                      const std::filesystem::path& cert_path) {
  HPC_TRY(write_file_atomically(key_path, identity.key_pem, 0600, /*create_only=*/true));
  return write_file_atomically(cert_path, identity.cert_pem, 0644, /*create_only=*/true);
}

Result<NodeIdentity> load_identity(const std::filesystem::path& key_path, const std::filesystem::path& cert_path) {
  HPC_ASSIGN_OR_RETURN(std::string key_pem, read_file(key_path, 64 * 1024, /*private_only=*/true));
  HPC_ASSIGN_OR_RETURN(std::string cert_pem, read_file(cert_path, 64 * 1024, /*private_only=*/false));
  Bio key_in = memory_bio(key_pem), cert_in = memory_bio(cert_pem);
  Key key(PEM_read_bio_PrivateKey(key_in.get(), nullptr, nullptr, nullptr));
  if (!key) return Status::corruption(key_path.string() + " is not a PEM private key");
  Cert cert(PEM_read_bio_X509(cert_in.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::corruption(cert_path.string() + " is not a PEM certificate");
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    return Status::corruption(key_path.string() + " is not the key of " + cert_path.string());
  }
  HPC_ASSIGN_OR_RETURN(Hash32 id, node_id_of(cert.get()));
  return NodeIdentity{std::move(key_pem), std::move(cert_pem), id};
}

}  // namespace hpchain::p2p
