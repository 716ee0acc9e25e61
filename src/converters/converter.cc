#include "converters/converter.h"

#include <algorithm>
#include <sstream>

namespace convcheck::converters {
namespace {

constexpr const ConverterDef* (*kDefs[])() = {
#define CC_CONVERTER(id, def_fn) [] { return &def_fn(); },
#include "converters/converters.def"
#undef CC_CONVERTER
};

constexpr std::string_view kFaultInjectKinds[] = {
    "perturb-weight", "raise", "hang", "segfault", "miscompile-relu", "invalid-model", "lossy-add"};
constexpr std::string_view kFaultInjectPrefix = "fault-inject:";

const ConverterDef* FindDef(std::string_view name) {
  for (const ConverterDef* def : AllConverters()) {
    if (def->name == name) return def;
  }
  return nullptr;
}

// The converter a double wraps in each environment: the one people run there.
const ConverterDef* DefaultConverterOfEnv(std::string_view env) {
  if (env == "torch1.13") return &TorchOnnx113Def();
  if (env == "torch2") return &TorchDynamoDef();
  if (env == "tf2") return &Tf2onnxDef();
  // For ONNX sources: the version converter at the model's neighbouring opset is the tool closest
  // to a plain copy, so what a double changes is all that changes.
  if (env == "onnx") return &OnnxVersionConverterDef();
  return nullptr;
}

const OptionDef* FindOption(const ConverterDef& def, std::string_view key) {
  for (const OptionDef& option : def.options) {
    if (option.key == key) return &option;
  }
  return nullptr;
}

std::string OptionKeys(const ConverterDef& def) {
  std::string keys;
  for (const OptionDef& option : def.options) {
    keys += (keys.empty() ? "" : ", ") + std::string(option.key);
  }
  return keys.empty() ? "none" : keys;
}

}  // namespace

std::span<const ConverterDef* const> AllConverters() {
  static const std::vector<const ConverterDef*> defs = [] {
    std::vector<const ConverterDef*> all;
    for (auto fn : kDefs) all.push_back(fn());
    return all;
  }();
  return defs;
}

const ConverterDef* FindConverterDef(std::string_view name) { return FindDef(CanonicalName(name)); }

std::string_view CanonicalName(std::string_view name) {
  if (name == "torch.onnx") return TorchOnnx113Def().name;
  return name;
}

std::span<const std::string_view> FaultInjectKinds() { return kFaultInjectKinds; }

bool IsFaultInject(std::string_view name) { return name.rfind(kFaultInjectPrefix, 0) == 0; }

std::vector<const OptionDef*> AllOptionFlags() {
  std::vector<const OptionDef*> flags;
  for (const ConverterDef* def : AllConverters()) {
    for (const OptionDef& option : def->options) {
      const bool seen = std::any_of(flags.begin(), flags.end(),
                                    [&](const OptionDef* o) { return o->flag == option.flag; });
      if (!option.flag.empty() && !seen) flags.push_back(&option);
    }
  }
  return flags;
}

OptionValues::OptionValues(const ConverterDef& def) {
  for (const OptionDef& option : def.options) {
    items_.emplace_back(option.key, option.default_value);
  }
}

OptionValues OptionValues::Unchecked(std::vector<std::pair<std::string, std::string>> items) {
  OptionValues values;
  values.items_ = std::move(items);
  return values;
}

std::string OptionValues::Get(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return v;
  }
  return "";
}

Status OptionValues::Set(const ConverterDef& def, std::string_view key, std::string_view value) {
  const OptionDef* option = FindOption(def, key);
  if (option == nullptr) {
    return InvalidArgument("converter " + std::string(def.name) + " has no option '" +
                           std::string(key) + "' (its options: " + OptionKeys(def) + ")");
  }
  std::string accepted =
      option->type == OptionType::kBool ? "true|false" : std::string(option->choices);
  bool valid = false;
  std::stringstream choices(accepted);
  std::string choice;
  while (std::getline(choices, choice, '|')) valid = valid || choice == value;
  if (!valid) {
    return InvalidArgument("converter " + std::string(def.name) + " option '" + std::string(key) +
                           "' is '" + std::string(value) + "'; expected " + accepted);
  }
  for (auto& [k, v] : items_) {
    if (k == key) {
      v = std::string(value);
      return Status::Ok();
    }
  }
  items_.emplace_back(key, value);
  return Status::Ok();
}

std::string OptionValues::Canonical() const {
  std::string text;
  for (const auto& [k, v] : items_) text += (text.empty() ? "" : ",") + k + "=" + v;
  return text;
}

nlohmann::json OptionValues::ToJson() const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [k, v] : items_) {
    if (v == "true" || v == "false") {
      json[k] = v == "true";
    } else {
      json[k] = v;
    }
  }
  return json;
}

std::vector<std::string> OptionValues::ToFlags(const ConverterDef& def) const {
  std::vector<std::string> flags;
  for (const OptionDef& option : def.options) {
    const std::string value = Get(option.key);
    if (value.empty() || value == option.default_value) continue;
    if (!option.flag.empty() && value == option.flag_value) {
      flags.emplace_back(option.flag);
    } else {
      flags.push_back("--converter-option");
      flags.push_back(std::string(option.key) + "=" + value);
    }
  }
  return flags;
}

StatusOr<OptionValues> ParseCanonicalOptions(const ConverterDef& def, std::string_view text) {
  OptionValues values(def);
  std::stringstream items{std::string(text)};
  std::string item;
  while (std::getline(items, item, ',')) {
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string::npos) {
      return InvalidArgument("converter option '" + item + "' is not KEY=VALUE");
    }
    CC_RETURN_IF_ERROR(values.Set(def, item.substr(0, eq), item.substr(eq + 1)));
  }
  return values;
}

StatusOr<OptionValues> OptionsFromJson(const ConverterDef& def, const nlohmann::json& json) {
  OptionValues values(def);
  if (json.is_null()) return values;
  if (!json.is_object()) return InvalidArgument("converter options are not a JSON object");
  for (const auto& [key, value] : json.items()) {
    std::string text = value.is_boolean()  ? (value.get<bool>() ? "true" : "false")
                       : value.is_string() ? value.get<std::string>()
                                           : value.dump();
    CC_RETURN_IF_ERROR(values.Set(def, key, text));
  }
  return values;
}

StatusOr<Resolved> Resolve(std::string_view requested, const sources::Source& source) {
  Resolved resolved;
  resolved.name = std::string(CanonicalName(requested));
  const std::vector<std::string> source_envs = source.Envs();
  auto builds = [&](std::string_view env) {
    return std::find(source_envs.begin(), source_envs.end(), env) != source_envs.end();
  };
  if (IsFaultInject(resolved.name)) {
    const std::string_view kind = std::string_view(resolved.name).substr(kFaultInjectPrefix.size());
    if (std::find(std::begin(kFaultInjectKinds), std::end(kFaultInjectKinds), kind) ==
        std::end(kFaultInjectKinds)) {
      return InvalidArgument("unknown converter '" + resolved.name +
                             "' (known: " + KnownConverters() + ")");
    }
    // A double runs where the source's framework is, wrapping that environment's converter.
    resolved.fault_inject = true;
    const bool tf = source.framework == sources::Framework::kTensorFlow;
    const bool onnx = source.framework == sources::Framework::kOnnx;
    for (std::string_view env : onnx ? std::vector<std::string_view>{"onnx"}
                                : tf ? std::vector<std::string_view>{"tf2"}
                                     : std::vector<std::string_view>{"torch1.13", "torch2"}) {
      if (builds(env)) {
        resolved.env = std::string(env);
        resolved.def = DefaultConverterOfEnv(env);
        return resolved;
      }
    }
    return InvalidArgument("source '" + source.text + "' cannot be built in any environment of " +
                           resolved.name);
  }
  resolved.def = FindDef(resolved.name);
  if (resolved.def == nullptr) {
    return InvalidArgument("unknown converter '" + std::string(requested) +
                           "' (known: " + KnownConverters() + ")");
  }
  resolved.env = std::string(resolved.def->env);
  const sources::Framework framework = source.framework;
  // An ONNX-to-ONNX tool takes ONNX sources only, and they go to no other converter.
  const bool concrete = framework == sources::Framework::kTorch ||
                        framework == sources::Framework::kTensorFlow ||
                        framework == sources::Framework::kOnnx;
  if ((concrete || resolved.def->framework == sources::Framework::kOnnx) &&
      framework != resolved.def->framework) {
    return InvalidArgument(
        "source '" + source.text + "' is " +
        (framework == sources::Framework::kOnnx ? "an " : "a ") +
        std::string(sources::FrameworkName(framework)) + " model; converter " + resolved.name +
        " converts " + std::string(sources::FrameworkName(resolved.def->framework)) +
        " models (choose another with --converter; known: " + KnownConverters() + ")");
  }
  if (!builds(resolved.env)) {
    return InvalidArgument("source kind '" + std::string(source.kind->name) +
                           "' cannot be built in environment " + resolved.env + " of converter " +
                           resolved.name + " (it needs " + std::string(source.kind->envs) + ")");
  }
  return resolved;
}

std::string_view DefaultConverterFor(const sources::Source& source) {
  if (source.framework == sources::Framework::kOnnx) return OnnxsimDef().name;
  return source.framework == sources::Framework::kTensorFlow ? Tf2onnxDef().name
                                                             : TorchDynamoDef().name;
}

Status CheckOpset(const Resolved& converter, int opset) {
  const ConverterDef& def = *converter.def;
  if (opset >= def.min_opset && opset <= def.max_opset) return Status::Ok();
  return InvalidArgument("opset " + std::to_string(opset) + " is out of range for converter " +
                         converter.name + ": it writes opsets " + std::to_string(def.min_opset) +
                         " to " + std::to_string(def.max_opset) +
                         (def.opset_note.empty() ? "" : " (" + std::string(def.opset_note) + ")"));
}

std::string KnownConverters() {
  std::string known;
  for (const ConverterDef* def : AllConverters()) {
    known += (known.empty() ? "" : ", ") + std::string(def->name);
  }
  return known + ", fault-inject:KIND";
}

}  // namespace convcheck::converters
