#include "compute/unit_result.h"

#include "chain/codec.h"
#include "compute/encoding.h"
#include "compute/planner.h"

namespace hpchain::compute {
namespace {

constexpr std::string_view kUnitMagic = "hpchain.compute.unit.v1";
constexpr uint8_t kOutcomeOk = 0;
constexpr uint8_t kOutcomeFailed = 1;

Status ranges_are_canonical(const std::vector<SampleRange>& covered, uint64_t samples) {
  if (covered.empty()) return Status::failed_precondition("unit covers no samples");
  for (size_t i = 0; i < covered.size(); ++i) {
    const SampleRange& r = covered[i];
    if (r.begin >= r.end || r.end > samples) {
      return Status::failed_precondition("unit range [" + std::to_string(r.begin) + ", " +
                                         std::to_string(r.end) + ") is empty or outside [0, " +
                                         std::to_string(samples) + ")");
    }
    if (i > 0 && r.begin <= covered[i - 1].end) {
      return Status::failed_precondition("unit ranges are not sorted, disjoint and coalesced");
    }
  }
  return Status::ok();
}

// Samples each point must hold, from the ranges the unit claims.
std::vector<uint64_t> claimed_samples(const JobSpec& job, const std::vector<SampleRange>& covered) {
  std::vector<uint64_t> per_point(job.points.size(), 0);
  for (const SampleRange& r : covered) {
    for (const Segment& s : split_into_segments(job, r)) per_point[s.point] += s.end - s.begin;
  }
  return per_point;
}

Status check_identity(const JobSpec& job, const Hash32& job_id, const UnitResult& unit) {
  if (unit.compute_version != kComputeVersion) {
    return Status::failed_precondition("unit was computed by engine version " +
                                       std::to_string(unit.compute_version) + ", this engine is version " +
                                       std::to_string(kComputeVersion));
  }
  if (unit.spec_id != job.spec_id) {
    return Status::failed_precondition("unit is of spec " + unit.spec_id.hex() + ", the job's spec is " +
                                       job.spec_id.hex());
  }
  if (unit.job_id != job_id) {
    return Status::failed_precondition("unit belongs to job " + unit.job_id.hex() + ", not to job " +
                                       job_id.hex());
  }
  return Status::ok();
}

Status check_tallies(const JobSpec& job, const UnitResult& unit) {
  if (unit.partial.points.size() != job.points.size()) {
    return Status::failed_precondition("unit has " + std::to_string(unit.partial.points.size()) +
                                       " points, the job has " + std::to_string(job.points.size()));
  }
  const std::vector<uint64_t> claimed = claimed_samples(job, unit.partial.covered);
  for (size_t p = 0; p < job.points.size(); ++p) {
    const PointTally& tally = unit.partial.points[p];
    if (tally.shape() != job.points[p].instance.shape) {
      return Status::failed_precondition("point " + std::to_string(p) +
                                         ": tally layout does not match the kernel");
    }
    if (tally.counts[0] != claimed[p]) {
      return Status::failed_precondition("point " + std::to_string(p) + ": tally holds " +
                                         std::to_string(tally.counts[0]) + " samples, its ranges claim " +
                                         std::to_string(claimed[p]));
    }
    // Bounded sums also keep merges of any number of disjoint units from
    // wrapping the 256-bit accumulator (accumulator.h).
    for (size_t i = 0; i < tally.sums.size(); ++i) {
      if (tally.flags == 0 && !tally.sums[i].within_terms(tally.counts[0])) {
        return Status::failed_precondition("point " + std::to_string(p) + ": sum " + std::to_string(i) +
                                           " is beyond what its samples can add up to");
      }
    }
  }
  return Status::ok();
}

Result<Hash32> hash_field(const std::string& bytes, const char* what) {
  auto h = Hash32::from_bytes(as_bytes(bytes));
  if (!h.is_ok()) return Status::invalid_argument(std::string(what) + " is not 32 bytes");
  return *h;
}

Result<PointTally> tally_from_proto(const hpchain::v1::PointTally& p) {
  if (p.sums_size() > static_cast<int>(kMaxTallySlots) || p.counts_size() > static_cast<int>(kMaxTallySlots) ||
      p.counts_size() == 0) {
    return Status::invalid_argument("unit tally has no sample count or too many slots");
  }
  PointTally t;
  for (const std::string& sum : p.sums()) {
    if (sum.size() != ExactSum::kBytes) {
      return Status::invalid_argument("unit tally sum is not " + std::to_string(ExactSum::kBytes) + " bytes");
    }
    t.sums.push_back(ExactSum::from_big_endian(reinterpret_cast<const uint8_t*>(sum.data())));
  }
  t.counts.assign(p.counts().begin(), p.counts().end());
  t.vanished = p.vanished();
  t.flags = p.flags();
  if ((t.flags & ~(kTallyOverflow | kTallyNonFinite)) != 0) {
    return Status::invalid_argument("unit tally has unknown flags");
  }
  return t;
}

}  // namespace

UnitResult make_unit_result(const JobSpec& job, const Hash32& job_id, Partial partial) {
  return UnitResult{job.spec_id, job_id, kComputeVersion, std::move(partial)};
}

bool unit_failed(const UnitResult& unit) {
  for (const PointTally& t : unit.partial.points) {
    if (t.flags != 0) return true;
  }
  return false;
}

Bytes encode_unit(const UnitResult& unit) {
  Bytes out;
  put_string(out, kUnitMagic);
  put_hash(out, unit.spec_id);
  put_hash(out, unit.job_id);
  put_u32(out, unit.compute_version);
  put_u32(out, static_cast<uint32_t>(unit.partial.covered.size()));
  for (const SampleRange& r : unit.partial.covered) {
    put_u64(out, r.begin);
    put_u64(out, r.end);
  }
  const bool failed = unit_failed(unit);
  out.push_back(failed ? kOutcomeFailed : kOutcomeOk);
  put_u32(out, static_cast<uint32_t>(unit.partial.points.size()));
  for (const PointTally& t : unit.partial.points) {
    // A flagged tally's sums are meaningless; the outcome is the flags.
    if (failed) {
      put_u32(out, t.flags);
      continue;
    }
    put_u32(out, static_cast<uint32_t>(t.sums.size()));
    for (const ExactSum& s : t.sums) put_sum(out, s);
    put_u32(out, static_cast<uint32_t>(t.counts.size()));
    for (uint64_t c : t.counts) put_u64(out, c);
    put_u64(out, t.vanished);
  }
  return out;
}

Hash32 unit_digest(const UnitResult& unit) { return sha256(encode_unit(unit)); }

Status check_unit(const JobSpec& job, const Hash32& job_id, const UnitResult& unit) {
  HPC_TRY(check_identity(job, job_id, unit));
  HPC_TRY(ranges_are_canonical(unit.partial.covered, job.samples));
  return check_tallies(job, unit);
}

Result<UnitResult> merge_units(const JobSpec& job, const Hash32& job_id,
                               std::span<const UnitResult> units) {
  UnitResult merged = make_unit_result(job, job_id, empty_partial(job));
  for (size_t i = 0; i < units.size(); ++i) {
    const std::string which = "unit " + std::to_string(i);
    HPC_TRY(check_unit(job, job_id, units[i]).with_context(which));
    HPC_TRY(merge_partial(merged.partial, units[i].partial).with_context(which));
  }
  return merged;
}

hpchain::v1::UnitResult unit_to_proto(const UnitResult& unit) {
  hpchain::v1::UnitResult p;
  p.set_spec_id(std::string(as_string_view(unit.spec_id.span())));
  p.set_job_id(std::string(as_string_view(unit.job_id.span())));
  p.set_compute_version(unit.compute_version);
  for (const SampleRange& r : unit.partial.covered) {
    auto* range = p.add_covered();
    range->set_begin(r.begin);
    range->set_end(r.end);
  }
  for (const PointTally& t : unit.partial.points) {
    auto* point = p.add_points();
    for (const ExactSum& s : t.sums) {
      uint8_t bytes[ExactSum::kBytes];
      s.to_big_endian(bytes);
      point->add_sums(reinterpret_cast<const char*>(bytes), ExactSum::kBytes);
    }
    for (uint64_t c : t.counts) point->add_counts(c);
    point->set_vanished(t.vanished);
    point->set_flags(t.flags);
  }
  return p;
}

Result<UnitResult> unit_from_proto(const hpchain::v1::UnitResult& p) {
  if (p.covered_size() > static_cast<int>(kUnitRangesMax) || p.points_size() > static_cast<int>(kUnitPointsMax)) {
    return Status::invalid_argument("unit has too many ranges or points");
  }
  UnitResult unit;
  HPC_ASSIGN_OR_RETURN(unit.spec_id, hash_field(p.spec_id(), "unit spec id"));
  HPC_ASSIGN_OR_RETURN(unit.job_id, hash_field(p.job_id(), "unit job id"));
  unit.compute_version = p.compute_version();
  for (const auto& r : p.covered()) unit.partial.covered.push_back(SampleRange{r.begin(), r.end()});
  for (const auto& point : p.points()) {
    HPC_ASSIGN_OR_RETURN(PointTally t, tally_from_proto(point));
    unit.partial.points.push_back(std::move(t));
  }
  return unit;
}

namespace {
// Parses a bounded message: a peer's bytes cannot make us allocate more.
Status parse_bounded(ByteSpan bytes, google::protobuf::Message& message, const char* what) {
  if (bytes.size() > kUnitBytesMax) {
    return Status::resource_exhausted(std::string(what) + " of " + std::to_string(bytes.size()) +
                                      " bytes exceeds the limit");
  }
  return parse_proto(bytes, message, what);
}
}  // namespace

Result<UnitResult> decode_unit(ByteSpan bytes) {
  hpchain::v1::UnitResult p;
  HPC_TRY(parse_bounded(bytes, p, "unit result"));
  return unit_from_proto(p);
}

Bytes encode_unit_file(const JobSpec& job, const UnitResult& unit) {
  hpchain::v1::UnitResultFile file;
  *file.mutable_spec() = spec_to_proto(job);
  *file.mutable_unit() = unit_to_proto(unit);
  return serialize_proto(file);
}

Result<UnitFile> decode_unit_file(const KernelRegistry& registry, ByteSpan bytes) {
  hpchain::v1::UnitResultFile file;
  HPC_TRY(parse_bounded(bytes, file, "unit file"));
  HPC_ASSIGN_OR_RETURN(JobSpec job, spec_from_proto(registry, file.spec()));
  HPC_ASSIGN_OR_RETURN(UnitResult unit, unit_from_proto(file.unit()));
  HPC_TRY(check_unit(job, unit.job_id, unit));
  return UnitFile{std::move(job), std::move(unit)};
}

Result<UnitFile> decode_unit_file(ByteSpan bytes) { return decode_unit_file(native_kernels(), bytes); }

}  // namespace hpchain::compute
