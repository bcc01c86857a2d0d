// Under --config=tsan (tools/test.sh's tsan pass): every absl
// synchronisation primitive natscope and gRPC use gives ThreadSanitizer a
// happens-before edge through tools/sanitizers/absl_mutex_tsan.cc. Built
// without the shim, four of the six positive tests here are reported as
// data races (the report ends the process with status 66, failing the
// test). The death tests check the other direction: a real race next to
// the shim's edges is still reported. In other builds the tests only check
// the primitives' plain behaviour.
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace {

constexpr int kThreads = 4;
constexpr int kRounds = 1000;

TEST(AbslMutexTsanTest, MutexLockOrdersWrites) {
  absl::Mutex mu;
  int counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kRounds; ++i) {
        absl::MutexLock lock(&mu);
        ++counter;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter, kThreads * kRounds);
}

TEST(AbslMutexTsanTest, ReaderLockSeesWriterLock) {
  absl::Mutex mu;
  int value = 0;
  std::thread writer([&] {
    for (int i = 1; i <= kRounds; ++i) {
      absl::WriterMutexLock lock(&mu);
      value = i;
    }
  });
  int last = 0;
  for (int i = 0; i < kRounds; ++i) {
    absl::ReaderMutexLock lock(&mu);
    EXPECT_GE(value, last);
    last = value;
  }
  writer.join();
}

TEST(AbslMutexTsanTest, TryLockWhenItSucceeds) {
  absl::Mutex mu;
  int counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int done = 0; done < kRounds;) {
        if (!mu.TryLock()) continue;
        ++counter;
        ++done;
        mu.Unlock();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(counter, kThreads * kRounds);
}

// Abseil evaluates these conditions inside the library, in whichever
// thread releases the mutex: the shim must count that as holding it.
TEST(AbslMutexTsanTest, AwaitAndLockWhenConditions) {
  absl::Mutex mu;
  int stage = 0;
  std::thread other([&] {
    absl::MutexLock lock(&mu);
    stage = 1;
    mu.Await(absl::Condition(
        +[](int* s) { return *s == 2; }, &stage));
    stage = 3;
  });
  {
    mu.LockWhen(absl::Condition(+[](int* s) { return *s == 1; }, &stage));
    stage = 2;
    mu.Unlock();
  }
  {
    absl::MutexLock lock(&mu);
    EXPECT_TRUE(mu.AwaitWithTimeout(
        absl::Condition(+[](int* s) { return *s == 3; }, &stage), absl::Seconds(30)));
  }
  other.join();
}

TEST(AbslMutexTsanTest, CondVarWait) {
  absl::Mutex mu;
  absl::CondVar cv;
  bool ready = false;
  int payload = 0;
  std::thread producer([&] {
    absl::MutexLock lock(&mu);
    payload = 42;
    ready = true;
    cv.Signal();
  });
  {
    absl::MutexLock lock(&mu);
    while (!ready) cv.WaitWithTimeout(&mu, absl::Seconds(30));
    EXPECT_EQ(payload, 42);
  }
  producer.join();
}

TEST(AbslMutexTsanTest, NotificationPublishes) {
  absl::Notification done;
  int payload = 0;
  std::thread producer([&] {
    payload = 7;
    done.Notify();
  });
  done.WaitForNotification();
  EXPECT_EQ(payload, 7);
  producer.join();
}

#if defined(__SANITIZE_THREAD__)
// Each death test runs in a re-executed child whose report must reach this
// test's stderr (not tools/test.sh's reports folder, where it would fail
// the run).
class AbslMutexTsanDeathTest : public testing::Test {
 protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    setenv("TSAN_OPTIONS", "log_path=stderr", 1);
  }
};

// Two writers under a shared (reader) lock race: the shim must not order
// readers with each other.
TEST_F(AbslMutexTsanDeathTest, WritesUnderReaderLocksAreStillReported) {
  EXPECT_EXIT(
      {
        absl::Mutex mu;
        int value = 0;
        std::thread a([&] {
          absl::ReaderMutexLock lock(&mu);
          value = 1;
        });
        std::thread b([&] {
          absl::ReaderMutexLock lock(&mu);
          value = 2;
        });
        a.join();
        b.join();
        std::exit(0);
      },
      testing::ExitedWithCode(66), "data race");
}

// A write under the lock and one without it race, whatever their order.
TEST_F(AbslMutexTsanDeathTest, UnguardedWriteIsStillReported) {
  EXPECT_EXIT(
      {
        absl::Mutex mu;
        int value = 0;
        std::thread a([&] {
          absl::MutexLock lock(&mu);
          value = 1;
        });
        value = 2;
        a.join();
        std::exit(0);
      },
      testing::ExitedWithCode(66), "data race");
}
#endif  // __SANITIZE_THREAD__

}  // namespace
