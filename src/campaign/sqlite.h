//===- campaign/sqlite.h - A thin RAII layer over the SQLite C API --------===//
//
// Just what the campaign store and the report need: open a file, run statements, bind and read
// columns. Every failure becomes a Status that names the database file and the statement, so a
// locked or corrupt results file gives one clear line instead of a crash.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_SQLITE_H_
#define CONVCHECK_CAMPAIGN_SQLITE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace convcheck::campaign {

/// A value to bind: NULL, integer, real or text.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string>;

class Statement;

class Database {
 public:
  enum class Mode { kReadWriteCreate, kReadOnly };
  /// Opens (or creates) the file. NotFound for a missing file in read-only mode; DataLoss for a
  /// file that is not a SQLite database.
  static StatusOr<std::unique_ptr<Database>> Open(const std::string& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  /// Runs one statement with parameters (?1, ?2, ...) that returns no rows.
  Status Run(std::string_view sql, const std::vector<SqlValue>& params = {});
  StatusOr<Statement> Prepare(std::string_view sql);
  int64_t LastInsertRowId() const;
  /// Rows changed by the last INSERT, UPDATE or DELETE.
  int64_t Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* handle() { return db_; }

 private:
  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
};

/// A prepared statement: bind, then Step() until it returns false.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  Status Bind(int index, const SqlValue& value);  // 1-based, as in SQLite.
  Status BindAll(const std::vector<SqlValue>& values);
  /// True when a row is available, false when done.
  StatusOr<bool> Step();
  Status Reset();

  bool IsNull(int column) const;
  int64_t Int(int column) const;
  double Real(int column) const;
  std::string Text(int column) const;  // "" for NULL.
  std::optional<double> OptionalReal(int column) const;
  int ColumnCount() const;
  std::string ColumnName(int column) const;

 private:
  friend class Database;
  Statement(sqlite3_stmt* stmt, Database* db, std::string sql)
      : stmt_(stmt), db_(db), sql_(std::move(sql)) {}
  Status Error(std::string_view what) const;
  sqlite3_stmt* stmt_ = nullptr;
  Database* db_ = nullptr;
  std::string sql_;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back if destroyed before Commit().
class Transaction {
 public:
  static StatusOr<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

/// Convenience: the first column of the first row as an integer (0 if there are no rows).
StatusOr<int64_t> QueryInt(Database& db, std::string_view sql,
                           const std::vector<SqlValue>& params = {});

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_SQLITE_H_
