#include "config/config_loader.h"
#include "route/key_sanitizer.h"

#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <vector>

#include "config/config_table.h"
#include "config/units.h"

namespace mqtt2s3::config {
namespace {

constexpr size_t kMaxErrors = 20;

// Text from the file quoted in a message: cut, and control bytes shown as '?'.
std::string Quote(std::string_view s) {
  std::string q = "\"";
  for (char c : s.substr(0, 80)) q.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  if (s.size() > 80) q.append("...");
  q.push_back('"');
  return q;
}

std::string_view NodeKindName(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  if (n.IsNull()) return "nothing";
  return "a scalar";
}

std::string TrimSecret(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// One load: walks the YAML tree against the table, collecting errors with their positions.
class Loader {
 public:
  Loader(std::string_view file, const LoadOptions& options)
      : file_(file), options_(options), env_(options.env ? options.env : &process_env_) {}

  StatusOr<Config> Load(std::string_view yaml);

 private:
  void WalkMap(const YAML::Node& map, const std::string& table_parent,
               const std::string& display_parent, size_t item);
  void SetScalar(const ConfigKey& key, const YAML::Node& value, const std::string& display,
                 size_t item);
  void UnknownKey(const YAML::Node& key_node, const std::string& table_parent,
                  const std::string& display, std::string_view name);
  void FillDynamicDefaults();
  void ResolvePaths();
  void ResolveSecrets();
  std::optional<Secret> ResolveSecret(const std::string& file_key, const std::string& file,
                                      const std::string& env_key, const std::string& env_name,
                                      bool required);

  void Error(const YAML::Mark& mark, std::string_view display, std::string_view message);
  // Error at the recorded position of `display` (or its nearest recorded parent).
  void ErrorAtKey(std::string_view display, std::string_view message);
  Status Result() const;

  std::string file_;
  LoadOptions options_;
  ProcessEnvironment process_env_;
  const Environment* env_;
  Config config_;
  std::vector<std::string> errors_;
  std::map<std::string, YAML::Mark, std::less<>> marks_;  // display path -> where it is
  std::set<std::string, std::less<>> seen_;                // display paths present in the file
};

// Key names and yaml-cpp's messages come from the file: escape control bytes so that every
// error stays one line starting with "file:line:col:" (found by fuzz/fuzz_config.cc).
void AppendEscaped(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7F) {
      out->append("\\x");
      out->push_back(kHex[c >> 4]);
      out->push_back(kHex[c & 0xF]);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

void Loader::Error(const YAML::Mark& mark, std::string_view display, std::string_view message) {
  if (errors_.size() >= kMaxErrors) return;
  std::string e = file_.empty() ? "<config>" : file_;
  if (!mark.is_null() && mark.line >= 0) {
    e.append(":").append(std::to_string(mark.line + 1));
    e.append(":").append(std::to_string(mark.column + 1));
  }
  e.append(": ");
  if (!display.empty()) {
    e.append("key '");
    AppendEscaped(display, &e);
    e.append("': ");
  }
  AppendEscaped(message, &e);
  errors_.push_back(std::move(e));
}

void Loader::ErrorAtKey(std::string_view display, std::string_view message) {
  std::string_view p = display;
  while (!p.empty()) {
    if (auto it = marks_.find(p); it != marks_.end()) return Error(it->second, display, message);
    size_t cut = p.find_last_of(".[");
    p = cut == std::string_view::npos ? std::string_view() : p.substr(0, cut);
  }
  Error(YAML::Mark::null_mark(), display, message);
}

Status Loader::Result() const {
  if (errors_.empty()) return Status::Ok();
  std::string all;
  for (const auto& e : errors_) all.append(all.empty() ? "" : "\n").append(e);
  if (errors_.size() >= kMaxErrors) {
    // Same shape as every other line: "file: ...".
    all.append("\n").append(file_.empty() ? "<config>" : file_).append(": stopped after ");
    all.append(std::to_string(kMaxErrors)).append(" errors");
  }
  return Status::InvalidArgument(std::move(all));
}

void Loader::UnknownKey(const YAML::Node& key_node, const std::string& table_parent,
                        const std::string& display, std::string_view name) {
  Error(key_node.Mark(), display, "unknown key" + SuggestKey(table_parent, name));
}

void Loader::WalkMap(const YAML::Node& map, const std::string& table_parent,
                     const std::string& display_parent, size_t item) {
  std::set<std::string> here;
  for (const auto& pair : map) {
    // Copies: the iterator yields a temporary pair, and Nodes are cheap shared handles.
    const YAML::Node key_node = pair.first;
    const YAML::Node value = pair.second;
    if (!key_node.IsScalar()) {
      Error(key_node.Mark(), display_parent, "keys must be plain names");
      continue;
    }
    const std::string name = key_node.Scalar();
    if (name.find_first_of(".[]") != std::string::npos) {
      // A name like "routes[].filter" would otherwise address the table directly and write
      // into a list item that does not exist (found by fuzz/fuzz_config.cc).
      Error(key_node.Mark(), display_parent,
            "key '" + name + "': keys must be plain names without '.', '[' or ']'");
      continue;
    }
    const std::string table_path = table_parent.empty() ? name : table_parent + "." + name;
    const std::string display = display_parent.empty() ? name : display_parent + "." + name;
    if (!here.insert(name).second) {
      Error(key_node.Mark(), display, "duplicate key");
      continue;
    }
    marks_[display] = value.Mark().is_null() ? key_node.Mark() : value.Mark();
    seen_.insert(display);
    const ConfigKey* key = FindConfigKey(table_path);
    if (key == nullptr) {
      UnknownKey(key_node, table_parent, display, name);
      continue;
    }
    switch (key->kind) {
      case ValueKind::kForbidden:
        Error(key_node.Mark(), display,
              "secrets are never written in the config file; " + std::string(key->help));
        break;
      case ValueKind::kSection:
        if (value.IsNull()) break;
        if (!value.IsMap()) {
          Error(value.Mark(), display, "expected a map of keys, got " + std::string(NodeKindName(value)));
          break;
        }
        WalkMap(value, table_path, display, item);
        break;
      case ValueKind::kList: {
        if (value.IsNull()) break;
        if (!value.IsSequence()) {
          Error(value.Mark(), display, "expected a list of maps, got " + std::string(NodeKindName(value)));
          break;
        }
        if (value.size() >= (size_t{1} << kNestedItemShift)) {
          Error(value.Mark(), display, "too many items");
          break;
        }
        key->resize(config_, item, value.size());
        for (size_t i = 0; i < value.size(); ++i) {
          const std::string item_display = display + "[" + std::to_string(i) + "]";
          const YAML::Node element = value[i];
          marks_[item_display] = element.Mark();
          if (!element.IsMap()) {
            Error(element.Mark(), item_display, "expected a map of keys, got " + std::string(NodeKindName(element)));
            continue;
          }
          WalkMap(element, table_path + "[]", item_display, ChildItem(table_path, item, i));
        }
        break;
      }
      default:
        SetScalar(*key, value, display, item);
        break;
    }
  }
  // Required keys of list items; top-level required keys are checked after the walk.
  if (!table_parent.empty() && table_parent.back() == ']') {
    for (const ConfigKey& k : ConfigTable()) {
      if (!k.required() || ParentPath(k.path) != table_parent) continue;
      std::string display = display_parent + "." + std::string(LeafName(k.path));
      if (!seen_.count(display)) Error(map.Mark(), display, "required key is missing");
    }
  }
}

void Loader::SetScalar(const ConfigKey& key, const YAML::Node& value, const std::string& display,
                       size_t item) {
  if (value.IsNull()) {
    if (key.required()) Error(value.Mark(), display, "must not be empty");
    return;  // an empty value keeps the default
  }
  auto fail = [&](std::string_view got) {
    Error(value.Mark(), display, "expected " + DescribeExpected(key) + ", got " + std::string(got));
  };
  if (!value.IsScalar()) return fail(NodeKindName(value));
  const std::string& text = value.Scalar();
  if (!route::IsValidUtf8(text)) {
    // Values end up in S3 keys, topics and logs, all UTF-8; and the effective-config dump
    // would rewrite the bytes (found by fuzz/fuzz_config.cc).
    Error(value.Mark(), display, "must be valid UTF-8");
    return;
  }
  ConfigValue v;
  auto in_range = [&](int64_t x) { return key.min >= key.max || (x >= key.min && x <= key.max); };
  switch (key.kind) {
    case ValueKind::kBool:
      if (!ParseBool(text, &v.b)) return fail(Quote(text));
      break;
    case ValueKind::kInt:
      if (!ParseInt64(text, &v.i) || !in_range(v.i)) return fail(Quote(text));
      break;
    case ValueKind::kDuration: {
      auto d = ParseDuration(text);
      if (!d.ok() || !in_range(d->count())) return fail(Quote(text));
      v.i = d->count();
      break;
    }
    case ValueKind::kSize: {
      auto s = ParseSize(text);
      if (!s.ok() || *s > static_cast<uint64_t>(INT64_MAX) ||
          !in_range(static_cast<int64_t>(*s))) {
        return fail(Quote(text));
      }
      v.i = static_cast<int64_t>(*s);
      break;
    }
    case ValueKind::kEnum: {
      bool found = false;
      std::string_view choices = key.choices;
      while (!choices.empty() && !found) {
        size_t bar = choices.find('|');
        found = choices.substr(0, bar) == text;
        choices = bar == std::string_view::npos ? std::string_view() : choices.substr(bar + 1);
      }
      if (!found) return fail(Quote(text));
      v.s = text;
      break;
    }
    case ValueKind::kEnvName:
      // "" is how an effective-config dump writes "not set"; it must load again.
      if (!text.empty() && !IsEnvVarName(text)) return fail(Quote(text));
      v.s = text;
      break;
    default:
      if (key.required() && text.empty()) {
        Error(value.Mark(), display, "must not be empty");
        return;
      }
      v.s = text;
      break;
  }
  key.set(config_, item, v);
}

void Loader::FillDynamicDefaults() {
  if (config_.instance_id.empty()) config_.instance_id = SanitizeHostName(env_->HostName());
  if (config_.broker.client_id.empty()) config_.broker.client_id = "mqtt2s3-" + config_.instance_id;
  for (auto& r : config_.routes) {
    if (r.content_type.empty()) r.content_type = std::string(r.EffectiveContentType());
  }
}

void Loader::ResolvePaths() {
  const size_t slash = file_.rfind('/');
  if (slash == std::string::npos) return;  // relative to the working directory already
  const std::string base = file_.substr(0, slash + 1);
  for (const ConfigKey& k : ConfigTable()) {
    if (k.kind != ValueKind::kPath || k.path.find("[]") != std::string_view::npos) continue;
    ConfigValue v = k.get(config_, 0);
    if (v.s.empty() || v.s.front() == '/') continue;
    v.s = base + v.s;
    k.set(config_, 0, v);
  }
}

std::optional<Secret> Loader::ResolveSecret(const std::string& file_key, const std::string& file,
                                            const std::string& env_key,
                                            const std::string& env_name, bool required) {
  if (!file.empty()) {
    auto content = env_->ReadFile(file);
    if (!content.ok()) {
      ErrorAtKey(file_key, content.status().message());
      return std::nullopt;
    }
    std::string value = TrimSecret(std::move(*content));
    if (value.empty()) {
      ErrorAtKey(file_key, "file '" + file + "' is empty");
      return std::nullopt;
    }
    return Secret(std::move(value), "file " + file);
  }
  if (env_name.empty()) {
    if (required) ErrorAtKey(env_key, "must name an environment variable");
    return Secret();
  }
  std::optional<std::string> value = env_->GetEnv(env_name);
  if (!value || value->empty()) {
    ErrorAtKey(env_key, "environment variable " + env_name + " is " +
                            (value ? "empty" : "not set") + " (set it, or use " + file_key + ")");
    return std::nullopt;
  }
  return Secret(std::move(*value), "env " + env_name);
}

void Loader::ResolveSecrets() {
  for (auto [env_key, file_key] : {std::pair{"s3.access_key_env", "s3.access_key_file"},
                                   std::pair{"s3.secret_key_env", "s3.secret_key_file"}}) {
    ConfigValue file = FindConfigKey(file_key)->get(config_, 0);
    if (seen_.count(env_key) && !file.s.empty()) {
      ErrorAtKey(file_key, std::string("set only one of ") + env_key + " and " + file_key);
    }
  }
  if (!errors_.empty()) return;
  BrokerOptions& b = config_.broker;
  if (!b.password_env.empty() || !b.password_file.empty()) {
    if (auto s = ResolveSecret("broker.password_file", b.password_file, "broker.password_env",
                               b.password_env, false)) {
      b.password = std::move(*s);
    }
  }
  S3Options& s3 = config_.s3;
  if (auto s = ResolveSecret("s3.access_key_file", s3.access_key_file, "s3.access_key_env",
                             s3.access_key_env, true)) {
    s3.access_key = std::move(*s);
  }
  if (auto s = ResolveSecret("s3.secret_key_file", s3.secret_key_file, "s3.secret_key_env",
                             s3.secret_key_env, true)) {
    s3.secret_key = std::move(*s);
  }
}

StatusOr<Config> Loader::Load(std::string_view yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    Error(e.mark, "", "YAML syntax error: " + e.msg);
    return Result();
  }
  try {
    if (root.IsNull()) {
      Error(YAML::Mark::null_mark(), "",
            "the config is empty; it needs at least subscriptions, s3.endpoint and routes");
      return Result();
    }
    if (!root.IsMap()) {
      Error(root.Mark(), "", "the top level must be a map of keys");
      return Result();
    }
    WalkMap(root, "", "", 0);
  } catch (const YAML::Exception& e) {
    Error(e.mark, "", "YAML error: " + e.msg);
  }
  for (const ConfigKey& k : ConfigTable()) {
    if (k.required() && k.path.find("[]") == std::string_view::npos && !seen_.count(k.path)) {
      ErrorAtKey(k.path, "required key is missing");
    }
  }
  M2S_RETURN_IF_ERROR(Result());
  FillDynamicDefaults();
  ResolvePaths();
  if (Status s = config_.Validate(); !s.ok()) {
    // Validate() messages read "key '<path>': why"; put the file position in front.
    constexpr std::string_view kHead = "key '";
    const std::string& m = s.message();
    size_t end = m.find("': ");
    if (m.rfind(kHead, 0) == 0 && end != std::string::npos) {
      ErrorAtKey(m.substr(kHead.size(), end - kHead.size()), m.substr(end + 3));
    } else {
      Error(YAML::Mark::null_mark(), "", m);
    }
    return Result();
  }
  if (options_.resolve_secrets) ResolveSecrets();
  M2S_RETURN_IF_ERROR(Result());
  config_.source_file = file_;
  return std::move(config_);
}

}  // namespace

StatusOr<Config> LoadConfigFile(const std::string& path, const LoadOptions& options) {
  // The config file itself always comes from the real file system; options.env only serves
  // what the file refers to (variables, secret files, host name).
  auto text = ProcessEnvironment().ReadFile(path);
  if (!text.ok()) return text.status();
  return LoadConfigFromString(*text, path, options);
}

StatusOr<Config> LoadConfigFromString(std::string_view yaml, std::string_view file_name,
                                      const LoadOptions& options) {
  Loader loader(file_name, options);
  return loader.Load(yaml);
}

}  // namespace mqtt2s3::config
