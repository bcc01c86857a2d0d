// libFuzzer target for natscope-server's syslog intake cores: the RFC 6587
// framer and the RFC 5424/3164 parser (server/intake/syslog/).
//
// The input's front is the TCP stream (so that the text seeds in
// corpus/syslog are streams as shippers send them); its last bytes, taken
// by FuzzedDataProvider, pick the framer's bound, how the stream is cut
// into reads, the receiver's time and its zone. Each frame is parsed, and
// so is the whole input as one frame. Invariants:
//   * no frame is longer than the bound, or empty;
//   * after the frames available are taken, the framer holds at most the
//     bound + 11 (an octet count and its SP) + the last read's bytes, and
//     holds nothing when it says it has no partial frame;
//   * a framing error is sticky and one line;
//   * parsing never crashes; a parsed message respects every field bound
//     and has no longer MSG than its frame; errors are one short line.
// A broken invariant aborts, which libFuzzer reports as a crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "absl/time/time.h"
#include "server/intake/syslog/syslog_framer.h"
#include "server/intake/syslog/syslog_message.h"

namespace natscope::server::intake {
namespace {

void Check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

void CheckParsed(absl::string_view frame, absl::Time now, absl::TimeZone zone) {
  auto parsed = ParseSyslogMessage(frame, now, zone);
  if (!parsed.ok()) {
    Check(parsed.status().code() == absl::StatusCode::kInvalidArgument,
          "parse errors are InvalidArgument");
    Check(parsed.status().message().find('\n') == absl::string_view::npos,
          "parse errors are one line");
    Check(parsed.status().message().size() < 400, "parse errors are short");
    return;
  }
  const SyslogMessage& m = *parsed;
  Check(m.facility >= 0 && m.facility <= 23, "facility in 0..23");
  Check(m.severity >= 0 && m.severity <= 7, "severity in 0..7");
  Check(m.hostname.size() <= kMaxHostnameBytes, "hostname bound");
  Check(m.app_name.size() <= kMaxAppNameBytes, "app_name bound");
  Check(m.procid.size() <= kMaxProcIdBytes, "procid bound");
  Check(m.msgid.size() <= kMaxMsgIdBytes, "msgid bound");
  Check(m.structured_data.size() <= kMaxSdElements, "SD element bound");
  for (const SdElement& e : m.structured_data) {
    Check(!e.id.empty() && e.id.size() <= kMaxSdNameBytes, "SD-ID bound");
    Check(e.params.size() <= kMaxSdParams, "SD param bound");
  }
  Check(m.msg.size() <= frame.size(), "msg no longer than its frame");
}

void Run(FuzzedDataProvider& in) {
  const size_t max = 1 + in.ConsumeIntegralInRange<size_t>(0, 2048);
  std::minstd_rand cuts(in.ConsumeIntegral<uint32_t>());
  const absl::Time now =
      absl::FromUnixSeconds(in.ConsumeIntegralInRange<int64_t>(0, 1LL << 33));
  const absl::TimeZone zone = absl::FixedTimeZone(
      in.ConsumeIntegralInRange<int>(-14 * 3600, 14 * 3600));
  const std::string stream = in.ConsumeRemainingBytesAsString();

  SyslogFramer framer(max);
  absl::string_view rest = stream;
  bool failed = false;
  while (!rest.empty() && !failed) {
    const size_t chunk = std::min<size_t>(rest.size(), 1 + cuts() % 97);
    framer.Append(rest.substr(0, chunk));
    rest.remove_prefix(chunk);
    for (;;) {
      auto next = framer.Next();
      if (!next.ok()) {
        Check(next.status().message().find('\n') == absl::string_view::npos,
              "framing errors are one line");
        Check(!framer.Next().ok(), "framing errors are sticky");
        failed = true;
        break;
      }
      if (!next->has_value()) break;
      const std::string& frame = **next;
      Check(!frame.empty(), "no empty frame");
      Check(frame.size() <= max, "no frame over the bound");
      CheckParsed(frame, now, zone);
    }
    if (failed) break;
    Check(framer.buffered() <= max + 11 + chunk, "framer memory bounded");
    Check(framer.HasPartial() || framer.buffered() == 0,
          "no bytes held without a partial frame");
  }
  CheckParsed(stream, now, zone);
}

}  // namespace
}  // namespace natscope::server::intake

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  natscope::server::intake::Run(in);
  return 0;
}
