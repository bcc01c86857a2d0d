// The Uploader against an in-process AgentService on loopback.
#include "ingest/upload/uploader.h"

#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/zlib_codec.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "ingest/upload/retry_delay.h"

namespace natscope::ingest {
namespace {

class FakeService final : public v1::AgentService::Service {
 public:
  grpc::Status Ingest(grpc::ServerContext* context,
                      const v1::IngestRequest* request,
                      v1::IngestResponse* response) override {
    absl::MutexLock lock(&mu_);
    auto auth = context->client_metadata().find("authorization");
    if (auth != context->client_metadata().end()) {
      authorization_ = std::string(auth->second.data(), auth->second.size());
    }
    if (delay_ > absl::ZeroDuration()) absl::SleepFor(delay_);
    if (!retry_after_.empty()) {
      context->AddTrailingMetadata(kRetryAfterMetadataKey, retry_after_);
    }
    if (!reply_.ok()) return reply_;
    response->set_epoch(request->epoch());
    response->set_sequence(request->sequence());
    v1::RecordBatch records;
    auto inflated = ZlibInflateBounded(request->compressed_records(), 8 << 20);
    if (!inflated.ok() || !records.ParseFromString(*inflated)) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "not zlib");
    }
    response->set_records_committed(request->records_size() +
                                    records.records_size());
    last_ = *request;
    return grpc::Status::OK;
  }

  absl::Mutex mu_;
  grpc::Status reply_;
  std::string retry_after_;
  absl::Duration delay_;
  std::string authorization_;
  v1::IngestRequest last_;
};

class UploaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    address_ = "127.0.0.1:" + std::to_string(port);
  }
  void TearDown() override { server_->Shutdown(); }

  v1::IngestRequest Batch() {
    v1::IngestRequest batch;
    batch.set_epoch(7);
    batch.set_sequence(3);
    for (int i = 0; i < 100; ++i) {
      batch.add_records()->mutable_log()->set_raw_line(
          std::string(200, 'a' + i % 26));
    }
    return batch;
  }

  FakeService service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

TEST_F(UploaderTest, SendsCompressedBatchWithCredential) {
  Uploader uploader(address_, grpc::InsecureChannelCredentials(),
                    UploaderOptions());
  uploader.set_credential("secret");
  auto response = uploader.Ingest(Batch());
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->sequence(), 3u);
  EXPECT_EQ(response->records_committed(), 100u);
  absl::MutexLock lock(&service_.mu_);
  EXPECT_EQ(service_.authorization_, "Bearer secret");
  // The records travel zlib-compressed (not with gRPC's compression).
  EXPECT_EQ(service_.last_.records_size(), 0);
  EXPECT_EQ(service_.last_.records_encoding(), v1::RECORD_ENCODING_ZLIB);
  EXPECT_LT(service_.last_.compressed_records().size(), 2000u);
  EXPECT_TRUE(service_.last_.has_sent());
}

TEST(ToWireTest, CompressedRecordsInflateToTheBatchsRecords) {
  v1::IngestRequest batch;
  batch.set_epoch(9);
  batch.set_sequence(4);
  for (int i = 0; i < 3; ++i) {
    v1::LogEvent* event = batch.add_records()->mutable_log();
    event->set_raw_line("line " + std::to_string(i));
    (*event->mutable_fields())["k"] = "v";
  }
  batch.add_records()->mutable_probe()->set_public_address("192.0.2.1:1");
  const absl::Time now = absl::FromUnixSeconds(1800000000);
  auto wire = ToWire(batch, true, now);
  ASSERT_TRUE(wire.ok()) << wire.status();
  EXPECT_EQ(wire->epoch(), 9u);
  EXPECT_EQ(wire->sequence(), 4u);
  EXPECT_EQ(wire->sent().seconds(), 1800000000);
  v1::RecordBatch records;
  ASSERT_TRUE(records.ParseFromString(
      ZlibInflateBounded(wire->compressed_records(), 1 << 20).value()));
  ASSERT_EQ(records.records_size(), 4);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(records.records(i).SerializeAsString(),
              batch.records(i).SerializeAsString());
  }
}

TEST(ToWireTest, CheckInGoesWithoutRecordsCompressedOrNot) {
  v1::IngestRequest check_in;
  check_in.set_epoch(9);
  auto wire = ToWire(check_in, true, absl::FromUnixSeconds(1800000000));
  ASSERT_TRUE(wire.ok()) << wire.status();
  EXPECT_EQ(wire->sequence(), 0u);
  EXPECT_TRUE(wire->compressed_records().empty());
  EXPECT_EQ(wire->records_encoding(), v1::RECORD_ENCODING_NONE);
  EXPECT_EQ(wire->records_size(), 0);
}

TEST_F(UploaderTest, CarriesTheServersRetryDelay) {
  {
    absl::MutexLock lock(&service_.mu_);
    service_.reply_ = grpc::Status(grpc::StatusCode::UNAVAILABLE, "store down");
    service_.retry_after_ = "2500";
  }
  Uploader uploader(address_, grpc::InsecureChannelCredentials(),
                    UploaderOptions());
  auto response = uploader.Ingest(Batch());
  EXPECT_TRUE(absl::IsUnavailable(response.status())) << response.status();
  EXPECT_EQ(GetRetryDelay(response.status()), absl::Milliseconds(2500));
  EXPECT_TRUE(IsRetryable(response.status()));
}

TEST_F(UploaderTest, NoDelayWithoutTheTrailer) {
  {
    absl::MutexLock lock(&service_.mu_);
    service_.reply_ = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad");
  }
  Uploader uploader(address_, grpc::InsecureChannelCredentials(),
                    UploaderOptions{absl::Seconds(5), true});
  auto response = uploader.Ingest(Batch());
  EXPECT_TRUE(absl::IsInvalidArgument(response.status()));
  EXPECT_FALSE(GetRetryDelay(response.status()).has_value());
  EXPECT_FALSE(IsRetryable(response.status()));
}

TEST_F(UploaderTest, EveryCallHasADeadline) {
  {
    absl::MutexLock lock(&service_.mu_);
    service_.delay_ = absl::Milliseconds(500);
  }
  UploaderOptions options;
  options.deadline = absl::Milliseconds(100);
  Uploader uploader(address_, grpc::InsecureChannelCredentials(), options);
  auto response = uploader.Ingest(Batch());
  EXPECT_TRUE(absl::IsDeadlineExceeded(response.status())) << response.status();
  EXPECT_NE(response.status().message().find(address_), std::string::npos);
}

}  // namespace
}  // namespace natscope::ingest
