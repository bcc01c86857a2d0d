#include "common/stun/natscope_ports.h"

namespace natscope::stun {

RawAttribute NatscopePortsAttribute(const std::vector<uint16_t>& ports) {
  RawAttribute attribute;
  attribute.type = kAttrNatscopePorts;
  for (size_t i = 0; i < ports.size() && i < kMaxAdvertisedPorts; ++i) {
    attribute.value.push_back(static_cast<uint8_t>(ports[i] >> 8));
    attribute.value.push_back(static_cast<uint8_t>(ports[i] & 0xff));
  }
  return attribute;
}

std::optional<std::vector<uint16_t>> NatscopePorts(const Message& message) {
  for (const RawAttribute& attribute : message.extra_attributes) {
    if (attribute.type != kAttrNatscopePorts) continue;
    if (attribute.value.size() % 2 != 0) return std::nullopt;
    std::vector<uint16_t> ports;
    for (size_t i = 0; i + 1 < attribute.value.size(); i += 2) {
      ports.push_back(static_cast<uint16_t>(attribute.value[i] << 8 | attribute.value[i + 1]));
    }
    return ports;
  }
  return std::nullopt;
}

}  // namespace natscope::stun
