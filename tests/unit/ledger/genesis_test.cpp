// genesis.json: parsing, validation with exact messages, round trip.
#include <gtest/gtest.h>

#include "genesis/genesis.h"

namespace hpchain::genesis {
namespace {

constexpr std::string_view kKey = "02" "79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798";

std::string doc_with(std::string_view validators_power = "10", std::string_view extra = "") {
  return std::string(R"({"chain_id": "test-1", "genesis_time": "2026-12-02T18:00:00Z",
    "institutions": [{"id": "cern", "name": "CERN", "admins": ["0x1111111111111111111111111111111111111111"]}],
    "validators": [{"consensus_key": ")") + std::string(kKey) + R"(", "node_id": ")" + std::string(64, 'a') +
         R"(", "institution": "cern", "power": )" + std::string(validators_power) +
         R"(, "operator": "0x2222222222222222222222222222222222222222"}],
    "accounts": [{"address": "0x3333333333333333333333333333333333333333", "balance": 1000}])" +
         std::string(extra) + "}";
}

TEST(Genesis, AValidDocumentParsesAndRoundTripsThroughJson) {
  auto doc = parse_genesis(doc_with());
  ASSERT_TRUE(doc.is_ok()) << doc.status().message();
  EXPECT_EQ(doc.value().chain_id, "test-1");
  EXPECT_EQ(doc.value().genesis_time_ms, 1796234400000u);
  auto again = parse_genesis(to_json(doc.value()));
  ASSERT_TRUE(again.is_ok()) << again.status().message();
  EXPECT_EQ(to_json(again.value()), to_json(doc.value()));
}

TEST(Genesis, ErrorsNameTheFieldAndWhatIsWrong) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{", "genesis: not valid JSON"},
      {doc_with("0"), "validators: at least one validator must have power > 0"},
      {doc_with("-1"), "validators[0].power: must be a non-negative integer"},
      {doc_with("10", R"(, "params": {"fee_base": 1, "powr": 2})"), "params.powr: unknown field"},
      {doc_with("10", R"(, "params": {"state_retention_heights": 0})"),
       "params.state_retention_heights: must be between 1 and 1000000"},
      {doc_with("10", R"(, "params": {"accepted_kernels": ["pi", "eemumu"]})"),
       "params.accepted_kernels[1]: must be sorted and unique"},
  };
  for (const auto& c : cases) {
    auto doc = parse_genesis(c.text);
    ASSERT_FALSE(doc.is_ok()) << c.message;
    EXPECT_EQ(doc.status().message(), c.message);
  }
  std::string bad_time = doc_with();
  bad_time.replace(bad_time.find("2026-12-02T18"), 13, "2026-02-30T18");
  EXPECT_EQ(parse_genesis(bad_time).status().message(), "genesis_time: is not a valid date and time after 1970");
  std::string bad_inst = doc_with();
  bad_inst.replace(bad_inst.find(R"("institution": "cern")"), 21, R"("institution": "desy")");
  EXPECT_EQ(parse_genesis(bad_inst).status().message(), "validators[0].institution: unknown institution \"desy\"");
  std::string bad_key = doc_with();
  bad_key.replace(bad_key.find(kKey), 2, "05");
  EXPECT_EQ(parse_genesis(bad_key).status().message(),
            "validators[0].consensus_key: not a compressed secp256k1 public key (66 hex digits)");
}

TEST(Genesis, TimesRoundTrip) {
  for (uint64_t ms : {uint64_t{0}, uint64_t{951782400123}, uint64_t{1796234400000}}) {
    EXPECT_EQ(parse_rfc3339_utc(format_rfc3339_utc(ms)).value(), ms);
  }
}

}  // namespace
}  // namespace hpchain::genesis
