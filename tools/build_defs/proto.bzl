"""Compiles .proto files with the system protoc and grpc_cpp_plugin.

Native cc_proto_library needs @com_google_protobuf, which cannot be had
offline, so a genrule runs Debian's protoc and the result is wrapped in a
cc_library. Import paths are relative to the package (for //proto that makes
them "natscope/v1/x.proto", and generated headers "natscope/v1/x.pb.h").
"""

def natscope_proto_library(name, srcs, deps = [], grpc = False, visibility = None):
    """cc_library `name` holding the C++ (and optionally gRPC) code of srcs.

    Args:
      name: target name of the resulting cc_library.
      srcs: .proto files, relative to this package.
      deps: other natscope_proto_library targets imported by srcs.
      grpc: also generate service stubs (.grpc.pb.*).
      visibility: visibility of the cc_library.
    """
    outs_h = []
    outs_cc = []
    for src in srcs:
        base = src[:-len(".proto")]
        outs_h.append(base + ".pb.h")
        outs_cc.append(base + ".pb.cc")
        if grpc:
            outs_h.append(base + ".grpc.pb.h")
            outs_cc.append(base + ".grpc.pb.cc")

    # Every .proto of the package is visible to protoc so imports resolve.
    all_protos = native.glob(["**/*.proto"])
    pkg = native.package_name()
    cmd = "protoc --proto_path=%s --cpp_out=$(RULEDIR)" % pkg
    if grpc:
        cmd += " --grpc_out=$(RULEDIR) --plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin)"
    cmd += " " + " ".join(["%s/%s" % (pkg, s) for s in srcs])

    native.genrule(
        name = name + "_gen",
        srcs = all_protos,
        outs = outs_h + outs_cc,
        cmd = cmd,
        message = "protoc %s" % name,
    )
    native.cc_library(
        name = name,
        srcs = outs_cc,
        hdrs = outs_h,
        includes = ["."],
        deps = deps + ["@system//:grpc" if grpc else "@system//:protobuf"],
        visibility = visibility,
    )
