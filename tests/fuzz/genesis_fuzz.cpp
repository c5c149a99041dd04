// Fuzz target for parse_genesis: any text gives a document or an error
// naming what is wrong; a document prints to JSON that parses back to it.
#include "genesis/genesis.h"
#include "tests/fuzz/fuzz.h"

std::vector<std::vector<uint8_t>> hpchain_fuzz_seeds() {
  const std::string doc = R"({"chain_id": "fuzz-1", "genesis_time": "2026-12-02T18:00:00Z",
    "institutions": [{"id": "cern", "name": "CERN", "admins": ["0x1111111111111111111111111111111111111111"]}],
    "validators": [{"consensus_key": "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
      "node_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "institution": "cern",
      "power": 10, "operator": "0x2222222222222222222222222222222222222222",
      "capability": {"cpu_threads": 4, "rates": {"pi": 1000}}}],
    "accounts": [{"address": "0x3333333333333333333333333333333333333333", "balance": 1000,
      "institution": "cern", "roles": ["submitter"]}], "params": {"fee_base": 5}})";
  return {std::vector<uint8_t>(doc.begin(), doc.end())};
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = hpchain::genesis::parse_genesis(text);
  if (!doc.is_ok()) {
    HPC_ASSERT(!doc.status().message().empty());
    return 0;
  }
  const std::string json = hpchain::genesis::to_json(*doc);
  auto again = hpchain::genesis::parse_genesis(json);
  HPC_ASSERT(again.is_ok());
  HPC_ASSERT(hpchain::genesis::to_json(*again) == json);
  return 0;
}
