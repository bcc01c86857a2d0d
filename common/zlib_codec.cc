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
  if (compressed.size() > UINT_MAX) {
    return absl::ResourceExhaustedError("compressed data over 4 GiB");
  }
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) {
    return absl::InternalError("zlib inflateInit failed");
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
    return absl::ResourceExhaustedError(absl::StrCat(
        "the batch inflates to more than ", max_bytes,
        " bytes (--max_batch_bytes): send smaller batches"));
  }
  if (rc != Z_STREAM_END || trailing) {
    return absl::InvalidArgumentError(
        "compressed records are not valid zlib data (corrupt, truncated or "
        "followed by other bytes)");
  }
  return out;
}

}  // namespace natscope
