// What STUN over TCP (ProbeReport.tcp_stun, tried when no STUN server
// answered over UDP) says about the path to the server. Pure.
#ifndef NATSCOPE_ANALYZER_TCP_PATH_H_
#define NATSCOPE_ANALYZER_TCP_PATH_H_

#include "natscope/v1/probe.pb.h"

namespace natscope::analyzer {

enum class TcpPath {
  // No STUN over TCP was tried, or it could not be (a local error): the
  // report cannot tell a dropped UDP from an unreachable server.
  kUntested,
  // The server answered STUN over TCP: the path exists, only UDP is
  // dropped.
  kAnswered,
  // The server's host refused the connection, or accepted it and gave no
  // valid answer: it is reachable over TCP, so the path exists.
  kHostReached,
  // Nothing reached the server over TCP either: outbound traffic to it is
  // blocked, or it is down.
  kNothingReached,
};

struct TcpPathVerdict {
  TcpPath path = TcpPath::kUntested;
  // The observation the verdict rests on (an answer before a refusal or
  // a bad answer, before silence); null when kUntested. Points into the
  // report, which must outlive it.
  const v1::TcpStunObservation* observation = nullptr;
};

TcpPathVerdict TcpPathFrom(const v1::ProbeReport& report);

}  // namespace natscope::analyzer

#endif  // NATSCOPE_ANALYZER_TCP_PATH_H_
