#include "campaign/shard.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <type_traits>

#include "campaign/lock.h"
#include "campaign/sqlite.h"

namespace convcheck::campaign {

namespace fs = std::filesystem;

namespace {

// FNV-1a, 64 bits: plenty to tell two plans apart, and the same on every machine.
class Fnv64 {
 public:
  void Add(const std::string& text) {
    for (unsigned char c : text) {
      hash_ ^= c;
      hash_ *= 1099511628211ull;
    }
  }
  std::string Hex() const {
    char buffer[17];
    std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(hash_));
    return buffer;
  }

 private:
  uint64_t hash_ = 1469598103934665603ull;
};

// Seconds a job of this kind takes when nothing was measured: only their ratios matter, and
// they follow the torchvision families' sizes (detection and video models are the largest).
int64_t DefaultCostMs(const PlannedJob& job) {
  if (job.source_kind == "torchvision") {
    static const std::map<std::string, int64_t> kFamilies = {
        {"classification", 30000}, {"quantization", 30000}, {"segmentation", 60000},
        {"optical_flow", 60000},   {"detection", 90000},    {"video", 90000}};
    auto it = kFamilies.find(job.family);
    return it == kFamilies.end() ? 30000 : it->second;
  }
  if (job.source_kind == "python") return 5000;
  if (job.source_kind == "generated") return 3000;
  if (job.source_kind == "onnx") return 1000;
  return 30000;
}

std::string FamilyKey(const std::string& source_kind, const std::string& family) {
  return family.empty() ? source_kind : source_kind + "/" + family;
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("cannot read '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json SplitToJson(const Split& split) {
  nlohmann::json shards = nlohmann::json::array();
  for (int k = 1; k <= split.count; ++k) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& [key, shard] : split.shard_of) {
      if (shard == k) keys.push_back(key);
    }
    shards.push_back({{"shard", k},
                      {"expected_s", static_cast<double>(split.expected_ms[k - 1]) / 1000.0},
                      {"keys", keys}});
  }
  return {{"format", "convcheck-split"},
          {"shard_count", split.count},
          {"plan_fingerprint", split.plan_fingerprint},
          {"split", split.fingerprint},
          {"cost_sources", split.cost_sources},
          {"timed_jobs", split.timed_jobs},
          {"shards", shards}};
}

// Reads a field of an untrusted JSON object without throwing: `fallback` when it is missing or
// of another type.
template <typename T>
T Field(const nlohmann::json& object, const char* key, T fallback) {
  if (!object.is_object() || !object.contains(key)) return fallback;
  const nlohmann::json& value = object[key];
  if constexpr (std::is_same_v<T, std::string>) {
    return value.is_string() ? value.get<std::string>() : fallback;
  } else if constexpr (std::is_floating_point_v<T>) {
    return value.is_number() ? value.get<T>() : fallback;
  } else {
    return value.is_number_integer() ? value.get<T>() : fallback;
  }
}

StatusOr<Split> SplitFromJson(const std::string& path) {
  CC_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (Field<std::string>(doc, "format", "") != "convcheck-split" || !doc.contains("shards") ||
      !doc["shards"].is_array()) {
    return DataLoss("'" + path + "' is not a split file written by convcheck");
  }
  Split split;
  split.count = Field<int>(doc, "shard_count", 0);
  if (split.count < 1 || split.count > 10000) {
    return DataLoss("'" + path + "' has shard_count " + std::to_string(split.count) +
                    ", expected 1..10000");
  }
  split.plan_fingerprint = Field<std::string>(doc, "plan_fingerprint", "");
  split.fingerprint = Field<std::string>(doc, "split", "");
  split.timed_jobs = Field<int64_t>(doc, "timed_jobs", 0);
  if (doc.contains("cost_sources") && doc["cost_sources"].is_array()) {
    for (const auto& source : doc["cost_sources"]) {
      if (source.is_string()) split.cost_sources.push_back(source.get<std::string>());
    }
  }
  split.expected_ms.assign(split.count, 0);
  for (const auto& shard : doc["shards"]) {
    const int k = Field<int>(shard, "shard", 0);
    if (k < 1 || k > split.count || !shard.contains("keys") || !shard["keys"].is_array()) {
      return DataLoss("'" + path + "' has a shard entry out of range 1.." +
                      std::to_string(split.count));
    }
    split.expected_ms[k - 1] = std::llround(Field<double>(shard, "expected_s", 0.0) * 1000.0);
    for (const auto& key : shard["keys"]) {
      if (key.is_string()) split.shard_of[key.get<std::string>()] = k;
    }
  }
  return split;
}

// Creates `path` with `text` unless it exists: written aside, then hard-linked into place, which
// fails with EEXIST when another shard was first (also on NFS, unlike O_EXCL on old clients).
// Returns false when the file already existed.
StatusOr<bool> CreateExclusive(const std::string& path, const std::string& text) {
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  const std::string tmp = path + ".tmp." + host + "." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) return FailedPrecondition("cannot write '" + tmp + "'");
  }
  int rc = link(tmp.c_str(), path.c_str());
  const int error = errno;
  std::error_code ec;
  fs::remove(tmp, ec);
  if (rc == 0) return true;
  if (error == EEXIST) return false;
  return FailedPrecondition("cannot create '" + path + "': " + std::strerror(error));
}

}  // namespace

StatusOr<ShardId> ParseShardId(const std::string& text) {
  static const std::regex kForm(R"(([0-9]{1,5})/([0-9]{1,5}))");
  std::smatch match;
  if (std::regex_match(text, match, kForm)) {
    ShardId id{std::stoi(match[1].str()), std::stoi(match[2].str())};
    if (id.count >= 1 && id.count <= 10000 && id.index >= 1 && id.index <= id.count) return id;
  }
  return InvalidArgument("--shard '" + text + "': expected K/N with 1 <= K <= N <= 10000");
}

std::string ShardsDir(const std::string& db_path) { return db_path + ".shards"; }

std::string ShardStorePath(const std::string& db_path, ShardId id) {
  return ShardsDir(db_path) + "/" + std::to_string(id.index) + "-of-" + std::to_string(id.count) +
         ".sqlite";
}

std::string SplitPath(const std::string& db_path, int count) {
  return ShardsDir(db_path) + "/split-of-" + std::to_string(count) + ".json";
}

std::string PlanFingerprint(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  Fnv64 hash;
  for (const auto& key : keys) hash.Add(key + "\n");
  return hash.Hex();
}

namespace {

Status AddCosts(const std::string& path, CostModel& model) {
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(path, /*read_only=*/true));
  CC_ASSIGN_OR_RETURN(Statement stmt,
                      store->db().Prepare("SELECT key, source_kind, family, wall_s FROM jobs "
                                          "WHERE status = 'done' AND wall_s IS NOT NULL"));
  while (true) {
    CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    const int64_t ms = std::max<int64_t>(1, std::llround(stmt.Real(3) * 1000.0));
    // The first store that ran a key decides its cost, so the order of --cost-from matters
    // and nothing else does.
    model.by_key_ms.emplace(stmt.Text(0), ms);
    const std::string kind = stmt.Text(1), family = stmt.Text(2);
    auto add = [&](const std::string& group) {
      model.by_family[group].first += ms;
      ++model.by_family[group].second;
    };
    add(FamilyKey(kind, ""));
    if (!family.empty()) add(FamilyKey(kind, family));
  }
  return Status::Ok();
}

}  // namespace

StatusOr<CostModel> LoadCostModel(const std::vector<std::string>& store_paths,
                                  bool skip_unreadable) {
  CostModel model;
  std::set<std::string> seen;
  for (const auto& path : store_paths) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    const std::string canonical = fs::weakly_canonical(path, ec).string();
    if (!seen.insert(canonical).second) continue;
    CostModel one = model;
    Status added = AddCosts(path, one);
    if (!added.ok()) {
      if (skip_unreadable) continue;
      return added;
    }
    model = std::move(one);
    model.sources.push_back(path);
  }
  return model;
}

int64_t ExpectedCostMs(const PlannedJob& job, const CostModel& model) {
  auto known = model.by_key_ms.find(job.key);
  if (known != model.by_key_ms.end()) return known->second;
  for (const std::string& family :
       {FamilyKey(job.source_kind, job.family), FamilyKey(job.source_kind, "")}) {
    auto it = model.by_family.find(family);
    if (it != model.by_family.end() && it->second.second > 0) {
      return std::max<int64_t>(1, it->second.first / it->second.second);
    }
  }
  return DefaultCostMs(job);
}

Split SplitPlan(const std::vector<PlannedJob>& jobs, int count, const CostModel& model) {
  Split split;
  split.count = count;
  split.expected_ms.assign(count, 0);
  std::vector<std::string> keys;
  for (const auto& job : jobs) keys.push_back(job.key);
  split.plan_fingerprint = PlanFingerprint(keys);

  // Groups: the jobs of one source, in plan order.
  struct Group {
    std::string first_key;
    int64_t cost_ms = 0;
    std::vector<size_t> jobs;
  };
  std::vector<Group> groups;
  std::map<std::string, size_t> group_of_source;
  for (size_t i = 0; i < jobs.size(); ++i) {
    auto [it, added] = group_of_source.emplace(jobs[i].source, groups.size());
    if (added) groups.push_back({jobs[i].key, 0, {}});
    Group& group = groups[it->second];
    group.jobs.push_back(i);
    group.cost_ms += ExpectedCostMs(jobs[i], model);
  }
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    return a.cost_ms != b.cost_ms ? a.cost_ms > b.cost_ms : a.first_key < b.first_key;
  });
  for (const Group& group : groups) {
    const int shard =
        static_cast<int>(std::min_element(split.expected_ms.begin(), split.expected_ms.end()) -
                         split.expected_ms.begin());
    split.expected_ms[shard] += group.cost_ms;
    for (size_t i : group.jobs) split.shard_of[jobs[i].key] = shard + 1;
  }
  Fnv64 hash;
  for (const auto& [key, shard] : split.shard_of)
    hash.Add(key + "\t" + std::to_string(shard) + "\n");
  split.fingerprint = hash.Hex();
  return split;
}

StatusOr<Split> DecideSplit(const std::string& db_path, const std::vector<PlannedJob>& jobs,
                            int count, const std::vector<std::string>& cost_from,
                            std::string* note) {
  std::vector<std::string> keys;
  for (const auto& job : jobs) keys.push_back(job.key);
  const std::string fingerprint = PlanFingerprint(keys);
  const std::string path = SplitPath(db_path, count);
  std::error_code ec;
  fs::create_directories(ShardsDir(db_path), ec);
  if (ec) {
    return FailedPrecondition("cannot create the shards folder '" + ShardsDir(db_path) +
                              "': " + ec.message());
  }
  if (!fs::exists(path)) {
    // Timings: what the user named first, then whatever this campaign already recorded (the
    // merged store, shard stores of this or another N).
    // The stores found here are hints: one may be a shard store another task is creating.
    CC_RETURN_IF_ERROR(LoadCostModel(cost_from, /*skip_unreadable=*/false).status());
    std::vector<std::string> sources = cost_from;
    sources.push_back(db_path);
    for (const auto& store : FindShardStores(db_path)) sources.push_back(store);
    CC_ASSIGN_OR_RETURN(CostModel model, LoadCostModel(sources, /*skip_unreadable=*/true));
    Split split = SplitPlan(jobs, count, model);
    split.cost_sources = model.sources;
    split.timed_jobs = static_cast<int64_t>(model.by_key_ms.size());
    CC_ASSIGN_OR_RETURN(bool created, CreateExclusive(path, SplitToJson(split).dump(1) + "\n"));
    if (created) {
      if (note != nullptr) {
        *note = "split " + std::to_string(jobs.size()) + " jobs into " + std::to_string(count) +
                " shards (" + path + "; timings of " + std::to_string(split.timed_jobs) +
                " earlier jobs)";
      }
      return split;
    }
  }
  CC_ASSIGN_OR_RETURN(Split split, SplitFromJson(path));
  if (split.plan_fingerprint != fingerprint || split.count != count) {
    return FailedPrecondition(
        "the split '" + path + "' was made for another plan (fingerprint " +
        split.plan_fingerprint + ", this command plans " + fingerprint +
        "): the suites or options changed; use another --db (with --cost-from OLD.sqlite to "
        "reuse its timings)");
  }
  if (note != nullptr) *note = "using the split in " + path;
  return split;
}

std::function<StatusOr<std::vector<PlannedJob>>(std::vector<PlannedJob>, Store&)> MakeShardSelector(
    const std::string& db_path, ShardId id, std::vector<std::string> cost_from,
    std::ostream& notes) {
  return [db_path, id, cost_from, &notes](std::vector<PlannedJob> plan,
                                          Store& store) -> StatusOr<std::vector<PlannedJob>> {
    std::vector<std::string> keys;
    for (const auto& job : plan) keys.push_back(job.key);
    const std::string fingerprint = PlanFingerprint(keys);
    const std::string where = store.db().path();
    CC_ASSIGN_OR_RETURN(std::string stored_fingerprint, store.GetMeta("plan_fingerprint"));
    CC_ASSIGN_OR_RETURN(std::string stored_index, store.GetMeta("shard_index"));
    CC_ASSIGN_OR_RETURN(int64_t stored_jobs, QueryInt(store.db(), "SELECT count(*) FROM jobs"));
    if (!stored_fingerprint.empty() && stored_fingerprint != fingerprint) {
      return FailedPrecondition("shard store '" + where +
                                "' belongs to another plan (fingerprint " + stored_fingerprint +
                                ", this command plans " + fingerprint +
                                "): the suites or options changed; use another --db");
    }
    if (stored_jobs > 0 && stored_index.empty()) {
      return FailedPrecondition("'" + where + "' holds an unsharded campaign, not shard " +
                                std::to_string(id.index) + "/" + std::to_string(id.count));
    }
    std::vector<PlannedJob> mine;
    if (stored_jobs > 0) {
      // A resumed shard keeps the jobs it was given, whatever a new split would say.
      std::set<std::string> stored;
      CC_ASSIGN_OR_RETURN(Statement stmt, store.db().Prepare("SELECT key FROM jobs"));
      while (true) {
        CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        stored.insert(stmt.Text(0));
      }
      for (auto& job : plan) {
        if (stored.count(job.key)) mine.push_back(std::move(job));
      }
      notes << "shard " << id.index << "/" << id.count << ": resuming its " << mine.size()
            << " jobs of " << keys.size() << "\n";
      return mine;
    }
    std::string note;
    CC_ASSIGN_OR_RETURN(Split split, DecideSplit(db_path, plan, id.count, cost_from, &note));
    for (auto& job : plan) {
      auto it = split.shard_of.find(job.key);
      if (it == split.shard_of.end()) {
        return FailedPrecondition("job '" + job.key + "' is missing from the split of " +
                                  SplitPath(db_path, id.count));
      }
      if (it->second == id.index) mine.push_back(std::move(job));
    }
    nlohmann::json sources = split.cost_sources;
    CC_RETURN_IF_ERROR(store.SetMeta("shard_index", std::to_string(id.index)));
    CC_RETURN_IF_ERROR(store.SetMeta("shard_count", std::to_string(id.count)));
    CC_RETURN_IF_ERROR(store.SetMeta("plan_fingerprint", fingerprint));
    CC_RETURN_IF_ERROR(store.SetMeta("plan_jobs", std::to_string(keys.size())));
    CC_RETURN_IF_ERROR(store.SetMeta("shard_split", split.fingerprint));
    CC_RETURN_IF_ERROR(store.SetMeta(
        "shard_expected_s",
        std::to_string(static_cast<double>(split.expected_ms[id.index - 1]) / 1000.0)));
    CC_RETURN_IF_ERROR(store.SetMeta("cost_sources", sources.dump()));
    notes << note << "\nshard " << id.index << "/" << id.count << ": " << mine.size() << " of "
          << keys.size() << " jobs, about "
          << static_cast<double>(split.expected_ms[id.index - 1]) / 1000.0
          << " s of work expected\n";
    return mine;
  };
}

bool ShardInfo::complete() const {
  auto done = counts.by_status.find("done");
  return (done == counts.by_status.end() ? 0 : done->second) == counts.planned;
}

StatusOr<ShardInfo> ReadShardInfo(const std::string& path) {
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(path, /*read_only=*/true));
  ShardInfo info;
  info.path = path;
  CC_ASSIGN_OR_RETURN(std::string index, store->GetMeta("shard_index"));
  CC_ASSIGN_OR_RETURN(std::string count, store->GetMeta("shard_count"));
  if (index.empty() || count.empty()) {
    CC_ASSIGN_OR_RETURN(int64_t jobs, QueryInt(store->db(), "SELECT count(*) FROM jobs"));
    if (jobs == 0) {
      // Created by a shard run that ended (or is still) planning: nothing to merge yet.
      return NotFound("shard store '" + path + "' has not planned its jobs yet");
    }
    return FailedPrecondition("'" + path +
                              "' is a campaign store but not a shard (no shard_index in its "
                              "meta; `campaign run --shard K/N` writes shards)");
  }
  info.id = {std::atoi(index.c_str()), std::atoi(count.c_str())};
  CC_ASSIGN_OR_RETURN(info.plan_fingerprint, store->GetMeta("plan_fingerprint"));
  CC_ASSIGN_OR_RETURN(info.split, store->GetMeta("shard_split"));
  CC_ASSIGN_OR_RETURN(std::string plan_jobs, store->GetMeta("plan_jobs"));
  info.plan_jobs = std::atoll(plan_jobs.c_str());
  CC_ASSIGN_OR_RETURN(std::string expected, store->GetMeta("shard_expected_s"));
  info.expected_s = std::atof(expected.c_str());
  CC_ASSIGN_OR_RETURN(info.updated_at, store->GetMeta("updated_at"));
  CC_ASSIGN_OR_RETURN(info.counts, store->Counts());
  CC_ASSIGN_OR_RETURN(Statement seconds,
                      store->db().Prepare("SELECT coalesce(sum(wall_s), 0) FROM jobs WHERE "
                                          "status = 'done'"));
  CC_ASSIGN_OR_RETURN(bool row, seconds.Step());
  if (row) info.job_seconds = seconds.Real(0);
  info.lock_holder = LockHolder(path);
  return info;
}

std::vector<std::string> FindShardStores(const std::string& db_path) {
  static const std::regex kName(R"(([0-9]{1,5})-of-([0-9]{1,5})\.sqlite)");
  std::vector<std::pair<std::pair<int, int>, std::string>> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(ShardsDir(db_path), ec)) {
    const std::string name = entry.path().filename().string();
    std::smatch match;
    if (!std::regex_match(name, match, kName)) continue;
    found.push_back(
        {{std::stoi(match[2].str()), std::stoi(match[1].str())}, entry.path().string()});
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> paths;
  for (auto& [order, path] : found) paths.push_back(std::move(path));
  return paths;
}

}  // namespace convcheck::campaign
