// ls, inspect, get: read back what the converter wrote, through mqtt2s3::Reader. Results go
// to stdout (or --out), request statistics and diagnostics to stderr. Secrets are read from
// the config's secret sources or the environment and never printed.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "commands.h"
#include "config/config_loader.h"
#include "mqtt2s3/reader.h"
#include "s3/client.h"

namespace mqtt2s3::app {
namespace {

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kUsage = 2;

// An exit code, or the value a command needs.
template <typename T>
struct OrExit {
  std::optional<T> value;
  int code = kOk;
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

StatusOr<s3::ClientOptions> ClientOptionsFromFlags(const ReadFlags& flags) {
  s3::ClientOptions o;
  if (flags.config_file.empty() == flags.endpoint.empty()) {
    return Status::InvalidArgument("give exactly one of --config FILE or --endpoint URL");
  }
  if (!flags.config_file.empty()) {
    M2S_ASSIGN_OR_RETURN(config::Config cfg, config::LoadConfigFile(flags.config_file));
    const config::S3Options& s = cfg.s3;
    o.endpoint = s.endpoint;
    o.region = s.region;
    o.access_key = s.access_key.value();
    o.secret_key = s.secret_key.value();
    o.addressing = s.addressing == config::S3Addressing::kPath
                       ? s3::AddressingStyle::kPath
                       : s3::AddressingStyle::kVirtualHosted;
    o.ca_file = s.ca_file;
    o.insecure_skip_tls_verify = !s.verify_tls;
    o.request_timeout = s.request_timeout;
  } else {
    o.endpoint = flags.endpoint;
    o.region = flags.region;
    o.access_key = Env("AWS_ACCESS_KEY_ID");
    o.secret_key = Env("AWS_SECRET_ACCESS_KEY");
    if (o.access_key.empty()) o.access_key = Env("S3_ACCESS_KEY");
    if (o.secret_key.empty()) o.secret_key = Env("S3_SECRET_KEY");
    if (o.access_key.empty() || o.secret_key.empty()) {
      return Status::InvalidArgument(
          "--endpoint needs credentials in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or "
          "S3_ACCESS_KEY/S3_SECRET_KEY)");
    }
  }
  M2S_RETURN_IF_ERROR(o.Validate());
  return o;
}

OrExit<Reader> MakeReader(const ReadFlags& flags, bool dedupe = false) {
  auto options = ClientOptionsFromFlags(flags);
  if (!options.ok()) {
    std::cerr << "mqtt2s3: " << options.status().message() << "\n";
    return {std::nullopt, kUsage};
  }
  auto client = s3::Client::Create(std::move(*options));
  if (!client.ok()) {
    std::cerr << "mqtt2s3: " << client.status().message() << "\n";
    return {std::nullopt, kUsage};
  }
  ReaderOptions ro;
  ro.max_gap_bytes = flags.max_gap_bytes;
  ro.dedupe = dedupe;
  return {Reader(std::shared_ptr<const s3::Client>(std::move(*client)), ro), kOk};
}

OrExit<TimeRange> RangeFromFlags(const ReadFlags& flags) {
  TimeRange range;
  for (auto [text, out] : {std::pair{&flags.from, &range.from_ms}, {&flags.to, &range.to_ms}}) {
    if (text->empty()) continue;
    auto t = ParseTimeArg(*text);
    if (!t.ok()) {
      std::cerr << "mqtt2s3: " << t.status().message() << "\n";
      return {std::nullopt, kUsage};
    }
    *out = *t;
  }
  if (range.from_ms >= range.to_ms) {
    std::cerr << "mqtt2s3: --from must be before --to\n";
    return {std::nullopt, kUsage};
  }
  return {range, kOk};
}

void PrintStats(const char* command, const RequestStats& s) {
  std::cerr << "mqtt2s3 " << command << ": requests: " << s.lists << " LIST, " << s.heads
            << " HEAD, " << s.gets << " GET; " << s.bytes << " bytes received\n";
}

// Payloads are printed on one line: escape what would break the line.
std::string OneLine(std::string_view payload) {
  std::string out;
  out.reserve(payload.size());
  for (char c : payload) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

int ListObjectsCommand(const ReadFlags& flags) {
  auto range = RangeFromFlags(flags);
  if (!range.value) return range.code;
  auto reader = MakeReader(flags);
  if (!reader.value) return reader.code;
  auto listed = reader.value->ListObjects(flags.bucket, flags.prefix, *range.value);
  if (!listed.ok()) {
    std::cerr << "mqtt2s3 ls: " << listed.status().ToString() << "\n";
    return kFailure;
  }
  std::cout << "# first_event\tlast_event\tsize\tinstance\tseq\tkey\n";
  for (const ListedBatch& b : listed->objects) {
    std::cout << FormatTimeMs(b.first_ms) << "\t" << FormatTimeMs(b.last_ms) << "\t" << b.size
              << "\t" << b.instance << "\t" << b.partition_seq << "\t" << b.key << "\n";
  }
  for (const auto& [key, why] : listed->unparsed) {
    std::cerr << "mqtt2s3 ls: not an object name, time range unknown: " << why << "\n";
  }
  std::cerr << "mqtt2s3 ls: " << listed->objects.size() << " object(s) overlap, "
            << listed->outside_range << " outside the range, " << listed->index_objects
            << " index object(s) skipped, " << listed->unparsed.size() << " unparsed key(s)\n";
  PrintStats("ls", reader.value->stats());
  return kOk;
}

int InspectCommand(const ReadFlags& flags) {
  auto reader = MakeReader(flags);
  if (!reader.value) return reader.code;
  if (flags.keys.size() != 1) {
    std::cerr << "mqtt2s3 inspect: give exactly one --key\n";
    return kUsage;
  }
  auto obj = reader.value->Open(flags.bucket, flags.keys[0]);
  if (!obj.ok()) {
    std::cerr << "mqtt2s3 inspect: " << obj.status().ToString() << "\n";
    PrintStats("inspect", reader.value->stats());
    return kFailure;
  }
  const format::ObjectInfo& info = obj->info();
  std::cout << "bucket:          " << obj->bucket << "\n"
            << "key:             " << obj->key << "\n"
            << "object size:     " << obj->object_size << " bytes, etag " << obj->etag << "\n"
            << "format version:  " << info.format_version << "\n"
            << "messages:        " << info.message_count << "\n"
            << "first event:     " << FormatTimeMs(info.first_event_ms) << "\n"
            << "last event:      " << FormatTimeMs(info.last_event_ms) << "\n"
            << "body:            " << info.body_length << " bytes, sha256 " << info.body_sha256
            << "\n"
            << "separator:       \"" << OneLine(info.separator) << "\"\n";
  // Only Parquet objects get the line: JSON Lines output stays as it was (and as Python's).
  if (info.body_format != format::BodyFormat::kJsonLines) {
    std::cout << "body format:     " << format::BodyFormatName(info.body_format)
              << " (payloads addressed inside the file; no separator)\n";
  }
  if (obj->index_inline) {
    std::cout << "index:           inline in metadata, " << obj->index_bytes
              << " bytes compressed\n";
  } else {
    std::cout << "index:           companion object '" << obj->index_key << "', "
              << obj->index_bytes << " bytes compressed\n";
  }
  std::cout << "index checksum:  ok (sha256 " << info.index_sha256 << ")\n";
  int code = kOk;
  if (flags.verify_body) {
    Status st = reader.value->VerifyBody(*obj);
    std::cout << "body checksum:   " << (st.ok() ? "ok" : "MISMATCH: " + st.message()) << "\n";
    if (!st.ok()) code = kFailure;
  } else {
    std::cout << "body checksum:   not checked (--verify-body reads the whole body)\n";
  }
  const auto& groups = obj->index.Groups();
  std::cout << "clusters:        " << groups.size()
            << (groups.empty() ? " (not clustered: arrival order)" : "") << "\n";
  for (size_t g = 0; g < groups.size() && g < flags.max_clusters; ++g) {
    const format::IndexGroup& grp = groups[g];
    std::cout << "  " << grp.key << "\t" << grp.entry_count << " message(s)\tbytes ["
              << grp.range.offset << ", " << grp.range.end() << ") (" << grp.range.length
              << " bytes)\n";
  }
  if (groups.size() > flags.max_clusters) {
    std::cout << "  ... " << groups.size() - flags.max_clusters << " more (--max-clusters)\n";
  }
  PrintStats("inspect", reader.value->stats());
  return code;
}

int GetCommand(const ReadFlags& flags) {
  auto range = RangeFromFlags(flags);
  if (!range.value) return range.code;
  auto reader = MakeReader(flags, flags.dedupe);
  if (!reader.value) return reader.code;
  Selector selector;
  selector.exact_key = flags.index_key;
  selector.key_prefix = flags.index_prefix;
  selector.component = flags.device;
  selector.component_index = flags.device_component;
  selector.time = *range.value;

  std::ofstream file;
  if (!flags.out_file.empty()) {
    file.open(flags.out_file, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "mqtt2s3 get: cannot write '" << flags.out_file << "'\n";
      return kFailure;
    }
  }
  std::ostream& out = flags.out_file.empty() ? std::cout : file;
  QueryOptions q;
  q.bucket = flags.bucket;
  q.list_prefix = flags.list_prefix;
  q.keys = flags.keys;
  q.selector = selector;
  q.concurrency = flags.concurrency;
  // The directory gives payloads without their own time, topic or id: use it when only
  // payloads are printed, or when no line needs more than the device.
  q.use_directory = !flags.no_directory && flags.payload_only;
  auto result = reader.value->Query(q);
  if (!result.ok()) {
    std::cerr << "mqtt2s3 get: " << result.status().ToString() << "\n";
    PrintStats("get", reader.value->stats());
    return kFailure;
  }
  for (const Message& m : result->messages) {
    if (flags.payload_only) {
      out << m.payload << "\n";
    } else {
      out << (m.event_time_ms == kUnknownEventTime ? std::string("-")
                                                   : FormatTimeMs(m.event_time_ms))
          << "\t" << m.index_key << "\t" << m.topic << "\t" << OneLine(m.payload) << "\n";
    }
  }
  const uint64_t printed = result->messages.size();
  const uint64_t dropped = result->duplicates_dropped;
  std::cerr << "mqtt2s3 get: " << result->objects << " object(s), "
            << result->objects_by_directory << " through the group directory\n";
  out.flush();
  if (!out) {
    std::cerr << "mqtt2s3 get: write failed\n";
    return kFailure;
  }
  std::cerr << "mqtt2s3 get: " << printed << " message(s)";
  if (flags.dedupe) std::cerr << ", " << dropped << " duplicate(s) dropped";
  std::cerr << "\n";
  PrintStats("get", reader.value->stats());
  return kOk;
}

}  // namespace mqtt2s3::app
