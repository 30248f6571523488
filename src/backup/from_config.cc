#include "backup/from_config.h"

#include <algorithm>

#include "converter/from_config.h"
#include "route/topic_filter.h"

namespace mqtt2s3::backup {

StatusOr<BackupOptions> BackupOptionsFromConfig(const config::Config& cfg) {
  M2S_ASSIGN_OR_RETURN(converter::ConverterOptions c, converter::OptionsFromConfig(cfg));
  BackupOptions o;
  o.session = c.session;
  o.session.client_id =
      cfg.backup.client_id.empty() ? cfg.broker.client_id + "-backup" : cfg.backup.client_id;
  // Persistent whatever broker.clean_start says: messages published while the backup is
  // down must wait for it in the broker.
  o.session.clean_start = false;
  // Plain filters: a shared subscription would split the stream with the converter's group.
  o.session.subscriptions.clear();
  for (const mqtt::Subscription& s : c.session.subscriptions) {
    mqtt::Subscription plain{std::string(route::StripSharePrefix(s.filter)), s.qos};
    auto same = [&](const mqtt::Subscription& x) { return x.filter == plain.filter; };
    auto it = std::find_if(o.session.subscriptions.begin(), o.session.subscriptions.end(), same);
    if (it == o.session.subscriptions.end()) {
      o.session.subscriptions.push_back(std::move(plain));
    } else {
      it->qos = std::max(it->qos, plain.qos);
    }
  }
  o.s3 = c.s3;
  o.router = c.router;
  o.route_policies = c.route_policies;
  o.default_policy = c.batcher.default_policy;
  o.uploader = c.uploader;
  o.format = c.format;
  o.dead_letter_bucket = c.dead_letter_bucket;
  o.dead_letter_prefix = c.dead_letter_prefix;
  o.flush_control_topic = c.flush_control_topic;
  o.shutdown_grace = c.shutdown_grace;

  o.wal.dir = cfg.backup.dir;
  o.wal.segment_bytes = cfg.wal.segment_size;
  o.wal.disk_budget_bytes = cfg.wal.disk_budget;
  o.wal.sync_every_messages = cfg.wal.sync_every_messages;
  o.wal.sync_every_ms = cfg.wal.sync_interval.count();
  auto sync = wal::ParseSyncPolicy(cfg.backup.sync);
  if (!sync.ok()) return config::KeyError("backup.sync", sync.status().message());
  o.wal.sync_policy = *sync;

  o.confirm_topic = cfg.delivery.confirm_topic;
  o.confirm_timeout = cfg.backup.confirm_timeout;
  o.key_prefix = cfg.backup.key_prefix;
  if (o.confirm_topic.empty()) {
    return config::KeyError("delivery.confirm_topic",
                            "must be set for `mqtt2s3 backup` (the converter confirms its "
                            "uploads there)");
  }
  return o;
}

}  // namespace mqtt2s3::backup
