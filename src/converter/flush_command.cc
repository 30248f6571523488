#include "converter/flush_command.h"

#include <simdjson.h>

namespace mqtt2s3::converter {

StatusOr<FlushCommand> ParseFlushCommand(std::string_view payload) {
  FlushCommand cmd;
  size_t first = payload.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return cmd;  // empty: all partitions

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(payload.data(), payload.size()).get(doc)) {
    return Status::InvalidArgument(std::string("flush command: not JSON: ") +
                                   simdjson::error_message(err));
  }
  simdjson::dom::object obj;
  if (doc.get(obj)) return Status::InvalidArgument("flush command: expected a JSON object");
  for (auto field : obj) {
    std::string_view key = field.key;
    if (key != "bucket" && key != "partition") {
      return Status::InvalidArgument("flush command: unknown field '" + std::string(key) +
                                     "' (expected 'bucket' or 'partition')");
    }
    if (cmd.scope != FlushCommand::Scope::kAll) {
      return Status::InvalidArgument("flush command: give either 'bucket' or 'partition', not both");
    }
    std::string_view value;
    if (field.value.get(value) || value.empty()) {
      return Status::InvalidArgument("flush command: '" + std::string(key) +
                                     "' must be a non-empty string");
    }
    cmd.scope = key == "bucket" ? FlushCommand::Scope::kBucket : FlushCommand::Scope::kPartition;
    cmd.target.assign(value);
  }
  return cmd;
}

}  // namespace mqtt2s3::converter
