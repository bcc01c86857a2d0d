// ThreadSanitizer sees the happens-before edges of Abseil's Mutex, CondVar
// and Notification although Debian's libabsl is not instrumented.
//
// Why: TSan learns synchronisation from instrumented code and from the libc
// calls it intercepts. Debian's absl::Mutex is built without TSan and
// synchronises with atomics and futexes inside libabsl_synchronization.so,
// so every field guarded by an absl::Mutex would be reported as a race
// (checked: two threads incrementing an int under absl::MutexLock give a
// report on every run). This file, linked only into `--config=tsan` builds
// (see tools/sanitizers/BUILD.bazel), defines the Mutex member functions
// itself: each forwards to the library's definition (found with
// dlsym(RTLD_NEXT)) and tells TSan about the release/acquire around it.
// The binary exports these definitions (-rdynamic), so gRPC's own calls
// into absl::Mutex resolve here too.
//
// Plain release/acquire edges are used, not TSan's mutex annotations: they
// need no per-mutex state, so a lock taken through a path this file does
// not see (a call bound inside libabsl) cannot make TSan report a bogus
// "unlock of an unlocked mutex". Shared (reader) holds are modelled the
// way a reader-writer lock orders memory: a writer's unlock releases the
// mutex's address, a reader's unlock releases the address one byte past
// it; a writer's lock acquires both, a reader's lock only the first. So a
// reader sees every earlier writer, a writer sees every earlier holder, and
// two readers are not ordered with each other (a write made under a reader
// lock is still reported).
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

extern "C" {
void __tsan_acquire(void* addr);
void __tsan_release(void* addr);
}

namespace {

#define NATSCOPE_STR2(x) #x
#define NATSCOPE_STR(x) NATSCOPE_STR2(x)

// Itanium mangling of absl::<inline ns>::CLASS::REST, e.g. "5Mutex" "4LockEv"
// ("_ZNK" for const member functions).
void* Real(const char* klass, const char* rest, bool is_const) {
  const std::string ns = NATSCOPE_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  const std::string name = std::string(is_const ? "_ZNK" : "_ZN") + "4absl" +
                           std::to_string(ns.size()) + ns + klass + rest;
  void* fn = dlsym(RTLD_NEXT, name.c_str());
  if (fn == nullptr) {
    std::fprintf(stderr, "tsan shim: %s not found in libabsl: %s\n", name.c_str(),
                 dlerror());
    std::abort();
  }
  return fn;
}

template <typename Fn>
Fn Lookup(const char* klass, const char* rest, bool is_const = false) {
  return reinterpret_cast<Fn>(Real(klass, rest, is_const));
}

// The two addresses that carry a mutex's edges (see the file comment).
void* WriterEdge(const void* mu) { return const_cast<void*>(mu); }
void* ReaderEdge(const void* mu) {
  return const_cast<char*>(static_cast<const char*>(mu)) + 1;
}
void AcquireExclusive(const void* mu) {
  __tsan_acquire(WriterEdge(mu));
  __tsan_acquire(ReaderEdge(mu));
}
void AcquireShared(const void* mu) { __tsan_acquire(WriterEdge(mu)); }
void ReleaseExclusive(const void* mu) { __tsan_release(WriterEdge(mu)); }
void ReleaseShared(const void* mu) { __tsan_release(ReaderEdge(mu)); }

}  // namespace

// The real functions, looked up once (thread-safe function-local statics).
#define REAL(klass, rest, type) \
  static const auto real = Lookup<type>(klass, rest)
#define REAL_CONST(klass, rest, type) \
  static const auto real = Lookup<type>(klass, rest, true)

namespace absl {
ABSL_NAMESPACE_BEGIN

namespace {

// Abseil evaluates an Await/LockWhen condition inside the library, in the
// waiting thread or in the one releasing the mutex, while it holds the
// mutex; the condition reads fields guarded by it. Wrapping the condition
// tells TSan that each evaluation holds the mutex: acquired before, released
// after (the next holder, in whatever thread, comes after the read).
struct AnnotatedCondition {
  Mutex* mu;
  const Condition* cond;
};

bool EvalAcquired(AnnotatedCondition* c) {
  // The evaluation only reads: it comes after every earlier holder, and
  // every later writer comes after it.
  AcquireExclusive(c->mu);
  const bool met = c->cond->Eval();
  ReleaseShared(c->mu);
  return met;
}

}  // namespace

#define ANNOTATED(mu, cond)                 \
  AnnotatedCondition annotated{mu, &cond}; \
  const Condition wrapped(&EvalAcquired, &annotated)

void Mutex::Lock() {
  REAL("5Mutex", "4LockEv", void (*)(Mutex*));
  real(this);
  AcquireExclusive(this);
}

void Mutex::ReaderLock() {
  REAL("5Mutex", "10ReaderLockEv", void (*)(Mutex*));
  real(this);
  AcquireShared(this);
}

bool Mutex::TryLock() {
  REAL("5Mutex", "7TryLockEv", bool (*)(Mutex*));
  const bool locked = real(this);
  if (locked) AcquireExclusive(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  REAL("5Mutex", "13ReaderTryLockEv", bool (*)(Mutex*));
  const bool locked = real(this);
  if (locked) AcquireShared(this);
  return locked;
}

void Mutex::Unlock() {
  REAL("5Mutex", "6UnlockEv", void (*)(Mutex*));
  ReleaseExclusive(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  REAL("5Mutex", "12ReaderUnlockEv", void (*)(Mutex*));
  ReleaseShared(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  REAL("5Mutex", "8LockWhenERKNS0_9ConditionE", void (*)(Mutex*, const Condition&));
  ANNOTATED(this, cond);
  real(this, wrapped);
  AcquireExclusive(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  REAL("5Mutex", "14ReaderLockWhenERKNS0_9ConditionE",
       void (*)(Mutex*, const Condition&));
  ANNOTATED(this, cond);
  real(this, wrapped);
  AcquireShared(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, Duration timeout) {
  REAL("5Mutex", "19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE",
       bool (*)(Mutex*, const Condition&, Duration));
  ANNOTATED(this, cond);
  const bool met = real(this, wrapped, timeout);
  AcquireExclusive(this);  // Held on return either way.
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, Time deadline) {
  REAL("5Mutex", "20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE",
       bool (*)(Mutex*, const Condition&, Time));
  ANNOTATED(this, cond);
  const bool met = real(this, wrapped, deadline);
  AcquireExclusive(this);
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, Duration timeout) {
  REAL("5Mutex", "25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE",
       bool (*)(Mutex*, const Condition&, Duration));
  ANNOTATED(this, cond);
  const bool met = real(this, wrapped, timeout);
  AcquireShared(this);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, Time deadline) {
  REAL("5Mutex", "26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE",
       bool (*)(Mutex*, const Condition&, Time));
  ANNOTATED(this, cond);
  const bool met = real(this, wrapped, deadline);
  AcquireShared(this);
  return met;
}

void Mutex::Await(const Condition& cond) {
  REAL("5Mutex", "5AwaitERKNS0_9ConditionE", void (*)(Mutex*, const Condition&));
  ANNOTATED(this, cond);
  ReleaseExclusive(this);  // Released while waiting, held again on return.
  real(this, wrapped);
  AcquireExclusive(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, Duration timeout) {
  REAL("5Mutex", "16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE",
       bool (*)(Mutex*, const Condition&, Duration));
  ANNOTATED(this, cond);
  ReleaseExclusive(this);
  const bool met = real(this, wrapped, timeout);
  AcquireExclusive(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, Time deadline) {
  REAL("5Mutex", "17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE",
       bool (*)(Mutex*, const Condition&, Time));
  ANNOTATED(this, cond);
  ReleaseExclusive(this);
  const bool met = real(this, wrapped, deadline);
  AcquireExclusive(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  REAL("7CondVar", "4WaitEPNS0_5MutexE", void (*)(CondVar*, Mutex*));
  ReleaseExclusive(mu);
  real(this, mu);
  AcquireExclusive(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, Duration timeout) {
  REAL("7CondVar", "15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE",
       bool (*)(CondVar*, Mutex*, Duration));
  ReleaseExclusive(mu);
  const bool timed_out = real(this, mu, timeout);
  AcquireExclusive(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, Time deadline) {
  REAL("7CondVar", "16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE",
       bool (*)(CondVar*, Mutex*, Time));
  ReleaseExclusive(mu);
  const bool timed_out = real(this, mu, deadline);
  AcquireExclusive(mu);
  return timed_out;
}

void Notification::Notify() {
  REAL("12Notification", "6NotifyEv", void (*)(Notification*));
  __tsan_release(this);
  real(this);
}

void Notification::WaitForNotification() const {
  REAL_CONST("12Notification", "19WaitForNotificationEv", void (*)(const Notification*));
  real(this);
  __tsan_acquire(const_cast<Notification*>(this));
}

bool Notification::WaitForNotificationWithTimeout(Duration timeout) const {
  REAL_CONST("12Notification", "30WaitForNotificationWithTimeoutENS0_8DurationE",
       bool (*)(const Notification*, Duration));
  const bool notified = real(this, timeout);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

bool Notification::WaitForNotificationWithDeadline(Time deadline) const {
  REAL_CONST("12Notification", "31WaitForNotificationWithDeadlineENS0_4TimeE",
       bool (*)(const Notification*, Time));
  const bool notified = real(this, deadline);
  if (notified) __tsan_acquire(const_cast<Notification*>(this));
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
