// The host's IPv4 default gateway, where NAT-PMP, PCP and UPnP requests go.
#ifndef NATSCOPE_INGEST_NETPATH_DEFAULT_GATEWAY_H_
#define NATSCOPE_INGEST_NETPATH_DEFAULT_GATEWAY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/net/socket_address.h"

namespace natscope::ingest {

// Pure: the gateway of the default route (destination and mask 0, flags
// RTF_UP|RTF_GATEWAY, lowest metric) in the text of /proc/net/route, with
// port 0. NotFound when there is no default route via a gateway;
// InvalidArgument when the text is not in /proc/net/route's format.
absl::StatusOr<net::SocketAddress> ParseDefaultGateway(
    absl::string_view proc_net_route);

// Reads /proc/net/route (or `path`). Errors as above, or Unavailable when
// the file cannot be read.
absl::StatusOr<net::SocketAddress> DefaultGateway(
    const std::string& path = "/proc/net/route");

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_DEFAULT_GATEWAY_H_
