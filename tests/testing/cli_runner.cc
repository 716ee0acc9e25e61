#include "testing/cli_runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace convcheck::testing {

namespace {
std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

CliRun RunConvcheck(const std::vector<std::string>& args,
                    const std::vector<std::pair<std::string, std::string>>& env) {
  TempDir dir;
  std::string out_path = dir.File("stdout"), err_path = dir.File("stderr");
  std::vector<std::string> argv_strings = {CONVCHECK_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  auto start = std::chrono::steady_clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    setenv("CONVCHECK_WORKERS_DIR", CONVCHECK_WORKERS_DIR_FOR_TESTS, 1);
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  CliRun run;
  run.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = Slurp(out_path);
  run.err = Slurp(err_path);
  return run;
}

int StartConvcheck(const std::vector<std::string>& args, const std::string& out_path,
                   const std::string& err_path) {
  std::vector<std::string> argv_strings = {CONVCHECK_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    if (!freopen(err_path.c_str(), "w", stderr) || !freopen(out_path.c_str(), "w", stdout)) {
      _exit(126);
    }
    setenv("CONVCHECK_WORKERS_DIR", CONVCHECK_WORKERS_DIR_FOR_TESTS, 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "convcheck-test-XXXXXX").string();
  path_ = mkdtemp(pattern.data()) ? pattern : "";
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

std::string ModelFile(const std::string& name) {
  return std::string(CONVCHECK_TESTS_DIR) + "/data/models/" + name;
}

}  // namespace convcheck::testing
