//===- tools/convcheck/main.cc - The convcheck command line ----------------===//
//
// A thin driver: builds the CLI from the subcommands in src/cli/ and returns their exit code.
// Exit codes: 0 every job passed, 1 a failure was found, 2 bad usage, bad input or environment.
//
//===----------------------------------------------------------------------===//
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "cli/analyze.h"
#include "cli/campaign.h"
#include "cli/check.h"
#include "cli/common.h"
#include "cli/conformance.h"
#include "cli/convert.h"
#include "cli/coverage.h"
#include "cli/diff.h"
#include "cli/envs.h"
#include "cli/fuzz.h"
#include "cli/gen.h"
#include "cli/reduce.h"
#include "cli/report.h"
#include "cli/run.h"

int main(int argc, char** argv) {
  int exit_code = convcheck::cli::kExitPass;
  try {
    CLI::App app{"convcheck: find, explain and reproduce faulty model conversions"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "convcheck 0.1.0");
    convcheck::cli::AddConvertCommand(app, exit_code);
    convcheck::cli::AddCheckCommand(app, exit_code);
    convcheck::cli::AddConformanceCommand(app, exit_code);
    convcheck::cli::AddRunCommand(app, exit_code);
    convcheck::cli::AddCampaignCommand(app, exit_code);
    convcheck::cli::AddReportCommand(app, exit_code);
    convcheck::cli::AddAnalyzeCommand(app, exit_code);
    convcheck::cli::AddCoverageCommand(app, exit_code);
    convcheck::cli::AddGenCommand(app, exit_code);
    convcheck::cli::AddFuzzCommand(app, exit_code);
    convcheck::cli::AddReduceCommand(app, exit_code);
    convcheck::cli::AddDiffCommand(app, exit_code);
    convcheck::cli::AddEnvsCommand(app, exit_code);
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      // One line, lowercase, and the usage exit code whatever CLI11's own code is.
      std::string what = e.what();
      if (!what.empty()) what[0] = static_cast<char>(std::tolower(what[0]));
      std::cerr << "convcheck: error: " << what << " (see convcheck --help)\n";
      return convcheck::cli::kExitUsage;
    }
  } catch (const std::exception& e) {
    // Last resort: our code does not throw, but a library might.
    std::cerr << "convcheck: internal error: " << e.what() << "\n";
    return 3;
  }
  return exit_code;
}
