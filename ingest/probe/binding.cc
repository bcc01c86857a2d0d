#include "ingest/probe/binding.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/stun/binding.h"
#include "common/stun/codec.h"
#include "common/stun/integrity.h"

namespace natscope::ingest {
namespace {

absl::Span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

void Describe(const stun::Message& response, v1::StunObservation* out) {
  if (response.message_class == stun::MessageClass::kErrorResponse) {
    const auto& error = response.error_code;
    out->set_error(error ? absl::StrCat("error ", error->code, " ", error->reason)
                         : "error response without ERROR-CODE");
    return;
  }
  if (response.xor_mapped_address) {
    out->set_mapped_address(response.xor_mapped_address->ToString());
  } else if (response.mapped_address) {
    out->set_mapped_address(response.mapped_address->ToString());
  } else {
    out->set_error("response carries no mapped address");
  }
  if (response.response_origin) {
    out->set_response_origin(response.response_origin->ToString());
  } else if (response.source_address) {
    out->set_response_origin(response.source_address->ToString());
  }
  if (response.other_address) {
    out->set_other_address(response.other_address->ToString());
  } else if (response.changed_address) {
    out->set_other_address(response.changed_address->ToString());
  }
  out->set_classic_server(IsClassicServer(response));
}

}  // namespace

bool IsClassicServer(const stun::Message& response) {
  return (!response.other_address && response.changed_address) ||
         (!response.xor_mapped_address && response.mapped_address);
}

namespace {

// One transaction in flight.
struct Pending {
  const BindingSpec* spec;
  std::string wire;
  size_t sent = 0;
  absl::Time last_sent;
  bool done = false;
};

class Runner {
 public:
  Runner(DatagramSocket& socket, const std::vector<BindingSpec>& specs,
         const net::SocketAddress& local, const RetransmitPolicy& policy,
         const Clock& clock)
      : socket_(socket), policy_(policy), clock_(clock),
        offsets_(TransmissionOffsets(policy)) {
    stun::EncodeOptions options;
    options.add_fingerprint = true;
    for (const BindingSpec& spec : specs) {
      BindingResult result;
      result.observation.set_server(spec.server.ToString());
      result.observation.set_test(spec.test);
      result.observation.set_local_address(local.ToString());
      auto encoded = stun::Encode(spec.request, options);
      Pending pending{&spec, "", 0, absl::InfinitePast(), !encoded.ok()};
      if (encoded.ok()) {
        pending.wire.assign(encoded->begin(), encoded->end());
      } else {
        result.observation.set_error(std::string(encoded.status().message()));
      }
      pending_.push_back(std::move(pending));
      results_.push_back(std::move(result));
    }
  }

  std::vector<BindingResult> Run(int* ignored);

 private:
  // Sends whatever is due; returns when the next transmission is due.
  absl::Time SendDue(absl::Time start, absl::Time now);
  void Accept(const io::Datagram& datagram, absl::Time now);
  bool AllDone() const;

  DatagramSocket& socket_;
  const RetransmitPolicy& policy_;
  const Clock& clock_;
  std::vector<absl::Duration> offsets_;
  std::vector<Pending> pending_;
  std::vector<BindingResult> results_;
  int ignored_ = 0;
};

absl::Time Runner::SendDue(absl::Time start, absl::Time now) {
  absl::Time next = start + policy_.timeout;
  for (size_t i = 0; i < pending_.size(); ++i) {
    Pending& p = pending_[i];
    if (p.done) continue;
    while (p.sent < offsets_.size() && now >= start + offsets_[p.sent]) {
      absl::Status sent = socket_.SendTo(p.wire, p.spec->server);
      if (!sent.ok()) results_[i].observation.set_error(std::string(sent.message()));
      p.last_sent = now;
      results_[i].observation.set_transmissions(static_cast<int>(++p.sent));
    }
    if (p.sent < offsets_.size()) next = std::min(next, start + offsets_[p.sent]);
  }
  return next;
}

void Runner::Accept(const io::Datagram& datagram, absl::Time now) {
  const absl::Span<const uint8_t> bytes = Bytes(datagram.payload);
  auto decoded = stun::Decode(bytes);
  if (!decoded.ok() ||
      (decoded->has_fingerprint && !stun::VerifyFingerprint(bytes).ok()) ||
      (decoded->message_class != stun::MessageClass::kSuccessResponse &&
       decoded->message_class != stun::MessageClass::kErrorResponse)) {
    ++ignored_;
    return;
  }
  for (size_t i = 0; i < pending_.size(); ++i) {
    Pending& p = pending_[i];
    if (p.spec->request.transaction_id != decoded->transaction_id) continue;
    if (p.done) return;  // A late answer to a retransmission.
    if (p.spec->expected_source && *p.spec->expected_source != datagram.source) {
      ++ignored_;
      return;
    }
    p.done = true;
    v1::StunObservation& obs = results_[i].observation;
    obs.set_answered(true);
    obs.set_rtt_micros(absl::ToInt64Microseconds(now - p.last_sent));
    obs.clear_error();
    Describe(*decoded, &obs);
    results_[i].source = datagram.source;
    results_[i].response = std::move(decoded).value();
    return;
  }
  ++ignored_;  // No request of ours has this transaction id.
}

bool Runner::AllDone() const {
  for (const Pending& p : pending_) {
    if (!p.done) return false;
  }
  return true;
}

std::vector<BindingResult> Runner::Run(int* ignored) {
  const absl::Time start = clock_.Now();
  while (!AllDone()) {
    const absl::Time now = clock_.Now();
    if (now >= start + policy_.timeout) break;
    const absl::Time wake = SendDue(start, now);
    auto receipt = socket_.ReceiveUntil(wake);
    if (!receipt.ok()) break;
    if (receipt->kind == Receipt::Kind::kDatagram) Accept(receipt->datagram, clock_.Now());
  }
  for (size_t i = 0; i < pending_.size(); ++i) {
    v1::StunObservation& obs = results_[i].observation;
    if (!pending_[i].done && obs.error().empty()) {
      obs.set_error(absl::StrCat("no answer within ",
                                 absl::FormatDuration(policy_.timeout)));
    }
  }
  if (ignored != nullptr) *ignored += ignored_;
  return std::move(results_);
}

}  // namespace

stun::Message NewBindingRequest(std::optional<stun::ChangeRequest> change) {
  static absl::Mutex* const mu = new absl::Mutex;
  static absl::BitGen* const gen = new absl::BitGen;
  absl::MutexLock lock(mu);
  return stun::MakeBindingRequest(stun::NewTransactionId(*gen), change);
}

std::vector<BindingResult> RunBindings(DatagramSocket& socket,
                                       const std::vector<BindingSpec>& specs,
                                       const net::SocketAddress& local_address,
                                       const RetransmitPolicy& policy,
                                       const Clock& clock, int* ignored) {
  Runner runner(socket, specs, local_address, policy, clock);
  return runner.Run(ignored);
}

}  // namespace natscope::ingest
