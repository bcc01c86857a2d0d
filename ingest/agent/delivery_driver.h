// The agent's delivery thread: obtains a credential (the one stored in
// state_dir, else by enrolling, retried while the server is unreachable),
// then runs DeliveryLoop (ingest/upload/delivery.h) over the spool until
// stopped, sleeping as each step says: `idle` when nothing waits, the
// backoff after a retryable failure, `error_wait` after any other error
// (a non-retryable server status, a spool I/O error). A credential the
// server rejects (UNAUTHENTICATED) is replaced by enrolling again. Every
// problem is logged and kept as the last error. What retrying cannot fix
// ends the run through AgentState::Fatal: a stored credential that cannot
// be read, or an enrollment that failed for good.
//
// A batch leaves the spool only once acknowledged, and goes again with the
// same (epoch, sequence, records) until it is: exactly-once delivery
// (ingest/spool/README.md) needs nothing more of this loop.
//
// With nothing to send for `checkin_interval` since its last contact with
// the server, the driver checks in (DeliveryLoop::CheckIn: no records, no
// sequence, the spool untouched), failed or not once per interval. When an
// answer (to a batch or a check-in) carries a probe request it has not
// seen before (by its time), it calls `request_probe` once.
//
// Reads and sleeps only on the injected Clock. Not thread-safe: Run on one
// thread; the spool and the state may be shared with other threads.
#ifndef NATSCOPE_INGEST_AGENT_DELIVERY_DRIVER_H_
#define NATSCOPE_INGEST_AGENT_DELIVERY_DRIVER_H_

#include <atomic>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "ingest/agent/agent_state.h"
#include "ingest/agent/enrollment_retry.h"
#include "ingest/spool/spool.h"
#include "ingest/upload/delivery.h"
#include "ingest/upload/uploader.h"
#include "natscope/v1/agent.pb.h"

namespace natscope::ingest {

struct DeliveryDriverOptions {
  // Where the stored credential is (see ingest/enroll/credential.h).
  std::string state_dir;
  // The server as configured, for the log line once enrolled.
  std::string server;
  // Sent with every batch.
  v1::AgentIdentity identity;
  DeliveryOptions delivery;
  // The wait when nothing is spooled (the poll interval).
  absl::Duration idle = absl::Milliseconds(250);
  // The wait after an error that is not a server's retryable answer.
  absl::Duration error_wait = absl::Seconds(5);
  // Check in after this long without contact while idle; infinite: never.
  absl::Duration checkin_interval = absl::Minutes(5);
  // Called on the delivery thread when the server asks for a probe
  // (ProbeLoop::RequestProbe); may be empty.
  std::function<void()> request_probe;
};

class DeliveryDriver {
 public:
  // `set_credential` hands a credential's secret to `transport` (e.g.
  // Uploader::set_credential); called on Run's thread only. `uniform`
  // returns values in [0, 1) (the backoff's jitter). Every pointer and
  // `clock` must outlive the driver.
  DeliveryDriver(DeliveryDriverOptions options, Spool* spool,
                 IngestTransport* transport,
                 std::function<void(const std::string&)> set_credential,
                 EnrollmentRetry* enrollment, std::function<double()> uniform,
                 const Clock& clock, AgentState* state);

  // Delivers until `*stop` becomes true or a fatal error (reported through
  // AgentState::Fatal, which also sets the state's halt flag).
  void Run(const std::atomic<bool>* stop);

 private:
  // The stored credential, else a new one; handed to the transport.
  // CANCELLED when stopped first.
  absl::Status Credential(const std::atomic<bool>* stop);
  // One DeliveryLoop step and the wait it asks for; false when the run
  // must end (Fatal was called).
  bool Step(DeliveryLoop& loop, const std::atomic<bool>* stop);
  // A step that returned an error; false when the run must end.
  bool StepFailed(const absl::Status& error, const std::atomic<bool>* stop);
  void Handle(const DeliveryLoop::Result& result,
              const std::atomic<bool>* stop);
  // A check-in, when one is due; false when the run must end.
  bool CheckIn(DeliveryLoop& loop, const std::atomic<bool>* stop);
  // The server answered (a batch or a check-in): note the contact, and
  // pass on a probe request not seen before.
  void Answered(const DeliveryLoop::Result& result);

  const DeliveryDriverOptions options_;
  Spool* const spool_;
  IngestTransport* const transport_;
  const std::function<void(const std::string&)> set_credential_;
  EnrollmentRetry* const enrollment_;
  const std::function<double()> uniform_;
  const Clock& clock_;
  AgentState* const state_;
  // The last answer from the server, or check-in attempt.
  absl::Time last_contact_ = absl::InfinitePast();
  // The time of the last probe request passed on.
  absl::Time last_request_ = absl::InfinitePast();
};

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_AGENT_DELIVERY_DRIVER_H_
