// The system headers most of the server's and the agent's library files
// include, precompiled once per build configuration (//tools/pch:lib_pch,
// tools/build_defs/pch.bzl) and force-included into every file of a
// natscope_cc_library. System headers only: a natscope header here would
// make every library depend on it.
#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
