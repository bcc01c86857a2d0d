// natscope-server's --port_file: the ports it actually bound, for scripts
// and tests that asked for port 0.
#ifndef NATSCOPE_SERVER_PORT_FILE_H_
#define NATSCOPE_SERVER_PORT_FILE_H_

#include <string>

#include "absl/status/status.h"

namespace natscope::server {

// Writes "grpc=PORT\n", "http=PORT\n" (when `http_port` is not 0) and the
// STUN responder's lines ("stun=PORT\n", and stun_alt=, stun_ports=, quic=
// when on) to `path` atomically (a temporary file renamed over it).
// Unavailable naming the file when it cannot be written.
absl::Status WritePortFile(const std::string& path, int grpc_port, int http_port,
                           const std::string& responder_lines);

}  // namespace natscope::server

#endif  // NATSCOPE_SERVER_PORT_FILE_H_
