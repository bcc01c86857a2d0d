// The two SSDP messages (UPnP Device Architecture 1.1, section 1.3) natscope
// needs to find an Internet Gateway Device quickly: an M-SEARCH and the
// LOCATION of its answer. Pure. (miniupnpc's own discovery waits at least
// one second, too long for the probe's budget.)
#ifndef NATSCOPE_INGEST_NETPATH_SSDP_H_
#define NATSCOPE_INGEST_NETPATH_SSDP_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace natscope::ingest {

// The SSDP multicast group and port.
constexpr char kSsdpGroup[] = "239.255.255.250";
constexpr int kSsdpPort = 1900;

// Search targets for IGD versions 1 and 2.
constexpr char kIgd1[] = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
constexpr char kIgd2[] = "urn:schemas-upnp-org:device:InternetGatewayDevice:2";

// An M-SEARCH for `search_target` with MX 1.
std::string EncodeSsdpSearch(absl::string_view search_target);

// The LOCATION URL of an "HTTP/1.1 200 OK" search answer whose ST names an
// InternetGatewayDevice; nullopt for anything else. Header names are
// case-insensitive.
std::optional<std::string> IgdLocation(absl::string_view answer);

}  // namespace natscope::ingest

#endif  // NATSCOPE_INGEST_NETPATH_SSDP_H_
