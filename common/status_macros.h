// Early-return helpers for absl::Status, which Abseil 20220623 lacks.
#ifndef NATSCOPE_COMMON_STATUS_MACROS_H_
#define NATSCOPE_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define NATSCOPE_CONCAT_INNER_(a, b) a##b
#define NATSCOPE_CONCAT_(a, b) NATSCOPE_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    const ::absl::Status natscope_status_ = (expr);      \
    if (!natscope_status_.ok()) return natscope_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` assigns the value of a StatusOr or
// returns its status from the enclosing function.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL_(NATSCOPE_CONCAT_(natscope_statusor_, __LINE__), lhs, rexpr)

#define ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                           \
  if (!statusor.ok()) return statusor.status();      \
  lhs = std::move(statusor).value()

#endif  // NATSCOPE_COMMON_STATUS_MACROS_H_
