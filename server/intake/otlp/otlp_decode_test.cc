#include "server/intake/otlp/otlp_decode.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/zlib_codec.h"
#include "gtest/gtest.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace natscope::server::intake {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::common::v1::KeyValue;
using opentelemetry::proto::logs::v1::LogRecord;
using opentelemetry::proto::logs::v1::ResourceLogs;

// What the collector's filelog receiver and otlphttp exporter send for two
// lines of one file, written by hand as they appear on the wire: traceId
// and spanId in hex (protobuf's JSON mapping would want base64), 64-bit
// integers as strings, an enum as its number, and a field natscope's
// subset does not declare (eventName).
constexpr char kCollectorJson[] = R"json({
  "resourceLogs": [{
    "resource": {"attributes": [
      {"key": "host.name", "value": {"stringValue": "laptop-7"}},
      {"key": "os.type", "value": {"stringValue": "windows"}},
      {"key": "host.cpu.count", "value": {"intValue": "8"}}
    ]},
    "scopeLogs": [{
      "scope": {"name": "filelog"},
      "logRecords": [{
        "timeUnixNano": "1767225600123456789",
        "observedTimeUnixNano": "1767225601000000000",
        "severityNumber": 9,
        "severityText": "INFO",
        "body": {"stringValue": "tailscaled: magicsock: disco: node [abc] now using 1.2.3.4:41641\n"},
        "attributes": [
          {"key": "log.file.path", "value": {"stringValue": "C:\\ProgramData\\Tailscale\\tailscaled.log"}},
          {"key": "log.file.name", "value": {"stringValue": "tailscaled.log"}}
        ],
        "flags": 1,
        "traceId": "5B8EFFF798038103D269B633813FC60C",
        "spanId": "EEE19B7EC3C1B174",
        "eventName": "line"
      }, {
        "observedTimeUnixNano": 1767225602000000000,
        "body": {"stringValue": "second line"}
      }]
    }]
  }]
})json";

OtlpDecodeOptions Options() { return OtlpDecodeOptions{}; }

void AddAttribute(google::protobuf::RepeatedPtrField<KeyValue>* attributes,
                  const std::string& key, const std::string& value) {
  KeyValue* kv = attributes->Add();
  kv->set_key(key);
  kv->mutable_value()->set_string_value(value);
}

// A resource with `host_key` = `host` and one record per body.
ResourceLogs* AddResource(ExportLogsServiceRequest* request,
                          const std::string& host_key, const std::string& host,
                          std::initializer_list<std::string> bodies) {
  ResourceLogs* resource_logs = request->add_resource_logs();
  if (!host_key.empty()) {
    AddAttribute(resource_logs->mutable_resource()->mutable_attributes(),
                 host_key, host);
  }
  auto* scope = resource_logs->add_scope_logs();
  for (const std::string& body : bodies) {
    scope->add_log_records()->mutable_body()->set_string_value(body);
  }
  return resource_logs;
}

TEST(OtlpEncodingTest, AcceptsBothMediaTypesWithParametersInAnyCase) {
  EXPECT_EQ(*OtlpEncodingOf("application/x-protobuf"), OtlpEncoding::kProtobuf);
  EXPECT_EQ(*OtlpEncodingOf("Application/JSON; charset=utf-8"),
            OtlpEncoding::kJson);
  EXPECT_EQ(*OtlpEncodingOf(" application/json ;charset=UTF-8"),
            OtlpEncoding::kJson);
  for (const char* other : {"", "text/plain", "application/protobuf",
                            "application/jsonx", "application/grpc"}) {
    auto encoding = OtlpEncodingOf(other);
    EXPECT_TRUE(absl::IsUnimplemented(encoding.status())) << other;
  }
  EXPECT_NE(OtlpEncodingOf("text/plain")
                .status()
                .message()
                .find("application/x-protobuf or application/json"),
            std::string::npos);
}

TEST(OtlpDecodeTest, ReadsWhatACollectorSendsAsJson) {
  auto decoded =
      DecodeOtlpLogs(kCollectorJson, OtlpEncoding::kJson, "", Options());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->records, 2u);
  EXPECT_TRUE(decoded->rejected.empty());
  ASSERT_EQ(decoded->messages.size(), 2u);
  const IntakeMessage& first = decoded->messages[0];
  EXPECT_EQ(first.hostname, "laptop-7");
  EXPECT_EQ(first.role, "");
  EXPECT_EQ(first.token, "");
  EXPECT_EQ(first.text,
            "tailscaled: magicsock: disco: node [abc] now using 1.2.3.4:41641");
  EXPECT_EQ(first.time, absl::FromUnixNanos(1767225600123456789));
  EXPECT_EQ(first.source, "otlp:C:\\ProgramData\\Tailscale\\tailscaled.log");
  const IntakeMessage& second = decoded->messages[1];
  EXPECT_EQ(second.text, "second line");
  EXPECT_EQ(second.time, absl::FromUnixSeconds(1767225602));  // Observed.
  EXPECT_EQ(second.source, "otlp");
  EXPECT_EQ(decoded->record_of, (std::vector<size_t>{0, 1}));
}

TEST(OtlpDecodeTest, ReadsProtobufAndGzip) {
  ExportLogsServiceRequest request;
  ResourceLogs* resource = AddResource(&request, "host.id", "id-42", {"line"});
  LogRecord* record = resource->mutable_scope_logs(0)->mutable_log_records(0);
  record->set_time_unix_nano(1767225600000000001);
  record->set_observed_time_unix_nano(1767225699000000000);
  auto gzipped = GzipDeflate(request.SerializeAsString());
  ASSERT_TRUE(gzipped.ok());
  for (const auto& [body, coding] :
       {std::pair<std::string, std::string>{request.SerializeAsString(), ""},
        {request.SerializeAsString(), "identity"},
        {*gzipped, "gzip"},
        {*gzipped, " GZIP "}}) {
    auto decoded =
        DecodeOtlpLogs(body, OtlpEncoding::kProtobuf, coding, Options());
    ASSERT_TRUE(decoded.ok()) << coding << ": " << decoded.status();
    ASSERT_EQ(decoded->messages.size(), 1u);
    EXPECT_EQ(decoded->messages[0].hostname, "id-42");
    EXPECT_EQ(decoded->messages[0].text, "line");
    EXPECT_EQ(decoded->messages[0].time,
              absl::FromUnixNanos(1767225600000000001));
  }
}

TEST(OtlpDecodeTest, HostNameWinsOverHostIdAndRoleComesFromResourceThenRecord) {
  ExportLogsServiceRequest request;
  ResourceLogs* both = AddResource(&request, "host.id", "id-1", {"a"});
  AddAttribute(both->mutable_resource()->mutable_attributes(), "host.name",
               "named");
  AddAttribute(both->mutable_resource()->mutable_attributes(), "natscope.role",
               "connector");
  AddAttribute(
      both->mutable_scope_logs(0)->mutable_log_records(0)->mutable_attributes(),
      "natscope.role", "client");
  ResourceLogs* record_role = AddResource(&request, "host.name", "h2", {"b"});
  AddAttribute(record_role->mutable_scope_logs(0)
                   ->mutable_log_records(0)
                   ->mutable_attributes(),
               "natscope.role", "client");
  auto decoded = DecodeOtlpLogs(request.SerializeAsString(),
                                OtlpEncoding::kProtobuf, "", Options());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->messages.size(), 2u);
  EXPECT_EQ(decoded->messages[0].hostname, "named");
  EXPECT_EQ(decoded->messages[0].role, "connector");
  EXPECT_EQ(decoded->messages[1].role, "client");
  EXPECT_FALSE(decoded->messages[0].time.has_value());
}

TEST(OtlpDecodeTest, RejectsRecordsWithoutHostOrTextKeepingTheirIndex) {
  ExportLogsServiceRequest request;
  AddResource(&request, "host.name", "h", {"ok 0", "", "ok 2"});
  AddResource(&request, "", "", {"no host 3"});
  ResourceLogs* odd = AddResource(&request, "host.name", "h", {"ok 4"});
  odd->mutable_scope_logs(0)->add_log_records()->mutable_body()->set_int_value(
      5);
  odd->mutable_scope_logs(0)->add_log_records();  // 6: no body at all.
  odd->add_scope_logs()->add_log_records()->mutable_body()->set_string_value(
      std::string(64 << 10, 'x') + "\r\n");  // 7: exactly the bound.
  odd->mutable_scope_logs(1)
      ->add_log_records()
      ->mutable_body()
      ->set_string_value(
          std::string((64 << 10) + 1, 'x'));  // 8: one byte over.
  auto decoded = DecodeOtlpLogs(request.SerializeAsString(),
                                OtlpEncoding::kProtobuf, "", Options());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->records, 9u);
  EXPECT_EQ(decoded->record_of, (std::vector<size_t>{0, 2, 4, 7}));
  ASSERT_EQ(decoded->rejected.size(), 5u);
  EXPECT_EQ(decoded->rejected[0].first, 1u);
  EXPECT_EQ(decoded->rejected[0].second, "log record body is empty");
  EXPECT_EQ(decoded->rejected[1],
            std::make_pair(size_t{3}, std::string("resource has no host.name "
                                                  "or host.id attribute")));
  EXPECT_EQ(decoded->rejected[2].first, 5u);
  EXPECT_NE(decoded->rejected[2].second.find("not a string"),
            std::string::npos);
  EXPECT_EQ(decoded->rejected[3],
            std::make_pair(size_t{6}, std::string("log record has no body")));
  EXPECT_EQ(decoded->rejected[4].first, 8u);
  EXPECT_NE(decoded->rejected[4].second.find("65537 bytes"), std::string::npos);
  EXPECT_EQ(decoded->messages[3].text.size(), size_t{64 << 10});
}

TEST(OtlpDecodeTest, EmptyRequestsDecodeToNothing) {
  for (const auto& [body, encoding] :
       {std::pair<std::string, OtlpEncoding>{"", OtlpEncoding::kProtobuf},
        {"", OtlpEncoding::kJson},
        {"{}", OtlpEncoding::kJson},
        {R"({"resourceLogs":[]})", OtlpEncoding::kJson}}) {
    auto decoded = DecodeOtlpLogs(body, encoding, "", Options());
    ASSERT_TRUE(decoded.ok()) << body << ": " << decoded.status();
    EXPECT_EQ(decoded->records, 0u);
    EXPECT_TRUE(decoded->messages.empty());
  }
}

TEST(OtlpDecodeTest, UndecodableBodiesAreInvalidArgument) {
  EXPECT_TRUE(absl::IsInvalidArgument(
      DecodeOtlpLogs("{not json", OtlpEncoding::kJson, "", Options())
          .status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(DecodeOtlpLogs(R"({"resourceLogs":"oops"})",
                                             OtlpEncoding::kJson, "", Options())
                                  .status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      DecodeOtlpLogs("\xff\xff\xff\xff", OtlpEncoding::kProtobuf, "", Options())
          .status()));
  // JSON sent as protobuf, and a body claimed gzip that is not.
  EXPECT_TRUE(absl::IsInvalidArgument(
      DecodeOtlpLogs(kCollectorJson, OtlpEncoding::kProtobuf, "", Options())
          .status()));
  EXPECT_TRUE(absl::IsInvalidArgument(
      DecodeOtlpLogs(kCollectorJson, OtlpEncoding::kJson, "gzip", Options())
          .status()));
}

TEST(OtlpDecodeTest, OtherContentEncodingsAreUnimplemented) {
  for (const char* coding : {"br", "deflate", "zstd", "gzip, gzip"}) {
    auto decoded =
        DecodeOtlpLogs(kCollectorJson, OtlpEncoding::kJson, coding, Options());
    EXPECT_TRUE(absl::IsUnimplemented(decoded.status())) << coding;
  }
}

TEST(OtlpDecodeTest, BodiesOverTheInflatedBoundAreResourceExhausted) {
  OtlpDecodeOptions options;
  options.max_inflated_bytes = 1000;
  ExportLogsServiceRequest request;
  AddResource(&request, "host.name", "h", {std::string(2000, 'z')});
  const std::string body = request.SerializeAsString();
  auto gzipped = GzipDeflate(body);
  ASSERT_TRUE(gzipped.ok());
  ASSERT_LT(gzipped->size(), 1000u);
  EXPECT_TRUE(absl::IsResourceExhausted(
      DecodeOtlpLogs(*gzipped, OtlpEncoding::kProtobuf, "gzip", options)
          .status()));
  EXPECT_TRUE(absl::IsResourceExhausted(
      DecodeOtlpLogs(body, OtlpEncoding::kProtobuf, "", options).status()));
  options.max_inflated_bytes = body.size();
  EXPECT_TRUE(
      DecodeOtlpLogs(*gzipped, OtlpEncoding::kProtobuf, "gzip", options).ok());
}

TEST(OtlpDecodeTest, MoreRecordsThanTheBoundAreResourceExhausted) {
  OtlpDecodeOptions options;
  options.max_records = 3;
  ExportLogsServiceRequest request;
  AddResource(&request, "host.name", "h", {"1", "2"});
  AddResource(&request, "host.name", "h", {"3"});
  EXPECT_TRUE(DecodeOtlpLogs(request.SerializeAsString(),
                             OtlpEncoding::kProtobuf, "", options)
                  .ok());
  AddResource(&request, "", "", {"4"});
  auto decoded = DecodeOtlpLogs(request.SerializeAsString(),
                                OtlpEncoding::kProtobuf, "", options);
  EXPECT_TRUE(absl::IsResourceExhausted(decoded.status()));
  EXPECT_NE(
      decoded.status().message().find("4 log records, over the limit of 3"),
      std::string::npos)
      << decoded.status();
}

TEST(OtlpDecodeTest, TimesUpToTheLargestFixed64AreKept) {
  ExportLogsServiceRequest request;
  ResourceLogs* resource = AddResource(&request, "host.name", "h", {"late"});
  resource->mutable_scope_logs(0)->mutable_log_records(0)->set_time_unix_nano(
      ~uint64_t{0});
  auto decoded = DecodeOtlpLogs(request.SerializeAsString(),
                                OtlpEncoding::kProtobuf, "", Options());
  ASSERT_TRUE(decoded.ok());
  ASSERT_TRUE(decoded->messages[0].time.has_value());
  EXPECT_GT(*decoded->messages[0].time,
            absl::FromUnixSeconds(int64_t{1} << 34));
}

TEST(OtlpDecodeTest, ALineWrappedInAMapIsReadFromItsLogOrMessageKey) {
  // What Fluent Bit's tail input sends through opentelemetry_envelope.
  constexpr char kWrapped[] = R"json({"resourceLogs":[{"resource":{
    "attributes":[{"key":"host.name","value":{"stringValue":"mac-3"}}]},
    "scopeLogs":[{"logRecords":[
      {"body":{"kvlistValue":{"values":[
        {"key":"log","value":{"stringValue":"the line"}}]}}},
      {"body":{"kvlistValue":{"values":[
        {"key":"other","value":{"stringValue":"x"}}]}}}]}]}]})json";
  auto decoded = DecodeOtlpLogs(kWrapped, OtlpEncoding::kJson, "", Options());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->messages.size(), 1u);
  EXPECT_EQ(decoded->messages[0].text, "the line");
  ASSERT_EQ(decoded->rejected.size(), 1u);
}

}  // namespace
}  // namespace natscope::server::intake
