#include "backup/backup_options.h"

#include "converter/converter_options.h"
#include "route/topic_filter.h"

namespace mqtt2s3::backup {

Status BackupOptions::Validate() const {
  M2S_RETURN_IF_ERROR(session.Validate().WithContext("broker"));
  if (session.client_id.empty()) {
    return Status::InvalidArgument("backup.client_id: the backup needs its own client id");
  }
  if (session.clean_start) {
    return Status::InvalidArgument(
        "backup: the session must be persistent (clean start would drop queued messages)");
  }
  for (const mqtt::Subscription& s : session.subscriptions) {
    if (route::StripSharePrefix(s.filter) != s.filter) {
      return Status::InvalidArgument("backup: subscription '" + s.filter +
                                     "' is shared; the backup must receive every message");
    }
  }
  M2S_RETURN_IF_ERROR(s3.Validate());
  M2S_RETURN_IF_ERROR(router.Validate().WithContext("routes"));
  if (Status s = route::ValidateInstanceId(BackupInstance()); !s.ok()) {
    return s.WithContext("instance_id + '-backup'");
  }
  M2S_RETURN_IF_ERROR(uploader.Validate().WithContext("upload"));
  M2S_RETURN_IF_ERROR(format.Validate().WithContext("format"));
  M2S_RETURN_IF_ERROR(converter::CheckMetadataBudget(format.metadata_budget_bytes));
  M2S_RETURN_IF_ERROR(wal.Validate().WithContext("backup.dir"));
  M2S_RETURN_IF_ERROR(default_policy.Validate().WithContext("batch"));
  for (size_t i = 0; i < route_policies.size(); ++i) {
    M2S_RETURN_IF_ERROR(
        route_policies[i].Validate().WithContext("routes[" + std::to_string(i) + "].batch"));
  }
  if (confirm_topic.empty()) {
    return Status::InvalidArgument(
        "delivery.confirm_topic: must be set for the backup consumer (it is where the "
        "converter confirms uploads)");
  }
  if (confirm_topic.find_first_of("+#") != std::string::npos) {
    return Status::InvalidArgument("delivery.confirm_topic: '" + confirm_topic +
                                   "' must be a topic, not a filter");
  }
  if (confirm_timeout.count() <= 0) {
    return Status::InvalidArgument("backup.confirm_timeout: must be positive");
  }
  if (key_prefix.empty()) {
    return Status::InvalidArgument(
        "backup.key_prefix: must not be empty (backup objects would mix with the converter's)");
  }
  if (dead_letter_bucket.empty()) {
    return Status::InvalidArgument("dead_letter.bucket: must not be empty");
  }
  if (max_early_confirmations == 0 || summary_interval.count() <= 0) {
    return Status::InvalidArgument("backup: max_early_confirmations and summary_interval > 0");
  }
  return Status::Ok();
}

}  // namespace mqtt2s3::backup
