//===- testing/cli_runner.h - Run the convcheck binary in tests ------------===//
//
// Integration tests drive the real binary, as a user does: arguments in, exit code, stdout,
// stderr and files out.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_TESTING_CLI_RUNNER_H_
#define CONVCHECK_TESTING_CLI_RUNNER_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace convcheck::testing {

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
  double wall_s = 0;
};

/// Runs the convcheck binary with `args` (no shell interpretation of their content) and extra
/// environment variables `env`.
CliRun RunConvcheck(const std::vector<std::string>& args,
                    const std::vector<std::pair<std::string, std::string>>& env = {});

/// Starts the convcheck binary with `args` in the background, its output going to `out_path`
/// and `err_path`; returns its pid (to wait for or kill), or -1.
int StartConvcheck(const std::vector<std::string>& args, const std::string& out_path,
                   const std::string& err_path);

/// A fresh temporary directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

nlohmann::json ReadJson(const std::string& path);

/// Path of a test model under tests/data/models.
std::string ModelFile(const std::string& name);

}  // namespace convcheck::testing

#endif  // CONVCHECK_TESTING_CLI_RUNNER_H_
