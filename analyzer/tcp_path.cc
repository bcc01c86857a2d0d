#include "analyzer/tcp_path.h"

namespace natscope::analyzer {
namespace {

// The stronger evidence first: an answer, then the host reached, then
// silence.
int Rank(TcpPath path) {
  switch (path) {
    case TcpPath::kAnswered: return 3;
    case TcpPath::kHostReached: return 2;
    case TcpPath::kNothingReached: return 1;
    default: return 0;
  }
}

TcpPath PathOf(v1::TcpStunOutcome outcome) {
  switch (outcome) {
    case v1::TCP_STUN_ANSWERED: return TcpPath::kAnswered;
    case v1::TCP_STUN_REFUSED:
    case v1::TCP_STUN_BAD_ANSWER: return TcpPath::kHostReached;
    case v1::TCP_STUN_UNREACHABLE: return TcpPath::kNothingReached;
    default: return TcpPath::kUntested;
  }
}

}  // namespace

TcpPathVerdict TcpPathFrom(const v1::ProbeReport& report) {
  TcpPathVerdict verdict;
  for (const v1::TcpStunObservation& o : report.tcp_stun()) {
    const TcpPath path = PathOf(o.outcome());
    if (Rank(path) > Rank(verdict.path)) verdict = {path, &o};
  }
  return verdict;
}

}  // namespace natscope::analyzer
