#include "ingest/probe/quic_check.h"

#include <string>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/quic/version_negotiation.h"

namespace natscope::ingest {

v1::QuicCheck CheckQuic(ProbeNetwork& network, const net::SocketAddress& server,
                        const RetransmitPolicy& policy, const Clock& clock) {
  v1::QuicCheck check;
  check.set_server(server.ToString());
  auto socket = network.Bind(server.is_ipv4() ? net::SocketAddress()
                                              : net::SocketAddress::IPv6({}, 0));
  if (!socket.ok()) {
    check.set_detail(std::string(socket.status().message()));
    return check;
  }
  absl::BitGen gen;
  const quic::VersionProbe probe = quic::BuildVersionProbe(gen);
  const std::string wire(probe.bytes.begin(), probe.bytes.end());
  const std::vector<absl::Duration> offsets = TransmissionOffsets(policy);
  const absl::Time start = clock.Now();
  absl::Time last_sent = start;
  size_t sent = 0;
  int ignored = 0;
  while (clock.Now() < start + policy.timeout) {
    const absl::Time now = clock.Now();
    if (sent < offsets.size() && now >= start + offsets[sent]) {
      (void)(*socket)->SendTo(wire, server);
      last_sent = now;
      ++sent;
      continue;
    }
    const absl::Time wake = sent < offsets.size() ? start + offsets[sent]
                                                  : start + policy.timeout;
    auto receipt = (*socket)->ReceiveUntil(wake);
    if (!receipt.ok()) break;
    if (receipt->kind != Receipt::Kind::kDatagram || receipt->datagram.source != server) {
      continue;
    }
    const std::string& payload = receipt->datagram.payload;
    auto answer = quic::ParseProbeAnswer(
        absl::Span<const uint8_t>(reinterpret_cast<const uint8_t*>(payload.data()),
                                  payload.size()),
        probe);
    if (!answer.ok()) {
      ++ignored;
      continue;
    }
    std::vector<std::string> versions;
    for (uint32_t v : answer->supported_versions) {
      versions.push_back(absl::StrFormat("0x%08x", v));
    }
    check.set_answered(true);
    check.set_rtt_micros(absl::ToInt64Microseconds(clock.Now() - last_sent));
    check.set_detail(absl::StrCat("version negotiation offered ",
                                  absl::StrJoin(versions, ", ")));
    return check;
  }
  check.set_detail(absl::StrCat("no answer to ", sent, " QUIC Initial(s) in ",
                                absl::FormatDuration(policy.timeout),
                                ignored > 0 ? absl::StrCat(" (", ignored,
                                                           " unrelated datagram(s) ignored)")
                                            : ""));
  return check;
}

}  // namespace natscope::ingest
