//===- analysis/rows.h - Reading a campaign's rows -------------------------===//
//
// The analyses read the campaign file with one statement per table; this runs one and hands
// each row to a callback.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_ANALYSIS_ROWS_H_
#define CONVCHECK_ANALYSIS_ROWS_H_

#include <string>

#include "campaign/sqlite.h"
#include "core/status.h"

namespace convcheck::analysis {

template <typename Row>
Status ForEachRow(campaign::Database& db, const std::string& sql, const Row& row) {
  CC_ASSIGN_OR_RETURN(campaign::Statement stmt, db.Prepare(sql));
  while (true) {
    CC_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return Status::Ok();
    row(stmt);
  }
}

}  // namespace convcheck::analysis

#endif  // CONVCHECK_ANALYSIS_ROWS_H_
