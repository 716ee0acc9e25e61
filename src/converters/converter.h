//===- converters/converter.h - The converters under test, as data --------===//
//
// A converter is declared once, as data: its name, the Python environment it runs in, the
// framework it converts, the opsets it can write, and its options (key, type, default, the
// command-line flag that sets it, help). Everything that names a converter's options (job keys,
// JSON, the SQLite store, reproduce.sh, job.json, the recorded resume command) goes through one
// serialization here, so they cannot drift apart. The list is converters.def; the fault-injection
// test doubles (`fault-inject:*`) wrap the default converter of the source's framework.
//
//===----------------------------------------------------------------------===//
#ifndef CONVCHECK_CONVERTERS_CONVERTER_H_
#define CONVCHECK_CONVERTERS_CONVERTER_H_

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "sources/source.h"

namespace convcheck::converters {

enum class OptionType { kBool, kChoice };

/// One option of a converter.
struct OptionDef {
  std::string_view key;  // As in JSON and job keys: "constant_folding".
  OptionType type;
  std::string_view default_value;  // "true", "false", or one of `choices`.
  std::string_view choices;        // kChoice: "trace|script".
  std::string_view flag;           // The flag that sets `flag_value`: "--no-constant-folding".
  std::string_view flag_value;
  std::string_view help;
};

struct ConverterDef {
  std::string_view name;  // "torch.onnx.dynamo"
  std::string_view env;   // Python environment (workers/envs.def).
  sources::Framework framework;
  int min_opset = 0;
  int max_opset = 0;
  int default_opset = 0;
  std::span<const OptionDef> options;
  std::string_view description;
  std::string_view opset_note;  // Said in the usage error for an opset out of range.
};

#define CC_CONVERTER(id, def_fn) const ConverterDef& def_fn();
#include "converters/converters.def"
#undef CC_CONVERTER

std::span<const ConverterDef* const> AllConverters();
/// The converter called `name` (aliases accepted); nullptr for unknown names and for the
/// fault-injection doubles, whose definition depends on the source (Resolve).
const ConverterDef* FindConverterDef(std::string_view name);

/// Names that stay accepted for older stores and reproducers: "torch.onnx" is torch.onnx@1.13.
std::string_view CanonicalName(std::string_view name);

/// The fault-injection test doubles (workers/README.md).
std::span<const std::string_view> FaultInjectKinds();
bool IsFaultInject(std::string_view name);

/// Every option flag of every converter, once each (the CLI registers them from this).
std::vector<const OptionDef*> AllOptionFlags();

/// A converter's option values, in declaration order, every option present.
class OptionValues {
 public:
  OptionValues() = default;
  /// The defaults of `def`.
  explicit OptionValues(const ConverterDef& def);
  /// Values not yet checked against a converter (read from a job.json before the source, hence
  /// the converter, is known); the job checks them when it runs.
  static OptionValues Unchecked(std::vector<std::pair<std::string, std::string>> items);
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }
  /// "" when absent.
  std::string Get(std::string_view key) const;
  bool GetBool(std::string_view key) const { return Get(key) == "true"; }
  /// Sets a declared option, checking its type: InvalidArgument names the converter, the key and
  /// the accepted values.
  Status Set(const ConverterDef& def, std::string_view key, std::string_view value);

  /// "constant_folding=true,dynamic_batch=false,mode=trace": job keys and the store.
  std::string Canonical() const;
  /// {"constant_folding": true, ..., "mode": "trace"}: JSON records, job.json, worker requests.
  nlohmann::json ToJson() const;
  /// The flags that reproduce these values on a command line: "--no-constant-folding" and
  /// `--converter-option key=value` for options whose flag does not give the value.
  std::vector<std::string> ToFlags(const ConverterDef& def) const;

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// Reads values back from Canonical() or ToJson() (older records may lack keys: defaults fill
/// them; unknown keys are an error).
StatusOr<OptionValues> ParseCanonicalOptions(const ConverterDef& def, std::string_view text);
StatusOr<OptionValues> OptionsFromJson(const ConverterDef& def, const nlohmann::json& json);

/// What a job converts with, as requested: a converter name (canonical), an opset and options.
struct ConverterSpec {
  std::string name = "torch.onnx.dynamo";
  int opset = 0;  // 0: the converter's default.
  OptionValues options;
};

/// A converter chosen for one source: the definition that runs (for a fault-injection double,
/// the converter it wraps) and the environment.
struct Resolved {
  std::string name;  // As requested, canonical ("fault-inject:raise", "torch.onnx@1.13").
  const ConverterDef* def = nullptr;
  std::string env;
  bool fault_inject = false;
};

/// Finds `name` (aliases accepted) for `source`: InvalidArgument for an unknown converter, a
/// source of another framework, or a source kind the converter's environment cannot build.
StatusOr<Resolved> Resolve(std::string_view name, const sources::Source& source);

/// The converter that `convert` uses when none is given: torch.onnx.dynamo for PyTorch sources,
/// tf2onnx for TensorFlow ones, onnxsim for ONNX models.
std::string_view DefaultConverterFor(const sources::Source& source);

/// Checks an opset against the converter's range, with the converter's note in the message.
Status CheckOpset(const Resolved& converter, int opset);

/// "torch.onnx@1.13, torch.onnx.dynamo, ..., fault-inject:KIND" for messages and help.
std::string KnownConverters();

}  // namespace convcheck::converters

#endif  // CONVCHECK_CONVERTERS_CONVERTER_H_
