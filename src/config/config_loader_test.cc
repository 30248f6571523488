#include "config/config_loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "config/config_render.h"
#include "config/fake_environment.h"

namespace mqtt2s3::config {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace std::chrono_literals;

constexpr std::string_view kMinimal = R"(subscriptions:
  - filter: "plant/#"
s3:
  endpoint: http://127.0.0.1:8000
routes:
  - name: all
    filter: "plant/#"
)";

FakeEnvironment DefaultEnv() {
  return FakeEnvironment(FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "AKID-value"}, {"AWS_SECRET_ACCESS_KEY", "s3cr3t-value"}});
}

StatusOr<Config> Load(std::string_view yaml, const Environment& env) {
  LoadOptions o;
  o.env = &env;
  return LoadConfigFromString(yaml, "t.yaml", o);
}

std::string LoadError(std::string_view yaml) {
  FakeEnvironment env = DefaultEnv();
  auto c = Load(yaml, env);
  EXPECT_FALSE(c.ok()) << yaml;
  return c.ok() ? "" : c.status().message();
}

TEST(ConfigLoaderTest, MinimalConfigGetsEveryDefault) {
  FakeEnvironment env = DefaultEnv();
  auto c = Load(kMinimal, env);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->instance_id, "test-host");
  EXPECT_EQ(c->broker.host, "127.0.0.1");
  EXPECT_EQ(c->broker.port, 1883);
  EXPECT_EQ(c->broker.protocol, MqttProtocol::kV5);
  EXPECT_EQ(c->broker.client_id, "mqtt2s3-test-host");
  EXPECT_EQ(c->broker.session_expiry, 1h);
  EXPECT_EQ(c->broker.max_packet_size, 16u << 20);
  EXPECT_EQ(c->subscriptions.at(0).qos, 1);
  EXPECT_EQ(c->s3.region, "us-east-1");
  EXPECT_EQ(c->s3.access_key.value(), "AKID-value");
  EXPECT_EQ(c->s3.secret_key.value(), "s3cr3t-value");
  EXPECT_EQ(c->s3.secret_key.source(), "env AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(c->routes.at(0).key, route::kDefaultKeyTemplate);
  EXPECT_EQ(c->routes.at(0).content_type, "application/json");
  EXPECT_EQ(c->dead_letter.bucket, "mqtt2s3-dead-letter");
  EXPECT_EQ(c->logging.level, LogLevel::kInfo);
  EXPECT_EQ(c->source_file, "t.yaml");
}

TEST(ConfigLoaderTest, ValuesOfEveryKindAreRead) {
  FakeEnvironment env = DefaultEnv();
  auto c = Load(std::string(kMinimal) + R"(instance_id: gw-7
broker:
  port: 8883
  protocol: "3.1.1"
  clean_start: yes
  keepalive: 5m
  max_packet_size: 64KiB
  tls: {enabled: true, verify: false}
logging: {level: debug, format: json}
)", env);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->instance_id, "gw-7");
  EXPECT_EQ(c->broker.port, 8883);
  EXPECT_EQ(c->broker.protocol, MqttProtocol::kV311);
  EXPECT_TRUE(c->broker.clean_start);
  EXPECT_EQ(c->broker.keepalive, 5min);
  EXPECT_EQ(c->broker.max_packet_size, 65536u);
  EXPECT_TRUE(c->broker.tls.enabled);
  EXPECT_FALSE(c->broker.tls.verify);
  EXPECT_EQ(c->logging.level, LogLevel::kDebug);
  EXPECT_EQ(c->logging.format, LogFormat::kJson);
}

TEST(ConfigLoaderTest, ErrorNamesFileLineColumnAndKey) {
  std::string e = LoadError(std::string(kMinimal) + "broker:\n  host: h\n  port: abc\n");
  EXPECT_EQ(e, "t.yaml:10:9: key 'broker.port': expected an integer 1..65535, got \"abc\"");
}

// Found by fuzz/fuzz_config.cc: control bytes in a key name or a YAML error split an error
// over several lines, so a later line no longer started with "file:line:col:".
TEST(ConfigLoaderTest, EveryErrorLineStartsWithTheFileEvenWithControlBytes) {
  const std::string inputs[] = {std::string("\xff\x00\n", 3),
                                std::string("subscript\x1a\x00ns:\n  - filter: \"a/#\"\n", 31),
                                std::string(kMinimal) + "bro\nker: 1\n"};
  for (const std::string& yaml : inputs) {
    std::string e = LoadError(yaml);
    ASSERT_FALSE(e.empty());
    size_t start = 0;
    while (start < e.size()) {
      size_t nl = e.find('\n', start);
      std::string line = e.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
      EXPECT_EQ(line.rfind("t.yaml", 0), 0u) << "line: " << line;
      for (unsigned char c : line) EXPECT_GE(c, 0x20) << "control byte in: " << line;
      if (nl == std::string::npos) break;
      start = nl + 1;
    }
  }
}

// Found by fuzz/fuzz_config.cc: a dotted name addressed a list item that did not exist.
TEST(ConfigLoaderTest, DottedOrBracketedKeyNamesAreRejected) {
  for (const char* yaml : {"routes[].filter: x\n", "broker.port: 1\n", "routes[0]: x\n"}) {
    EXPECT_THAT(LoadError(std::string(kMinimal) + yaml),
                HasSubstr("keys must be plain names without '.', '[' or ']'"))
        << yaml;
  }
}

// Found by fuzz/fuzz_config.cc: invalid UTF-8 in a value was accepted, and the effective
// dump (which replaces it) no longer loaded.
TEST(ConfigLoaderTest, ValuesMustBeValidUtf8) {
  EXPECT_THAT(LoadError(std::string(kMinimal) + "dead_letter:\n  prefix: \"dl\xB9\xB9/\"\n"),
              HasSubstr("key 'dead_letter.prefix': must be valid UTF-8"));
}

TEST(ConfigLoaderTest, UnknownKeysAreErrorsWithASuggestion) {
  EXPECT_THAT(LoadError(std::string(kMinimal) + "brokr:\n  port: 1\n"),
              HasSubstr("t.yaml:8:1: key 'brokr': unknown key; did you mean 'broker'?"));
  EXPECT_THAT(LoadError(std::string(kMinimal) + "broker:\n  prot: 1\n"),
              HasSubstr("key 'broker.prot': unknown key; did you mean 'port'?"));
  EXPECT_THAT(LoadError(std::string(kMinimal) + "port: 1\n"),
              HasSubstr("key 'port': unknown key; 'port' belongs in 'broker.port'"));
  EXPECT_THAT(LoadError(std::string(kMinimal) + "    colour: red\n"),
              HasSubstr("t.yaml:8:5: key 'routes[0].colour': unknown key"));
}

TEST(ConfigLoaderTest, SeveralErrorsAreReportedTogether) {
  std::string e = LoadError(std::string(kMinimal) + "broker:\n  port: 0\n  keepalive: 1y\n");
  EXPECT_THAT(e, HasSubstr("t.yaml:9:9: key 'broker.port': expected an integer 1..65535, got \"0\""));
  EXPECT_THAT(e, HasSubstr("\nt.yaml:10:14: key 'broker.keepalive': expected a duration"));
}

TEST(ConfigLoaderTest, WrongTypesAndRangesAreRejected) {
  struct Case {
    std::string extra;
    std::string want;
  };
  const Case cases[] = {
      {"broker:\n  port: [1]\n", "key 'broker.port': expected an integer 1..65535, got a list"},
      {"broker:\n  tls: 5\n", "key 'broker.tls': expected a map of keys, got a scalar"},
      {"broker:\n  protocol: 4\n", "key 'broker.protocol': expected one of 5|3.1.1, got \"4\""},
      {"broker:\n  clean_start: maybe\n", "expected true or false, got \"maybe\""},
      {"broker:\n  receive_maximum: 70000\n", "expected an integer 1..65535"},
      {"broker:\n  max_packet_size: 1TB\n", "key 'broker.max_packet_size': expected a size"},
      {"broker:\n  password_env: \"not a name\"\n", "expected an environment variable name"},
      {"s3:\n  endpoint: x\n", "duplicate key"},
      {"logging: [1]\n", "key 'logging': expected a map of keys, got a list"},
      {"dead_letter:\n  bucket: Bad_Bucket\n", "key 'dead_letter.bucket': 'Bad_Bucket' is not a valid bucket name"},
  };
  for (const auto& c : cases) {
    EXPECT_THAT(LoadError(std::string(kMinimal) + c.extra), HasSubstr(c.want)) << c.extra;
  }
  EXPECT_THAT(LoadError(R"(subscriptions:
  - filter: "a/#"
    qos: 3
s3: {endpoint: "http://h"}
routes: [{name: r, filter: "#"}]
)"),
              HasSubstr("t.yaml:3:10: key 'subscriptions[0].qos': expected an integer 0..2, got \"3\""));
}

TEST(ConfigLoaderTest, MissingRequiredKeysAreNamed) {
  EXPECT_THAT(LoadError("subscriptions: [{filter: a}]\nroutes: [{name: r, filter: a}]\n"),
              HasSubstr("key 's3.endpoint': required key is missing"));
  EXPECT_THAT(LoadError("s3: {endpoint: \"http://h\"}\nroutes: [{name: r, filter: a}]\n"),
              HasSubstr("key 'subscriptions': required key is missing"));
  EXPECT_THAT(LoadError(R"(subscriptions: [{filter: a}]
s3: {endpoint: "http://h"}
routes:
  - name: r
  - filter: a
)"),
              AllOf(HasSubstr("t.yaml:4:5: key 'routes[0].filter': required key is missing"),
                    HasSubstr("t.yaml:5:5: key 'routes[1].name': required key is missing")));
  EXPECT_THAT(LoadError("subscriptions: []\ns3: {endpoint: \"http://h\"}\nroutes: [{name: r, filter: a}]\n"),
              HasSubstr("t.yaml:1:16: key 'subscriptions': at least one subscription is required"));
  EXPECT_THAT(LoadError(""), HasSubstr("the config is empty"));
  EXPECT_THAT(LoadError("- a\n- b\n"), HasSubstr("t.yaml:1:1: the top level must be a map"));
}

TEST(ConfigLoaderTest, YamlSyntaxErrorsHaveALine) {
  EXPECT_THAT(LoadError("s3:\n  endpoint: [x\nroutes: 1\n"),
              testing::MatchesRegex("t\\.yaml:[34]:[0-9]+: YAML syntax error: .*"));
}

TEST(ConfigLoaderTest, InlineSecretsAreRejectedWithTheAlternative) {
  EXPECT_THAT(LoadError(std::string(kMinimal) + "  secret_key: hunter2\n"),
              Not(HasSubstr("hunter2")));
  EXPECT_THAT(LoadError(R"(subscriptions: [{filter: a}]
routes: [{name: r, filter: a}]
s3:
  endpoint: "http://h"
  secret_key: hunter2
)"),
              HasSubstr("t.yaml:5:3: key 's3.secret_key': secrets are never written in the "
                        "config file; write s3.secret_key_env or s3.secret_key_file instead"));
  EXPECT_THAT(LoadError(std::string(kMinimal) + "broker: {password: x}\n"),
              HasSubstr("write broker.password_env or broker.password_file instead"));
}

TEST(ConfigLoaderTest, SecretsComeFromEnvOrFilesRelativeToTheConfig) {
  FakeEnvironment env(FakeEnvironment::Map{{"MY_AK", "ak-from-env"}, {"AWS_SECRET_ACCESS_KEY", "unused"}},
                      FakeEnvironment::Map{{"/etc/m2s/sk.txt", "sk-from-file\n"}, {"/etc/m2s/pw", "pw\r\n"}});
  LoadOptions o;
  o.env = &env;
  auto c = LoadConfigFromString(std::string(kMinimal) + R"(broker:
  password_file: pw
s3:
  access_key_env: MY_AK
  secret_key_file: sk.txt
)", "/etc/m2s/c.yaml", o);
  ASSERT_FALSE(c.ok());  // s3 appears twice
  c = LoadConfigFromString(R"(subscriptions: [{filter: a}]
routes: [{name: r, filter: a}]
broker:
  password_file: pw
s3:
  endpoint: "http://h"
  access_key_env: MY_AK
  secret_key_file: sk.txt
)", "/etc/m2s/c.yaml", o);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->broker.password.value(), "pw");
  EXPECT_EQ(c->s3.access_key.value(), "ak-from-env");
  EXPECT_EQ(c->s3.secret_key.value(), "sk-from-file");
  EXPECT_EQ(c->s3.secret_key_file, "/etc/m2s/sk.txt");
  EXPECT_EQ(c->s3.secret_key.source(), "file /etc/m2s/sk.txt");
}

TEST(ConfigLoaderTest, MissingSecretsNameTheVariableNotTheValue) {
  FakeEnvironment env(FakeEnvironment::Map{{"AWS_ACCESS_KEY_ID", "AKID"}});
  auto c = Load(kMinimal, env);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(),
              HasSubstr("key 's3.secret_key_env': environment variable AWS_SECRET_ACCESS_KEY is "
                        "not set (set it, or use s3.secret_key_file)"));
  LoadOptions o;
  o.env = &env;
  o.resolve_secrets = false;
  EXPECT_TRUE(LoadConfigFromString(kMinimal, "t.yaml", o).ok());
  EXPECT_THAT(LoadError(std::string(kMinimal) + "broker: {password_env: NOPE}\n"),
              HasSubstr("t.yaml:8:24: key 'broker.password_env': environment variable NOPE is not set"));
}

TEST(ConfigLoaderTest, ValidationErrorsPointAtTheOffendingValue) {
  EXPECT_THAT(LoadError(R"(subscriptions:
  - filter: ok/#
  - filter: bad/#/x
s3: {endpoint: "http://h"}
routes: [{name: r, filter: a}]
)"),
              HasSubstr("t.yaml:3:13: key 'subscriptions[1].filter': invalid topic filter "
                        "'bad/#/x': '#' is only allowed as the last level"));
  EXPECT_THAT(LoadError(R"(subscriptions: [{filter: a}]
s3: {endpoint: "http://h"}
routes:
  - name: r
    filter: a
    pattern: "{root}/{plant}"
    key: "{root}/{plnt}/x"
)"),
              HasSubstr("t.yaml:7:10: key 'routes[0].key': template '{root}/{plnt}/x' column 8: "
                        "unknown placeholder '{plnt}'"));
  EXPECT_THAT(LoadError(R"(subscriptions: [{filter: a}]
s3: {endpoint: "http://h"}
routes: [{name: r, filter: a}, {name: r, filter: b}]
)"),
              HasSubstr("key 'routes[1].name': route name 'r' is used by an earlier route"));
  EXPECT_THAT(LoadError(std::string(kMinimal) + "broker: {reconnect_min: 1m, reconnect_max: 1s}\n"),
              HasSubstr("key 'broker.reconnect_min': must not be greater than broker.reconnect_max"));
  EXPECT_THAT(LoadError(std::string(kMinimal) + "instance_id: a/b\n"),
              HasSubstr("t.yaml:8:14: key 'instance_id': instance id 'a/b' may contain only"));
}

TEST(ConfigLoaderTest, SecretsPrintMasked) {
  Secret s("hunter2", "env X");
  std::ostringstream os;
  os << s;
  EXPECT_EQ(os.str(), "****");
  EXPECT_EQ(Secret().Masked(), "");
}

TEST(ConfigLoaderTest, EffectiveDumpMasksSecretsAndLoadsAgain) {
  FakeEnvironment env = DefaultEnv();
  auto c = Load(std::string(kMinimal) + "broker: {password_env: AWS_SECRET_ACCESS_KEY}\n", env);
  ASSERT_TRUE(c.ok()) << c.status().message();
  std::string dump = DumpEffective(*c);
  EXPECT_THAT(dump, Not(HasSubstr("s3cr3t-value")));
  EXPECT_THAT(dump, Not(HasSubstr("AKID-value")));
  EXPECT_THAT(dump, HasSubstr("secret key: **** (env AWS_SECRET_ACCESS_KEY)"));
  EXPECT_THAT(dump, HasSubstr("password: **** (env AWS_SECRET_ACCESS_KEY)"));
  EXPECT_THAT(dump, HasSubstr("port: 1883"));
  EXPECT_THAT(dump, HasSubstr("session_expiry: 1h"));
  EXPECT_THAT(dump, HasSubstr("max_packet_size: 16MiB"));
  auto again = Load(dump, env);
  ASSERT_TRUE(again.ok()) << again.status().message() << "\n" << dump;
  EXPECT_EQ(DumpEffective(*again), dump);
}

}  // namespace
}  // namespace mqtt2s3::config
