// NATSCOPE-PORTS: a comprehension-optional attribute (type 0xC0DE, in the
// range RFC 8489 §18.3 leaves to private use and that every STUN agent
// may ignore) in which natscope-server lists the UDP ports it answers STUN
// on. It lets the agent's outbound-port check tell "blocked on the way"
// (a served port stays silent) from "nothing listens there" without
// relying on ICMP, which hosts rate-limit. Pure.
#ifndef NATSCOPE_COMMON_STUN_NATSCOPE_PORTS_H_
#define NATSCOPE_COMMON_STUN_NATSCOPE_PORTS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "common/stun/message.h"

namespace natscope::stun {

inline constexpr uint16_t kAttrNatscopePorts = 0xC0DE;
// At most this many ports are listed, so the attribute stays small.
inline constexpr size_t kMaxAdvertisedPorts = 16;

// The attribute listing `ports` (the first kMaxAdvertisedPorts), each as a
// 16-bit big-endian number.
RawAttribute NatscopePortsAttribute(const std::vector<uint16_t>& ports);

// The ports a decoded message lists, or nullopt when it carries no
// well-formed NATSCOPE-PORTS attribute.
std::optional<std::vector<uint16_t>> NatscopePorts(const Message& message);

}  // namespace natscope::stun

#endif  // NATSCOPE_COMMON_STUN_NATSCOPE_PORTS_H_
