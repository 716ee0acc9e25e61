#include "campaign/merge.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "campaign/lock.h"
#include "campaign/shard.h"
#include "campaign/sqlite.h"
#include "campaign/store.h"

namespace convcheck::campaign {

namespace fs = std::filesystem;

namespace {

struct Input {
  std::string path;
  ShardInfo info;
  std::string created_at;
};

// A shard's failure group, competing to represent its signature in the merged store.
struct Candidate {
  size_t input = 0;
  int64_t failure_id = 0;  // In the shard.
  int64_t first_job = 0;   // Merged id of its representative job.
  std::string reproducer;  // As the shard recorded it.
};

int64_t StatusCount(const CampaignCounts& counts, const std::string& status) {
  auto it = counts.by_status.find(status);
  return it == counts.by_status.end() ? 0 : it->second;
}

std::string Quote(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// One column of every row `sql` returns.
StatusOr<std::vector<std::string>> TextColumn(Database& db, const std::string& sql, int column) {
  CC_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  std::vector<std::string> values;
  while (true) {
    CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    values.push_back(stmt.Text(column));
  }
  return values;
}

StatusOr<std::vector<std::string>> Columns(Database& db, const std::string& schema,
                                           const std::string& table) {
  return TextColumn(db, "PRAGMA " + schema + ".table_info(" + Quote(table) + ")", 1);
}

// Columns a shard's table has and the merged one lacks (a shard written by a newer convcheck)
// are added, with their type, so that nothing it recorded is dropped.
Status AddMissingColumns(Database& db, const std::string& table) {
  CC_ASSIGN_OR_RETURN(std::vector<std::string> have, Columns(db, "main", table));
  CC_ASSIGN_OR_RETURN(Statement stmt, db.Prepare("PRAGMA src.table_info(" + Quote(table) + ")"));
  std::vector<std::pair<std::string, std::string>> missing;
  while (true) {
    CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    if (std::find(have.begin(), have.end(), stmt.Text(1)) == have.end()) {
      missing.push_back({stmt.Text(1), stmt.Text(2)});
    }
  }
  for (const auto& [column, type] : missing) {
    CC_RETURN_IF_ERROR(db.Exec("ALTER TABLE main." + Quote(table) + " ADD COLUMN " + Quote(column) +
                               " " + type + ";"));
  }
  return Status::Ok();
}

StatusOr<std::vector<std::string>> Tables(Database& db, const std::string& schema) {
  return TextColumn(db,
                    "SELECT name FROM " + schema +
                        ".sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY "
                        "name",
                    0);
}

// The columns of `from` that `to` has too, minus `skip`, in `from`'s order.
std::vector<std::string> Common(const std::vector<std::string>& from,
                                const std::vector<std::string>& to,
                                const std::set<std::string>& skip) {
  std::vector<std::string> common;
  for (const auto& column : from) {
    if (!skip.count(column) && std::find(to.begin(), to.end(), column) != to.end()) {
      common.push_back(column);
    }
  }
  return common;
}

std::string JoinColumns(const std::vector<std::string>& columns, const std::string& prefix) {
  std::string text;
  for (const auto& column : columns) text += (text.empty() ? "" : ", ") + prefix + Quote(column);
  return text;
}

// The folder a shard's reproducer is in now. The shard wrote it as "<its db path as its run
// named it>.artifacts/...", relative or absolute, from wherever it ran; what follows the
// shard's file name is what locates it next to the shard file as it is now. "" for a path
// outside the shard's artifacts (a check job's own case, kept where it is).
std::string ShardArtifact(const std::string& reproducer, const std::string& shard_path) {
  const std::string marker = fs::path(shard_path).filename().string() + ".artifacts/";
  const size_t at = reproducer.rfind(marker);
  if (at == std::string::npos || (at != 0 && reproducer[at - 1] != '/')) return "";
  return shard_path + ".artifacts/" + reproducer.substr(at + marker.size());
}

// Hard links cost nothing and survive the shard's deletion; a copy where links cannot be made
// (another file system).
Status LinkTree(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) return FailedPrecondition("cannot create '" + to.string() + "': " + ec.message());
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    const fs::path target = to / fs::relative(it->path(), from);
    if (it->is_directory()) {
      fs::create_directories(target, ec);
    } else if (it->is_symlink()) {
      fs::copy_symlink(it->path(), target, ec);
    } else {
      fs::create_hard_link(it->path(), target, ec);
      if (ec) {
        ec.clear();
        fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, ec);
      }
    }
    if (ec) break;
  }
  if (ec) {
    return FailedPrecondition("cannot link the reproducer '" + from.string() + "' into '" +
                              to.string() + "': " + ec.message());
  }
  return Status::Ok();
}

StatusOr<std::vector<Input>> ReadInputs(const MergeOptions& options, const std::string& out,
                                        MergeSummary& summary) {
  std::vector<Input> inputs;
  std::map<std::pair<dev_t, ino_t>, std::string> seen;
  struct stat out_stat {};
  const bool out_exists = stat(out.c_str(), &out_stat) == 0;
  for (const auto& path : options.shard_paths) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      return NotFound("shard store '" + path + "' does not exist");
    }
    if (out_exists && st.st_dev == out_stat.st_dev && st.st_ino == out_stat.st_ino) {
      return InvalidArgument("'" + path + "' is the output file itself, not a shard");
    }
    auto [it, added] = seen.emplace(std::make_pair(st.st_dev, st.st_ino), path);
    if (!added) {
      summary.warnings.push_back("'" + path + "' is the same file as '" + it->second +
                                 "': merged once");
      continue;
    }
    StatusOr<ShardInfo> info = ReadShardInfo(path);
    if (info.status().code() == StatusCode::kNotFound) {
      summary.warnings.push_back(info.status().message() + ": skipped");
      continue;
    }
    if (!info.ok()) return info.status();
    inputs.push_back({path, *info, ""});
  }
  std::stable_sort(inputs.begin(), inputs.end(), [](const Input& a, const Input& b) {
    return a.info.id.index < b.info.id.index;
  });
  return inputs;
}

Status CheckInputs(const std::vector<Input>& inputs, const MergeOptions& options,
                   MergeSummary& summary) {
  const Input& first = inputs.front();
  for (const Input& in : inputs) {
    if (in.info.plan_fingerprint != first.info.plan_fingerprint) {
      return FailedPrecondition("shard '" + in.path + "' belongs to another plan (plan " +
                                in.info.plan_fingerprint + ", '" + first.path + "' has " +
                                first.info.plan_fingerprint +
                                "): merge only the shards of one campaign");
    }
    if (in.info.id.count != first.info.id.count) {
      return FailedPrecondition("'" + in.path + "' is a shard of " +
                                std::to_string(in.info.id.count) + " but '" + first.path +
                                "' is one of " + std::to_string(first.info.id.count) +
                                ": merge the shards of one split");
    }
    if (in.info.split != first.info.split) {
      return FailedPrecondition("'" + in.path + "' and '" + first.path +
                                "' were split differently (split " + in.info.split + " vs " +
                                first.info.split +
                                "): their jobs may overlap; run the odd shard again into a "
                                "fresh store");
    }
  }
  for (size_t i = 1; i < inputs.size(); ++i) {
    if (inputs[i].info.id.index == inputs[i - 1].info.id.index) {
      return FailedPrecondition("'" + inputs[i - 1].path + "' and '" + inputs[i].path +
                                "' are both shard " + std::to_string(inputs[i].info.id.index) +
                                "/" + std::to_string(inputs[i].info.id.count) +
                                ": give one of them (two runs of a shard may hold different "
                                "results for the same jobs)");
    }
  }
  for (const Input& in : inputs) {
    const int64_t left_running = StatusCount(in.info.counts, "running");
    if (!in.info.lock_holder.empty()) {
      if (!options.allow_running) {
        return FailedPrecondition("shard '" + in.path + "' is still running (" +
                                  in.info.lock_holder +
                                  "): wait for it to end, or pass --allow-running to merge what "
                                  "it has recorded so far");
      }
      summary.warnings.push_back("shard '" + in.path +
                                 "' is still running: merged as recorded so far, its " +
                                 std::to_string(left_running) + " running jobs as pending");
    } else if (left_running > 0) {
      summary.warnings.push_back(
          "shard '" + in.path + "' has " + std::to_string(left_running) +
          " jobs left running by a run that ended (killed or out of time): they are pending "
          "in the merged store; run the shard's command again to finish them");
    }
  }
  if (static_cast<int>(inputs.size()) < first.info.id.count) {
    std::string missing;
    size_t next = 0;
    for (int k = 1; k <= first.info.id.count; ++k) {
      if (next < inputs.size() && inputs[next].info.id.index == k) {
        ++next;
      } else {
        missing += (missing.empty() ? "" : ", ") + std::to_string(k);
      }
    }
    summary.warnings.push_back(
        "merging " + std::to_string(inputs.size()) + " of " + std::to_string(first.info.id.count) +
        " shards (missing: " + missing + "): the merged store lacks their jobs");
  }
  return Status::Ok();
}

// OUT is either new or an earlier merge of the same plan: merge never overwrites a campaign it
// did not write.
Status CheckOutput(const std::string& out, const std::string& fingerprint) {
  if (!fs::exists(out)) return Status::Ok();
  CC_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(out, /*read_only=*/true));
  CC_ASSIGN_OR_RETURN(std::string merged_from, store->GetMeta("merged_from"));
  if (merged_from.empty()) {
    return FailedPrecondition("'" + out +
                              "' exists and is not a merged campaign (no merged_from in its "
                              "meta): choose another output; merge only replaces its own");
  }
  CC_ASSIGN_OR_RETURN(std::string existing, store->GetMeta("plan_fingerprint"));
  if (existing != fingerprint) {
    return FailedPrecondition("'" + out + "' is a merge of another plan (plan " + existing +
                              ", these shards " + fingerprint +
                              "): choose another output or delete it");
  }
  return Status::Ok();
}

// Copies one attached shard ("src") into the merged store: its jobs under their merged ids,
// the rows of every job table, its meta where the merged store has none yet; collects its
// failure groups.
Status CopyShard(Database& db, const std::map<int64_t, int64_t>& new_ids, size_t input,
                 std::vector<Candidate>& candidates, std::string& created_at) {
  CC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
  CC_RETURN_IF_ERROR(db.Exec("DELETE FROM temp.idmap;"));
  {
    CC_ASSIGN_OR_RETURN(Statement insert,
                        db.Prepare("INSERT INTO temp.idmap(old, new) VALUES (?1, ?2)"));
    for (const auto& [old_id, new_id] : new_ids) {
      CC_RETURN_IF_ERROR(insert.BindAll({old_id, new_id}));
      CC_ASSIGN_OR_RETURN(bool row, insert.Step());
      (void)row;
      CC_RETURN_IF_ERROR(insert.Reset());
    }
  }
  CC_RETURN_IF_ERROR(AddMissingColumns(db, "jobs"));
  CC_ASSIGN_OR_RETURN(std::vector<std::string> main_jobs, Columns(db, "main", "jobs"));
  CC_ASSIGN_OR_RETURN(std::vector<std::string> src_jobs, Columns(db, "src", "jobs"));
  // The failure group and the reproducer are recomputed once every shard is in.
  const std::vector<std::string> job_columns =
      Common(src_jobs, main_jobs, {"id", "failure_id", "artifact_dir"});
  CC_RETURN_IF_ERROR(db.Exec("INSERT INTO main.jobs(id, " + JoinColumns(job_columns, "") +
                             ") SELECT m.new, " + JoinColumns(job_columns, "s.") +
                             " FROM src.jobs s JOIN temp.idmap m ON m.old = s.id;"));

  CC_ASSIGN_OR_RETURN(std::vector<std::string> src_tables, Tables(db, "src"));
  CC_ASSIGN_OR_RETURN(std::vector<std::string> main_tables, Tables(db, "main"));
  for (const auto& table : src_tables) {
    if (table == "meta" || table == "jobs" || table == "failures") continue;
    if (std::find(main_tables.begin(), main_tables.end(), table) == main_tables.end()) {
      // A table of a newer convcheck: take its definition along.
      CC_ASSIGN_OR_RETURN(Statement sql, db.Prepare("SELECT sql FROM src.sqlite_master WHERE "
                                                    "type = 'table' AND name = ?1"));
      CC_RETURN_IF_ERROR(sql.Bind(1, table));
      CC_ASSIGN_OR_RETURN(bool row, sql.Step());
      if (!row) continue;
      CC_RETURN_IF_ERROR(db.Exec(sql.Text(0) + ";"));
      main_tables.push_back(table);
    }
    CC_RETURN_IF_ERROR(AddMissingColumns(db, table));
    CC_ASSIGN_OR_RETURN(std::vector<std::string> from, Columns(db, "src", table));
    CC_ASSIGN_OR_RETURN(std::vector<std::string> to, Columns(db, "main", table));
    const std::vector<std::string> columns = Common(from, to, {});
    if (columns.empty()) continue;
    if (std::find(columns.begin(), columns.end(), "job_id") != columns.end()) {
      std::string select;
      for (const auto& column : columns) {
        select += (select.empty() ? "" : ", ") +
                  (column == "job_id" ? std::string("m.new") : "s." + Quote(column));
      }
      CC_RETURN_IF_ERROR(db.Exec("INSERT INTO main." + Quote(table) + "(" +
                                 JoinColumns(columns, "") + ") SELECT " + select + " FROM src." +
                                 Quote(table) + " s JOIN temp.idmap m ON m.old = s.job_id;"));
    } else {
      CC_RETURN_IF_ERROR(db.Exec("INSERT OR IGNORE INTO main." + Quote(table) + "(" +
                                 JoinColumns(columns, "") + ") SELECT " +
                                 JoinColumns(columns, "s.") + " FROM src." + Quote(table) + " s;"));
    }
  }
  CC_RETURN_IF_ERROR(
      db.Exec("INSERT OR IGNORE INTO main.meta(key, value) SELECT key, value FROM src.meta;"));
  {
    CC_ASSIGN_OR_RETURN(Statement created,
                        db.Prepare("SELECT value FROM src.meta WHERE key = 'created_at'"));
    CC_ASSIGN_OR_RETURN(bool row, created.Step());
    if (row) created_at = created.Text(0);
  }
  CC_ASSIGN_OR_RETURN(Statement failures,
                      db.Prepare("SELECT id, first_job_id, reproducer FROM src.failures"));
  while (true) {
    CC_ASSIGN_OR_RETURN(bool row, failures.Step());
    if (!row) break;
    Candidate candidate;
    candidate.input = input;
    candidate.failure_id = failures.Int(0);
    auto it = new_ids.find(failures.Int(1));
    candidate.first_job = it == new_ids.end() ? std::numeric_limits<int64_t>::max() : it->second;
    candidate.reproducer = failures.Text(2);
    candidates.push_back(candidate);
  }
  return txn.Commit();
}

// Runs `body` with the shard attached as "src" (ATTACH cannot happen inside a transaction, and
// SQLite attaches only a few files at once).
template <typename Body>
Status WithAttached(Database& db, const std::string& path, Body body) {
  CC_RETURN_IF_ERROR(db.Run("ATTACH DATABASE ?1 AS src", {path}));
  Status status = body();
  Status detached = db.Exec("DETACH DATABASE src;");
  CC_RETURN_IF_ERROR(status);
  return detached;
}

// Replaces OUT and its artifacts by the ones built aside. A crash between the renames leaves a
// store whose reproducers may be missing; merging again repairs it.
Status Install(const std::string& built, const std::string& out) {
  std::error_code ec;
  // A write-ahead log of the old file must not be replayed into the new one.
  fs::remove(out + "-wal", ec);
  fs::remove(out + "-shm", ec);
  const std::string artifacts = out + ".artifacts", old = out + ".artifacts.old";
  fs::remove_all(old, ec);
  if (fs::exists(artifacts)) {
    fs::rename(artifacts, old, ec);
    if (ec) {
      return FailedPrecondition("cannot move '" + artifacts + "' aside: " + ec.message());
    }
  }
  if (fs::exists(built + ".artifacts")) {
    fs::rename(built + ".artifacts", artifacts, ec);
    if (ec) return FailedPrecondition("cannot rename into '" + artifacts + "': " + ec.message());
  }
  fs::rename(built, out, ec);
  if (ec) return FailedPrecondition("cannot rename into '" + out + "': " + ec.message());
  fs::remove_all(old, ec);
  return Status::Ok();
}

}  // namespace

StatusOr<MergeSummary> MergeShards(const MergeOptions& options) {
  MergeSummary summary;
  if (options.shard_paths.empty()) return InvalidArgument("merge: no shard stores given");
  const std::string out = fs::absolute(options.out_path).lexically_normal().string();
  CC_ASSIGN_OR_RETURN(std::vector<Input> inputs, ReadInputs(options, out, summary));
  if (inputs.empty()) {
    return FailedPrecondition("none of the shards has planned its jobs yet: nothing to merge");
  }
  CC_RETURN_IF_ERROR(CheckInputs(inputs, options, summary));
  const ShardInfo& first = inputs.front().info;
  summary.shard_count = first.id.count;
  summary.plan_jobs = first.plan_jobs;
  CC_RETURN_IF_ERROR(CheckOutput(out, first.plan_fingerprint));
  // Two merges into one file at once would rename each other's work away.
  CC_ASSIGN_OR_RETURN(StoreLock lock, StoreLock::Acquire(out));

  // Merged ids: every job of every shard, in key order.
  struct JobRef {
    std::string key;
    size_t input;
    int64_t old_id;
  };
  std::vector<JobRef> refs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    CC_ASSIGN_OR_RETURN(std::unique_ptr<Database> shard,
                        Database::Open(inputs[i].path, Database::Mode::kReadOnly));
    CC_ASSIGN_OR_RETURN(Statement stmt, shard->Prepare("SELECT id, key FROM jobs"));
    while (true) {
      CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      refs.push_back({stmt.Text(1), i, stmt.Int(0)});
    }
  }
  std::sort(refs.begin(), refs.end(), [](const JobRef& a, const JobRef& b) {
    return a.key != b.key ? a.key < b.key : a.input < b.input;
  });
  std::vector<std::map<int64_t, int64_t>> new_ids(inputs.size());
  std::vector<std::string> keys;
  for (size_t n = 0; n < refs.size(); ++n) {
    if (n > 0 && refs[n].key == refs[n - 1].key) {
      return FailedPrecondition("job '" + refs[n].key + "' is in both '" +
                                inputs[refs[n - 1].input].path + "' and '" +
                                inputs[refs[n].input].path + "': the shards overlap");
    }
    new_ids[refs[n].input][refs[n].old_id] = static_cast<int64_t>(n) + 1;
    keys.push_back(refs[n].key);
  }
  if (static_cast<int>(inputs.size()) == first.id.count &&
      PlanFingerprint(keys) != first.plan_fingerprint) {
    summary.warnings.push_back("the shards hold " + std::to_string(keys.size()) +
                               " jobs but the plan has " + std::to_string(first.plan_jobs) +
                               ": a shard has not planned its part yet (run it again)");
  }

  const std::string built = out + ".merging";
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(built + suffix, ec);
  fs::remove_all(built + ".artifacts", ec);
  {
    CC_ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(built));
    Database& db = store->db();
    CC_RETURN_IF_ERROR(
        db.Exec("CREATE TEMP TABLE idmap(old INTEGER PRIMARY KEY, new INTEGER NOT NULL);"));
    std::vector<Candidate> candidates;
    for (size_t i = 0; i < inputs.size(); ++i) {
      CC_RETURN_IF_ERROR(WithAttached(db, inputs[i].path, [&] {
        return CopyShard(db, new_ids[i], i, candidates, inputs[i].created_at);
      }));
    }

    // One failure group per signature, represented by the group whose first job comes first.
    std::map<std::string, Candidate> best;
    for (const Candidate& candidate : candidates) {
      CC_ASSIGN_OR_RETURN(Statement signature,
                          db.Prepare("SELECT signature FROM jobs WHERE id = ?1"));
      CC_RETURN_IF_ERROR(signature.Bind(1, candidate.first_job));
      CC_ASSIGN_OR_RETURN(bool row, signature.Step());
      if (!row || signature.Text(0).empty()) continue;  // Its first job is not done any more.
      auto [it, added] = best.emplace(signature.Text(0), candidate);
      if (!added && candidate.first_job < it->second.first_job) it->second = candidate;
    }
    std::vector<Candidate> winners;
    for (const auto& [signature, candidate] : best) winners.push_back(candidate);
    std::sort(winners.begin(), winners.end(),
              [](const Candidate& a, const Candidate& b) { return a.first_job < b.first_job; });
    for (size_t i = 0; i < inputs.size(); ++i) {
      bool any = std::any_of(winners.begin(), winners.end(),
                             [&](const Candidate& c) { return c.input == i; });
      if (!any) continue;
      CC_RETURN_IF_ERROR(WithAttached(db, inputs[i].path, [&]() -> Status {
        CC_RETURN_IF_ERROR(AddMissingColumns(db, "failures"));
        CC_ASSIGN_OR_RETURN(std::vector<std::string> from, Columns(db, "src", "failures"));
        CC_ASSIGN_OR_RETURN(std::vector<std::string> to, Columns(db, "main", "failures"));
        const std::vector<std::string> columns =
            Common(from, to, {"id", "count", "first_job_id", "reproducer"});
        CC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
        CC_ASSIGN_OR_RETURN(
            Statement insert,
            db.Prepare("INSERT INTO main.failures(id, first_job_id, reproducer, count, " +
                       JoinColumns(columns, "") + ") SELECT ?1, ?2, ?3, 0, " +
                       JoinColumns(columns, "s.") + " FROM src.failures s WHERE s.id = ?4"));
        for (size_t w = 0; w < winners.size(); ++w) {
          const Candidate& winner = winners[w];
          if (winner.input != i) continue;
          const int64_t id = static_cast<int64_t>(w) + 1;
          std::string reproducer = winner.reproducer;
          const std::string located = ShardArtifact(winner.reproducer, inputs[i].path);
          if (!located.empty()) {
            const std::string name = "/failures/" + std::to_string(id);
            if (fs::is_directory(located)) {
              CC_RETURN_IF_ERROR(LinkTree(located, store->artifacts_dir() + name));
              reproducer = out + ".artifacts" + name;
              ++summary.reproducers;
            } else {
              summary.warnings.push_back("the reproducer '" + located + "' of shard '" +
                                         inputs[i].path + "' is missing: failure " +
                                         std::to_string(id) + " has none");
              reproducer.clear();
            }
          }
          CC_RETURN_IF_ERROR(insert.BindAll({id, winner.first_job, reproducer, winner.failure_id}));
          CC_ASSIGN_OR_RETURN(bool row, insert.Step());
          (void)row;
          CC_RETURN_IF_ERROR(insert.Reset());
        }
        return txn.Commit();
      }));
    }

    CC_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    CC_RETURN_IF_ERROR(db.Exec(
        "UPDATE failures SET count = (SELECT count(*) FROM jobs j WHERE j.status = 'done' AND "
        "j.signature = failures.signature);"
        "UPDATE jobs SET failure_id = (SELECT f.id FROM failures f WHERE f.signature = "
        "jobs.signature) WHERE status = 'done' AND signature <> '';"
        "UPDATE jobs SET artifact_dir = coalesce((SELECT f.reproducer FROM failures f WHERE "
        "f.first_job_id = jobs.id), '');"
        // Nobody runs them in the merged store; resuming their shard does.
        "UPDATE jobs SET status = 'pending' WHERE status = 'running';"
        "DELETE FROM meta WHERE key IN ('shard_index', 'shard_expected_s', 'cost_sources');"));
    nlohmann::json merged_from = nlohmann::json::array();
    std::string created_at, updated_at;
    for (const Input& in : inputs) {
      merged_from.push_back({{"shard", in.info.id.index},
                             {"path", fs::absolute(in.path).lexically_normal().string()},
                             {"jobs", in.info.counts.planned},
                             {"done", StatusCount(in.info.counts, "done")},
                             {"updated_at", in.info.updated_at}});
      if (!in.created_at.empty() && (created_at.empty() || in.created_at < created_at)) {
        created_at = in.created_at;
      }
      updated_at = std::max(updated_at, in.info.updated_at);
      summary.merged.push_back(in.info.id.index);
    }
    CC_RETURN_IF_ERROR(store->SetMeta("merged_from", merged_from.dump()));
    CC_RETURN_IF_ERROR(store->SetMeta("merged_at", UtcNow()));
    CC_RETURN_IF_ERROR(store->SetMeta("command", options.command_line));
    if (!created_at.empty()) CC_RETURN_IF_ERROR(store->SetMeta("created_at", created_at));
    if (!updated_at.empty()) CC_RETURN_IF_ERROR(store->SetMeta("updated_at", updated_at));
    CC_RETURN_IF_ERROR(txn.Commit());
    // One self-contained file to rename into place.
    CC_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=DELETE;"));
  }
  CC_RETURN_IF_ERROR(Install(built, out));

  CC_ASSIGN_OR_RETURN(std::unique_ptr<Store> merged, Store::Open(out, /*read_only=*/true));
  CC_ASSIGN_OR_RETURN(CampaignCounts counts, merged->Counts());
  summary.jobs = counts.planned;
  summary.done = StatusCount(counts, "done");
  summary.unique_failures = counts.unique_failures;
  summary.complete = static_cast<int>(inputs.size()) == summary.shard_count &&
                     summary.done == summary.plan_jobs && summary.jobs == summary.plan_jobs;
  return summary;
}

}  // namespace convcheck::campaign
