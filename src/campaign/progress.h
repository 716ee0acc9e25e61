//===- campaign/progress.h - Progress of a long campaign on the terminal ---===//
//
// A campaign runs for hours; the user needs to see that it moves, how it is going (counts per
// verdict) and when it will end. On a terminal one status line is redrawn in place and each
// failure gets a line of its own; elsewhere (a log file, CI) one line per finished job.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CAMPAIGN_PROGRESS_H_
#define CONVCHECK_CAMPAIGN_PROGRESS_H_

#include <chrono>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

namespace convcheck::campaign {

class Progress {
 public:
  /// `total`: jobs to run in this invocation; `already_done`: finished by earlier runs.
  Progress(std::ostream& out, bool tty, int64_t total, int64_t already_done, int lanes);

  void Started(const std::string& what);
  /// A job finished with this verdict (or "error" when convcheck could not run it).
  void Finished(const std::string& what, const std::string& verdict, double seconds,
                const std::string& detail);
  void Done();
  /// More jobs were planned while running (fuzzing).
  void AddTotal(int64_t more);

  /// "12m 05s", "1h 02m", "45s".
  static std::string FormatDuration(double seconds);

 private:
  std::string CountsText() const;
  std::string StatusLine() const;
  std::ostream& out_;
  bool tty_;
  int64_t total_, finished_ = 0, already_done_;
  int lanes_;
  double busy_s_ = 0;  // Sum of job times, for the estimate.
  std::map<std::string, int64_t> counts_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::mutex mu_;
};

}  // namespace convcheck::campaign

#endif  // CONVCHECK_CAMPAIGN_PROGRESS_H_
