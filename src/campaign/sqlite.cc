#include "campaign/sqlite.h"

#include <sqlite3.h>

#include <filesystem>

namespace convcheck::campaign {

namespace {

std::string Shorten(std::string_view sql) {
  std::string s(sql.substr(0, 60));
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return sql.size() > 60 ? s + "..." : s;
}

}  // namespace

StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path, Mode mode) {
  if (mode == Mode::kReadOnly && !std::filesystem::exists(path)) {
    return NotFound("results database '" + path + "' does not exist");
  }
  sqlite3* db = nullptr;
  int flags = mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY
                                      : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_FULLMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return FailedPrecondition("cannot open results database '" + path + "': " + message);
  }
  // Several convcheck processes may look at one file (a report while a campaign runs): wait for
  // a lock rather than fail at once.
  sqlite3_busy_timeout(db, 30000);
  std::unique_ptr<Database> database(new Database(db, path));
  // Reading the schema is the first thing that notices a file that is not a database.
  Status probe = database->Exec("SELECT count(*) FROM sqlite_master;");
  if (!probe.ok()) {
    return DataLoss("'" + path + "' is not a SQLite database (" + probe.message() + ")");
  }
  return database;
}

Database::~Database() { sqlite3_close_v2(db_); }

Status Database::Exec(std::string_view sql) {
  char* error = nullptr;
  std::string text(sql);
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    return Internal("database '" + path_ + "': " + message + " in '" + Shorten(sql) + "'");
  }
  return Status::Ok();
}

Status Database::Run(std::string_view sql, const std::vector<SqlValue>& params) {
  CC_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql));
  CC_RETURN_IF_ERROR(stmt.BindAll(params));
  CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
  (void)row;
  return Status::Ok();
}

StatusOr<Statement> Database::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return Internal("database '" + path_ + "': " + sqlite3_errmsg(db_) + " in '" + Shorten(sql) +
                    "'");
  }
  return Statement(stmt, this, std::string(sql));
}

int64_t Database::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }
int64_t Database::Changes() const { return sqlite3_changes64(db_); }

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_), db_(other.db_), sql_(std::move(other.sql_)) {
  other.stmt_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = other.stmt_;
    db_ = other.db_;
    sql_ = std::move(other.sql_);
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Status Statement::Error(std::string_view what) const {
  return Internal("database '" + db_->path() + "': " + std::string(what) + ": " +
                  sqlite3_errmsg(db_->handle()) + " in '" + Shorten(sql_) + "'");
}

Status Statement::Bind(int index, const SqlValue& value) {
  int rc = SQLITE_OK;
  if (std::holds_alternative<std::monostate>(value)) {
    rc = sqlite3_bind_null(stmt_, index);
  } else if (const auto* i = std::get_if<int64_t>(&value)) {
    rc = sqlite3_bind_int64(stmt_, index, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    rc = sqlite3_bind_double(stmt_, index, *d);
  } else {
    const std::string& s = std::get<std::string>(value);
    rc = sqlite3_bind_text(stmt_, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  if (rc != SQLITE_OK) return Error("bind " + std::to_string(index));
  return Status::Ok();
}

Status Statement::BindAll(const std::vector<SqlValue>& values) {
  for (size_t i = 0; i < values.size(); ++i) {
    CC_RETURN_IF_ERROR(Bind(static_cast<int>(i) + 1, values[i]));
  }
  return Status::Ok();
}

StatusOr<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return Error("step");
}

Status Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return Status::Ok();
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}
int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }
double Statement::Real(int column) const { return sqlite3_column_double(stmt_, column); }
std::string Statement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return "";
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column));
}
std::optional<double> Statement::OptionalReal(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Real(column);
}
int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }
std::string Statement::ColumnName(int column) const { return sqlite3_column_name(stmt_, column); }

StatusOr<Transaction> Transaction::Begin(Database& db) {
  CC_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE;"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK;");
}

Status Transaction::Commit() {
  Database* db = db_;
  db_ = nullptr;
  return db->Exec("COMMIT;");
}

StatusOr<int64_t> QueryInt(Database& db, std::string_view sql,
                           const std::vector<SqlValue>& params) {
  CC_ASSIGN_OR_RETURN(Statement stmt, db.Prepare(sql));
  CC_RETURN_IF_ERROR(stmt.BindAll(params));
  CC_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : 0;
}

}  // namespace convcheck::campaign
