// The system headers most natscope tests include, precompiled once per
// build configuration (//tools/pch:test_pch, tools/build_defs/pch.bzl) and
// force-included into every test file by natscope_cc_test. System headers
// only: a natscope header here would make every test depend on it.
#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
