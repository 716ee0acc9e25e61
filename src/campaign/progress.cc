#include "campaign/progress.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace convcheck::campaign {

Progress::Progress(std::ostream& out, bool tty, int64_t total, int64_t already_done, int lanes)
    : out_(out), tty_(tty), total_(total), already_done_(already_done), lanes_(lanes) {}

std::string Progress::FormatDuration(double seconds) {
  if (!(seconds >= 0) || std::isinf(seconds)) return "?";
  long s = std::lround(seconds);
  char buffer[32];
  if (s >= 3600) {
    std::snprintf(buffer, sizeof(buffer), "%ldh %02ldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buffer, sizeof(buffer), "%ldm %02lds", s / 60, s % 60);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%lds", s);
  }
  return buffer;
}

std::string Progress::CountsText() const {
  std::string text;
  for (const auto& [verdict, count] : counts_) {
    text += (text.empty() ? "" : " ") + verdict + " " + std::to_string(count);
  }
  return text;
}

std::string Progress::StatusLine() const {
  std::ostringstream line;
  const int width = 24;
  int filled = total_ > 0 ? static_cast<int>(width * finished_ / total_) : width;
  line << "[" << std::string(filled, '#') << std::string(width - filled, '.') << "] "
       << finished_ << "/" << total_;
  if (already_done_ > 0) line << " (+" << already_done_ << " done before)";
  double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  line << " | " << CountsText() << " | " << FormatDuration(elapsed);
  if (finished_ > 0 && finished_ < total_) {
    // Remaining jobs at the mean rate so far (wall time per finished job).
    double eta = elapsed / static_cast<double>(finished_) * static_cast<double>(total_ - finished_);
    line << ", ETA " << FormatDuration(eta);
  }
  return line.str();
}

void Progress::Started(const std::string& what) {
  std::lock_guard lock(mu_);
  if (tty_) out_ << "\r\033[K" << StatusLine() << " | " << what << std::flush;
}

void Progress::Finished(const std::string& what, const std::string& verdict, double seconds,
                        const std::string& detail) {
  std::lock_guard lock(mu_);
  ++finished_;
  busy_s_ += seconds;
  ++counts_[verdict];
  char time_text[32];
  std::snprintf(time_text, sizeof(time_text), "%.1fs", seconds);
  if (tty_) {
    out_ << "\r\033[K";
    // Failures stay on screen; passes only move the bar.
    if (verdict != "pass") {
      out_ << verdict << "  " << what << "  " << time_text << (detail.empty() ? "" : "  ")
           << detail.substr(0, 160) << "\n";
    }
    out_ << StatusLine() << std::flush;
  } else {
    out_ << "[" << finished_ << "/" << total_ << "] " << verdict << "  " << what << "  "
         << time_text << (detail.empty() ? "" : "  ") << detail.substr(0, 160) << "  | "
         << CountsText() << "\n"
         << std::flush;
  }
}

void Progress::Done() {
  std::lock_guard lock(mu_);
  if (tty_) out_ << "\r\033[K" << StatusLine() << "\n" << std::flush;
}

void Progress::AddTotal(int64_t more) {
  std::lock_guard lock(mu_);
  total_ += more;
}

}  // namespace convcheck::campaign
