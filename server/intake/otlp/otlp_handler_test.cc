#include "server/intake/otlp/otlp_handler.h"

#include <google/protobuf/unknown_field_set.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "common/retry_after.h"
#include "common/sim_clock.h"
#include "common/zlib_codec.h"
#include "gtest/gtest.h"
#include "opentelemetry/proto/collector/logs/v1/logs_service.pb.h"

namespace natscope::server::intake {
namespace {

using natscope::http::HttpRequest;
using natscope::http::HttpResponse;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

// Remembers what it was given and answers as scripted.
class FakeSink : public IntakeSink {
 public:
  absl::StatusOr<SubmitResult> Submit(std::vector<IntakeMessage> messages,
                                      absl::Time received) override {
    submissions.push_back(std::move(messages));
    received_at = received;
    if (!status.ok()) return status;
    return result;
  }

  std::vector<std::vector<IntakeMessage>> submissions;
  absl::Time received_at;
  absl::Status status;
  SubmitResult result;
};

// Two records of host laptop-7 as an OpenTelemetry Collector's otlphttp
// exporter writes them with encoding: json: traceId and spanId in hex,
// intValue as a string.
constexpr char kJsonTwoRecords[] = R"json({"resourceLogs":[{
  "resource":{"attributes":[
    {"key":"host.name","value":{"stringValue":"laptop-7"}},
    {"key":"process.pid","value":{"intValue":"4242"}}]},
  "scopeLogs":[{"scope":{},"logRecords":[
    {"timeUnixNano":"1767225600000000000","severityNumber":9,
     "body":{"stringValue":"first"},
     "traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},
    {"observedTimeUnixNano":"1767225601000000000",
     "body":{"stringValue":"second"}}]}]}]})json";

// Three records: 0 from a resource without a host, 1 and 2 from laptop-7.
constexpr char kJsonOneWithoutHost[] = R"json({"resourceLogs":[
  {"resource":{},"scopeLogs":[{"logRecords":[{"body":{"stringValue":"x"}}]}]},
  {"resource":{"attributes":[{"key":"host.name","value":{"stringValue":"laptop-7"}}]},
   "scopeLogs":[{"logRecords":[{"body":{"stringValue":"a"}},
                               {"body":{"stringValue":"b"}}]}]}]})json";

HttpRequest Post(std::string body, std::string content_type,
                 std::string token = "tok-1") {
  HttpRequest request;
  request.method = "POST";
  request.path = "/v1/logs";
  request.headers["content-type"] = std::move(content_type);
  if (!token.empty()) request.headers["authorization"] = "Bearer " + token;
  request.body = std::move(body);
  return request;
}

std::string ProtobufRequest(int records) {
  ExportLogsServiceRequest request;
  auto* resource_logs = request.add_resource_logs();
  auto* host = resource_logs->mutable_resource()->add_attributes();
  host->set_key("host.name");
  host->mutable_value()->set_string_value("mac-3");
  auto* scope = resource_logs->add_scope_logs();
  for (int i = 0; i < records; ++i) {
    auto* record = scope->add_log_records();
    record->mutable_body()->set_string_value("line " + std::to_string(i));
    // trace_id (9) and span_id (10), which natscope's subset leaves out:
    // a real SDK sets them, and they must be skipped.
    auto* unknown = record->GetReflection()->MutableUnknownFields(record);
    unknown->AddLengthDelimited(9, std::string(16, '\x5b'));
    unknown->AddLengthDelimited(10, std::string(8, '\xee'));
  }
  return request.SerializeAsString();
}

// A google.rpc.Status in binary protobuf: its code and message.
std::pair<int, std::string> DecodeStatus(const std::string& body) {
  google::protobuf::UnknownFieldSet fields;
  EXPECT_TRUE(fields.ParseFromString(body));
  std::pair<int, std::string> out{0, ""};
  for (int i = 0; i < fields.field_count(); ++i) {
    const auto& field = fields.field(i);
    if (field.number() == 1) out.first = static_cast<int>(field.varint());
    if (field.number() == 2) out.second = field.length_delimited();
  }
  return out;
}

std::string HeaderOf(const HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

class OtlpHandlerTest : public ::testing::Test {
 protected:
  OtlpHandlerTest() { options_.clock = &clock_; }

  HttpResponse Handle(const HttpRequest& request) {
    return HandleOtlpLogs(request, &sink_, options_);
  }

  SimClock clock_{absl::FromUnixSeconds(1767300000)};
  FakeSink sink_;
  OtlpHandlerOptions options_;
};

TEST_F(OtlpHandlerTest, StoresACollectorsJsonAndAnswersInJson) {
  const HttpResponse response =
      Handle(Post(kJsonTwoRecords, "application/json; charset=utf-8"));
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, "{}");
  ASSERT_EQ(sink_.submissions.size(), 1u);
  const auto& messages = sink_.submissions[0];
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].token, "tok-1");
  EXPECT_EQ(messages[1].token, "tok-1");
  EXPECT_EQ(messages[0].hostname, "laptop-7");
  EXPECT_EQ(messages[0].text, "first");
  EXPECT_EQ(messages[0].time, absl::FromUnixSeconds(1767225600));
  EXPECT_EQ(messages[1].time, absl::FromUnixSeconds(1767225601));
  EXPECT_EQ(sink_.received_at, absl::FromUnixSeconds(1767300000));
}

TEST_F(OtlpHandlerTest, StoresGzippedProtobufAndAnswersInProtobuf) {
  auto gzipped = GzipDeflate(ProtobufRequest(3));
  ASSERT_TRUE(gzipped.ok());
  HttpRequest request = Post(*gzipped, "application/x-protobuf", "tok-2");
  request.headers["content-encoding"] = "gzip";
  const HttpResponse response = Handle(request);
  EXPECT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/x-protobuf");
  ExportLogsServiceResponse answer;
  ASSERT_TRUE(answer.ParseFromString(response.body));
  EXPECT_FALSE(answer.has_partial_success());
  ASSERT_EQ(sink_.submissions.size(), 1u);
  ASSERT_EQ(sink_.submissions[0].size(), 3u);
  EXPECT_EQ(sink_.submissions[0][2].text, "line 2");
  EXPECT_EQ(sink_.submissions[0][2].hostname, "mac-3");
  EXPECT_EQ(sink_.submissions[0][2].token, "tok-2");
}

TEST_F(OtlpHandlerTest, PartialSuccessCountsDecoderAndSinkRejections) {
  // Submission index 1 is record 2 (record 0 has no host).
  sink_.result.rejected.emplace_back(1, "host laptop-7 belongs to site b");
  const HttpResponse response =
      Handle(Post(kJsonOneWithoutHost, "application/json"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(
      response.body,
      "{\"partialSuccess\":{\"rejectedLogRecords\":\"2\","
      "\"errorMessage\":\"2 of 3 log records rejected; the first (record 0): "
      "resource has no host.name or host.id attribute\"}}");
  ASSERT_EQ(sink_.submissions.size(), 1u);
  EXPECT_EQ(sink_.submissions[0].size(), 2u);
}

TEST_F(OtlpHandlerTest, PartialSuccessInProtobufNamesTheFirstRecordRejected) {
  sink_.result.rejected.emplace_back(3, "line over the site's bound");
  sink_.result.rejected.emplace_back(1, "line over the site's bound");
  const HttpResponse response =
      Handle(Post(ProtobufRequest(5), "application/x-protobuf"));
  EXPECT_EQ(response.status, 200);
  ExportLogsServiceResponse answer;
  ASSERT_TRUE(answer.ParseFromString(response.body));
  EXPECT_EQ(answer.partial_success().rejected_log_records(), 2);
  EXPECT_EQ(answer.partial_success().error_message(),
            "2 of 5 log records rejected; the first (record 1): line over "
            "the site's bound");
}

TEST_F(OtlpHandlerTest, EmptyRequestSucceedsWithoutSubmitting) {
  const HttpResponse response = Handle(Post("", "application/x-protobuf"));
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "");  // An empty ExportLogsServiceResponse.
  EXPECT_TRUE(sink_.submissions.empty());
}

TEST_F(OtlpHandlerTest, UnsupportedMediaTypeOrEncodingIs415) {
  HttpResponse response = Handle(Post(kJsonTwoRecords, "text/plain"));
  EXPECT_EQ(response.status, 415);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_NE(response.body.find("application/x-protobuf or application/json"),
            std::string::npos)
      << response.body;
  HttpRequest brotli = Post(kJsonTwoRecords, "application/json");
  brotli.headers["content-encoding"] = "br";
  response = Handle(brotli);
  EXPECT_EQ(response.status, 415);
  EXPECT_NE(response.body.find("send gzip"), std::string::npos);
  EXPECT_TRUE(sink_.submissions.empty());
}

TEST_F(OtlpHandlerTest, UndecodableBodyIs400WithAStatusInTheRequestsEncoding) {
  HttpResponse response =
      Handle(Post("\xff\x01garbage", "application/x-protobuf"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.content_type, "application/x-protobuf");
  const auto [code, message] = DecodeStatus(response.body);
  EXPECT_EQ(code, 3);  // INVALID_ARGUMENT.
  EXPECT_NE(message.find("not a binary protobuf"), std::string::npos)
      << message;
  response = Handle(Post("{\"resourceLogs\":", "application/json"));
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(response.body.rfind("{\"code\":3,\"message\":\"", 0), 0u)
      << response.body;
  EXPECT_TRUE(sink_.submissions.empty());
}

TEST_F(OtlpHandlerTest, BodyInflatingOverTheBoundIs413) {
  options_.max_inflated_bytes = 10000;
  auto bomb = GzipDeflate(std::string(1 << 20, '{'));
  ASSERT_TRUE(bomb.ok());
  HttpRequest request = Post(*bomb, "application/json");
  request.headers["content-encoding"] = "gzip";
  EXPECT_EQ(Handle(request).status, 413);
  options_.max_records = 2;
  EXPECT_EQ(Handle(Post(ProtobufRequest(3), "application/x-protobuf")).status,
            413);
  EXPECT_TRUE(sink_.submissions.empty());
}

TEST_F(OtlpHandlerTest, NoBearerTokenIs401) {
  for (const char* authorization :
       {"", "Basic dXNlcjpwdw==", "Bearer ", "tok-1"}) {
    HttpRequest request = Post(kJsonTwoRecords, "application/json", "");
    if (*authorization != '\0')
      request.headers["authorization"] = authorization;
    const HttpResponse response = Handle(request);
    EXPECT_EQ(response.status, 401) << authorization;
    EXPECT_EQ(HeaderOf(response, "WWW-Authenticate"), "Bearer");
    EXPECT_NE(response.body.find("Authorization: Bearer TOKEN"),
              std::string::npos);
  }
  HttpRequest lower = Post(kJsonTwoRecords, "application/json", "");
  lower.headers["authorization"] = "bearer  tok-3 ";
  EXPECT_EQ(Handle(lower).status, 200);
  ASSERT_EQ(sink_.submissions.size(), 1u);
  EXPECT_EQ(sink_.submissions[0][0].token, "tok-3");
}

TEST_F(OtlpHandlerTest, EveryRecordRefusedForItsTokenIs401) {
  sink_.result.rejected = {
      {0, "intake token unknown or revoked: ask for a new one"},
      {1, "intake token unknown or revoked: ask for a new one"}};
  HttpResponse response = Handle(Post(kJsonOneWithoutHost, "application/json"));
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(response.body,
            "{\"code\":16,\"message\":\"intake token unknown or revoked: ask "
            "for a new one\"}");
  // One refused for another reason: a partial success, not a 401.
  sink_.result.rejected[1].second = "host laptop-7 belongs to site b";
  response = Handle(Post(kJsonOneWithoutHost, "application/json"));
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("\"rejectedLogRecords\":\"3\""),
            std::string::npos)
      << response.body;
}

TEST_F(OtlpHandlerTest, UnavailableIs503WithRetryAfter) {
  sink_.status = absl::UnavailableError("the database is down");
  HttpResponse response =
      Handle(Post(ProtobufRequest(1), "application/x-protobuf"));
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(HeaderOf(response, "Retry-After"), "5");
  EXPECT_EQ(DecodeStatus(response.body),
            std::make_pair(14, std::string("the database is down")));
  sink_.status.SetPayload(kRetryAfterMetadataKey, absl::Cord("1500"));
  response = Handle(Post(ProtobufRequest(1), "application/x-protobuf"));
  EXPECT_EQ(HeaderOf(response, "Retry-After"), "2");  // Rounded up.
}

TEST_F(OtlpHandlerTest, ResourceExhaustedIs429WithRetryAfter) {
  sink_.status = absl::ResourceExhaustedError("over the intake rate");
  HttpResponse response = Handle(Post(kJsonTwoRecords, "application/json"));
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(HeaderOf(response, "Retry-After"), "1");
  sink_.status.SetPayload(kRetryAfterMetadataKey, absl::Cord("30000"));
  response = Handle(Post(kJsonTwoRecords, "application/json"));
  EXPECT_EQ(HeaderOf(response, "Retry-After"), "30");
  sink_.status.SetPayload(kRetryAfterMetadataKey, absl::Cord("0"));
  response = Handle(Post(kJsonTwoRecords, "application/json"));
  EXPECT_EQ(HeaderOf(response, "Retry-After"), "1");  // Never "retry at once".
}

TEST_F(OtlpHandlerTest, OtherSinkErrorsAre500) {
  sink_.status = absl::InternalError("bug");
  const HttpResponse response =
      Handle(Post(kJsonTwoRecords, "application/json"));
  EXPECT_EQ(response.status, 500);
  EXPECT_TRUE(HeaderOf(response, "Retry-After").empty());
}

TEST_F(OtlpHandlerTest, OnlyPostIsAllowed) {
  HttpRequest request = Post("", "application/json");
  request.method = "GET";
  const HttpResponse response = Handle(request);
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(HeaderOf(response, "Allow"), "POST");
  EXPECT_TRUE(sink_.submissions.empty());
}

}  // namespace
}  // namespace natscope::server::intake
