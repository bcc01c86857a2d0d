// Test-only client for schedule_input_test.sh: sends one
// ReportService.CreateSchedule whose time zone is read from a file (a 10 KB
// name needs no command line) and prints what the natscope CLI does not
// show, the status code and the size of the message:
//   code=INVALID_ARGUMENT message_bytes=212 message=time zone "..." is ...
// Usage: schedule_probe HOST:PORT TOKEN_FILE TIME_ZONE_FILE OUTPUT_DIR
// Exits 0 when the call was answered (whatever the status), 1 otherwise.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "natscope/v1/reports.grpc.pb.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: schedule_probe HOST:PORT TOKEN_FILE TIME_ZONE_FILE "
                 "OUTPUT_DIR\n";
    return 1;
  }
  const std::string token(absl::StripAsciiWhitespace(ReadFile(argv[2])));
  std::string zone = ReadFile(argv[3]);
  if (!zone.empty() && zone.back() == '\n') zone.pop_back();

  natscope::v1::CreateScheduleRequest request;
  natscope::v1::ReportSchedule* schedule = request.mutable_schedule();
  schedule->set_name("zone probe");
  schedule->set_cron("0 8 * * MON");
  schedule->set_time_zone(zone);
  schedule->set_format(natscope::v1::REPORT_FORMAT_MARKDOWN);
  schedule->set_output_directory(argv[4]);

  auto stub = natscope::v1::ReportService::NewStub(
      grpc::CreateChannel(argv[1], grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context.AddMetadata("authorization", "Bearer " + token);
  natscope::v1::ReportSchedule reply;
  const grpc::Status status = stub->CreateSchedule(&context, request, &reply);
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  if (code == absl::StatusCode::kUnavailable ||
      code == absl::StatusCode::kDeadlineExceeded) {
    std::cerr << "no answer: " << status.error_message() << "\n";
    return 1;
  }
  std::cout << "code=" << absl::StatusCodeToString(code)
            << " message_bytes=" << status.error_message().size()
            << " message=" << status.error_message().substr(0, 300) << "\n";
  return 0;
}
