#include "server/http/request_fields.h"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/json_util.h"

namespace natscope::server::http {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr size_t kMaxErrorBytes = 300;

// A value quoted in an error: at most 64 bytes of what the client sent.
std::string Quote(absl::string_view value) {
  return absl::StrCat("\"", absl::CHexEscape(value.substr(0, 64)),
                      value.size() > 64 ? "...\"" : "\"");
}

const FieldDescriptor* FindField(const google::protobuf::Descriptor& type,
                                 absl::string_view name) {
  const std::string key(name);
  const FieldDescriptor* field = type.FindFieldByName(key);
  if (field != nullptr) return field;
  for (int i = 0; i < type.field_count(); ++i) {
    if (type.field(i)->json_name() == key) return type.field(i);
  }
  return nullptr;
}

absl::Status BadValue(absl::string_view path, absl::string_view value,
                      absl::string_view expected) {
  return absl::InvalidArgumentError(absl::StrCat(
      "parameter ", path, "=", Quote(value), ": expected ", expected));
}

// Sets the Timestamp `field` from RFC 3339 text.
absl::Status SetTimestamp(absl::string_view path, absl::string_view value,
                          const FieldDescriptor& field, Message* message) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(value), &time, &error)) {
    return BadValue(path, value, "an RFC 3339 time such as 2026-12-01T00:00:00Z");
  }
  auto* timestamp = static_cast<google::protobuf::Timestamp*>(
      message->GetReflection()->MutableMessage(message, &field));
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  timestamp->set_seconds(absl::ToInt64Seconds(since_epoch));
  timestamp->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(
      since_epoch - absl::Seconds(timestamp->seconds()))));
  return absl::OkStatus();
}

// Sets the enum `field` from a value name or number.
absl::Status SetEnum(absl::string_view path, absl::string_view value,
                     const FieldDescriptor& field, Message* message) {
  const google::protobuf::EnumDescriptor& type = *field.enum_type();
  const google::protobuf::EnumValueDescriptor* found =
      type.FindValueByName(std::string(value));
  int number = 0;
  if (found == nullptr && absl::SimpleAtoi(value, &number)) {
    found = type.FindValueByNumber(number);
  }
  if (found == nullptr) {
    return BadValue(path, value, absl::StrCat("a ", type.name(), " name such as ",
                                              type.value(type.value_count() - 1)->name()));
  }
  const Reflection& r = *message->GetReflection();
  field.is_repeated() ? r.AddEnum(message, &field, found)
                      : r.SetEnum(message, &field, found);
  return absl::OkStatus();
}

// Sets the scalar (or Timestamp) `field` of `message`, appending when the
// field is repeated.
absl::Status SetLeaf(absl::string_view path, absl::string_view value,
                     const FieldDescriptor& field, Message* message) {
  const Reflection& r = *message->GetReflection();
  const bool repeated = field.is_repeated();
  switch (field.cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      const std::string text(value);
      repeated ? r.AddString(message, &field, text)
               : r.SetString(message, &field, text);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool b = false;
      if (!absl::SimpleAtob(value, &b)) return BadValue(path, value, "true or false");
      repeated ? r.AddBool(message, &field, b) : r.SetBool(message, &field, b);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) return BadValue(path, value, "a 32-bit integer");
      repeated ? r.AddInt32(message, &field, n) : r.SetInt32(message, &field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) return BadValue(path, value, "an integer");
      repeated ? r.AddInt64(message, &field, n) : r.SetInt64(message, &field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) {
        return BadValue(path, value, "a non-negative 32-bit integer");
      }
      repeated ? r.AddUInt32(message, &field, n) : r.SetUInt32(message, &field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t n = 0;
      if (!absl::SimpleAtoi(value, &n)) return BadValue(path, value, "a non-negative integer");
      repeated ? r.AddUInt64(message, &field, n) : r.SetUInt64(message, &field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double d = 0;
      if (!absl::SimpleAtod(value, &d)) return BadValue(path, value, "a number");
      if (field.cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
        repeated ? r.AddFloat(message, &field, static_cast<float>(d))
                 : r.SetFloat(message, &field, static_cast<float>(d));
      } else {
        repeated ? r.AddDouble(message, &field, d) : r.SetDouble(message, &field, d);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM:
      return SetEnum(path, value, field, message);
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (field.message_type()->full_name() == "google.protobuf.Timestamp" &&
          !repeated) {
        return SetTimestamp(path, value, field, message);
      }
      break;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "parameter ", path, " cannot be given in the URL: send it in a JSON body"));
}

}  // namespace

absl::Status SetFieldFromText(absl::string_view path, absl::string_view value,
                              Message* message) {
  const std::vector<absl::string_view> names = absl::StrSplit(path, '.');
  Message* at = message;
  for (size_t i = 0; i < names.size(); ++i) {
    const FieldDescriptor* field = FindField(*at->GetDescriptor(), names[i]);
    if (field == nullptr || field->is_map()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown parameter ", Quote(path), " for ",
          message->GetDescriptor()->name(), " (docs/http-api.md lists each route's)"));
    }
    if (i + 1 == names.size()) return SetLeaf(path, value, *field, at);
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || field->is_repeated()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown parameter ", Quote(path), ": ", names[i],
                       " has no fields"));
    }
    at = at->GetReflection()->MutableMessage(at, field);
  }
  return absl::InvalidArgumentError("empty parameter name");
}

absl::Status ParseJsonBody(absl::string_view json, Message* message) {
  message->Clear();
  if (absl::StripAsciiWhitespace(json).empty()) return absl::OkStatus();
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto status =
      google::protobuf::util::JsonStringToMessage(std::string(json), message, options);
  if (status.ok()) return absl::OkStatus();
  std::string text(status.message());
  if (text.size() > kMaxErrorBytes) text.resize(kMaxErrorBytes);
  return absl::InvalidArgumentError(absl::StrCat(
      "request body is not a valid ", message->GetDescriptor()->name(),
      " in JSON: ", text));
}

std::string ToJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string out;
  // Printing a valid message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

}  // namespace natscope::server::http
