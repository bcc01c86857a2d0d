#include "common/zlib_codec.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"

namespace natscope {
namespace {

// Output grows in steps of this much (or less, up to the bound), so a
// small batch does not reserve the whole bound.
constexpr size_t kStep = 64 << 10;

// zlib's windowBits: 15 is the largest window; adding 16 makes deflate
// write, and inflate expect, a gzip header and trailer instead of zlib's.
constexpr int kZlibWindowBits = 15;
constexpr int kGzipWindowBits = 16 + 15;

// What a caller's format says when its data is too big or broken.
struct InflateMessages {
  const char* over;  // Followed by the bound and `over_hint`.
  const char* over_hint;
  const char* invalid;
};

constexpr InflateMessages kZlibMessages = {
    "the batch inflates to more than ",
    " bytes (--max_batch_bytes): send smaller batches",
    "compressed records are not valid zlib data (corrupt, truncated or "
    "followed by other bytes)"};

constexpr InflateMessages kGzipMessages = {
    "the gzip body inflates to more than ",
    " bytes: send smaller requests",
    "the body is not valid gzip data (corrupt, truncated or followed by "
    "other bytes)"};

absl::StatusOr<std::string> InflateBounded(absl::string_view compressed,
                                           size_t max_bytes, int window_bits,
                                           const InflateMessages& messages) {
  if (compressed.size() > UINT_MAX) {
    return absl::ResourceExhaustedError("compressed data over 4 GiB");
  }
  z_stream stream{};
  if (inflateInit2(&stream, window_bits) != Z_OK) {
    return absl::InternalError("zlib inflateInit2 failed");
  }
  stream.next_in =
      reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (out.size() == max_bytes + 1) break;  // One byte past: over.
    // Room for one byte beyond the bound, to tell "exactly max" from "more".
    const size_t room = std::min(kStep, max_bytes + 1 - out.size());
    const size_t used = out.size();
    out.resize(used + room);
    stream.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    stream.avail_out = static_cast<uInt>(room);
    rc = inflate(&stream, Z_NO_FLUSH);
    out.resize(used + room - stream.avail_out);
    if (rc == Z_BUF_ERROR && stream.avail_in == 0) break;  // Truncated.
    if (rc == Z_BUF_ERROR) rc = Z_OK;  // Needs more output room.
  }
  const bool trailing = stream.avail_in != 0;
  inflateEnd(&stream);
  if (out.size() > max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat(messages.over, max_bytes, messages.over_hint));
  }
  if (rc != Z_STREAM_END || trailing) {
    return absl::InvalidArgumentError(messages.invalid);
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> ZlibDeflate(absl::string_view data, int level) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size,
                           reinterpret_cast<const Bytef*>(data.data()),
                           static_cast<uLong>(data.size()), level);
  if (rc != Z_OK) {
    return absl::InternalError(absl::StrCat("zlib compress2 failed (", rc, ")"));
  }
  out.resize(size);
  return out;
}

absl::StatusOr<std::string> ZlibInflateBounded(absl::string_view compressed,
                                               size_t max_bytes) {
  return InflateBounded(compressed, max_bytes, kZlibWindowBits, kZlibMessages);
}

absl::StatusOr<std::string> GzipDeflate(absl::string_view data, int level) {
  if (data.size() > UINT_MAX) {
    return absl::InvalidArgumentError("gzip input over 4 GiB");
  }
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, kGzipWindowBits, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("zlib deflateInit2 failed");
  }
  // deflateBound covers the gzip header and trailer for this stream.
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(out.size() - stream.avail_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) {
    return absl::InternalError(absl::StrCat("zlib deflate failed (", rc, ")"));
  }
  return out;
}

absl::StatusOr<std::string> GzipInflateBounded(absl::string_view compressed,
                                               size_t max_bytes) {
  return InflateBounded(compressed, max_bytes, kGzipWindowBits, kGzipMessages);
}

}  // namespace natscope
