// Filling a request message from the parts of an HTTP request, in the
// style of Google's HTTP/JSON transcoding: path variables and query
// parameters name fields of the request (by proto name "page_size" or JSON
// name "pageSize", nested ones with dots "scope.sites"), values are text
// (numbers, true/false, enum names or numbers, RFC 3339 times for
// Timestamps), a repeated field takes the parameter once per element; the
// body is the whole message in proto3 JSON. Pure: no I/O; thread-safe.
#ifndef NATSCOPE_SERVER_HTTP_REQUEST_FIELDS_H_
#define NATSCOPE_SERVER_HTTP_REQUEST_FIELDS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace natscope::server::http {

// Sets the field `path` ("site", "scope.sites") of `message` from `value`
// (appends for a repeated field). InvalidArgument naming the parameter for
// an unknown field, a value of the wrong type, or a field that cannot be
// given as text (a map, or a message other than a Timestamp).
absl::Status SetFieldFromText(absl::string_view path, absl::string_view value,
                              google::protobuf::Message* message);

// Replaces `message` with the proto3 JSON `json` ("" is the empty
// message). InvalidArgument, saying where, for malformed JSON, an unknown
// field or a value of the wrong type; the message is cut to 300 bytes.
absl::Status ParseJsonBody(absl::string_view json,
                           google::protobuf::Message* message);

// `message` in proto3 JSON: lowerCamelCase names, enums by name, int64 as
// strings, Timestamps in RFC 3339, and fields at their default value
// printed too (so a client sees every field).
std::string ToJson(const google::protobuf::Message& message);

}  // namespace natscope::server::http

#endif  // NATSCOPE_SERVER_HTTP_REQUEST_FIELDS_H_
