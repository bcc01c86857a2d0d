"""Precompiled headers for gcc, built in the configuration that uses them.

Nearly every test file includes GoogleTest, gRPC, protobuf, Abseil and
libpqxx: parsing them is about half of a test file's compile in the plain
build and about a fifth under ASan (where code generation dominates), in
each of the three builds tools/test.sh makes (plain, asan, tsan).
natscope_pch compiles such headers once per configuration, with the exact
command line of that configuration's C++ compiles (its --copt flags,
sanitizers and -O level included), so gcc accepts the result; a file
compiled with `-include <package>/<name>.h` then loads it instead of
parsing the headers again.

The precompiled header is the file `<name>.h.gch/pic.h` (and under -c opt
also `nopic.h`, for objects that are not position-independent) beside the copy
`<name>.h` of the header, both in the output tree. gcc looks for
`<name>.h.gch` in each directory of the quote include path before `<name>.h`
itself, and accepts any valid file inside a `.gch` directory, whatever its
name (that name ends in `.h` so that Bazel accepts it as a header input).
The source header must have another name than `<name>.h`: gcc looks in the
working directory first, where the source tree is, and would use it as is.

A .gch that does not fit the compile (other flags) is skipped with a
warning under -Winvalid-pch, and the headers are parsed as usual: slower,
never wrong.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "CPP_COMPILE_ACTION_NAME")
load("@bazel_tools//tools/cpp:toolchain_utils.bzl", "find_cpp_toolchain")

def _precompile(ctx, cc_toolchain, features, header, use_pic):
    """Runs gcc on header with the configuration's compile command line."""
    gch = ctx.actions.declare_file(
        "%s.h.gch/%s.h" % (ctx.label.name, "pic" if use_pic else "nopic"),
    )
    variables = cc_common.create_compile_variables(
        feature_configuration = features,
        cc_toolchain = cc_toolchain,
        user_compile_flags = ctx.fragments.cpp.copts + ctx.fragments.cpp.cxxopts + ctx.attr.copts,
        source_file = header.path,
        output_file = gch.path,
        use_pic = use_pic,
    )
    args = cc_common.get_memory_inefficient_command_line(
        feature_configuration = features,
        action_name = CPP_COMPILE_ACTION_NAME,
        variables = variables,
    )
    env = cc_common.get_environment_variables(
        feature_configuration = features,
        action_name = CPP_COMPILE_ACTION_NAME,
        variables = variables,
    )
    ctx.actions.run(
        executable = cc_common.get_tool_for_action(
            feature_configuration = features,
            action_name = CPP_COMPILE_ACTION_NAME,
        ),
        arguments = ["-x", "c++-header"] + args,
        env = env,
        inputs = depset([header], transitive = [cc_toolchain.all_files]),
        outputs = [gch],
        mnemonic = "CppPrecompileHeader",
        progress_message = "Precompiling %s (%s)" % (header.short_path, gch.basename),
    )
    return gch

def _natscope_pch_impl(ctx):
    cc_toolchain = find_cpp_toolchain(ctx)
    features = cc_common.configure_features(
        ctx = ctx,
        cc_toolchain = cc_toolchain,
        requested_features = ctx.features,
        unsupported_features = ctx.disabled_features,
    )
    header = ctx.actions.declare_file(ctx.label.name + ".h")
    ctx.actions.expand_template(template = ctx.file.src, output = header, substitutions = {})

    # Bazel compiles position-independent code everywhere but in -c opt,
    # where a binary's own objects are not (gcc rejects a .gch built the
    # other way), so opt gets a second variant; gcc uses whichever fits.
    variants = [True]
    if ctx.var["COMPILATION_MODE"] == "opt":
        variants.append(False)
    gchs = [
        _precompile(ctx, cc_toolchain, features, header, use_pic)
        for use_pic in variants
    ]
    headers = depset([header] + gchs)
    return [
        DefaultInfo(files = headers),
        CcInfo(compilation_context = cc_common.create_compilation_context(headers = headers)),
    ]

natscope_pch = rule(
    implementation = _natscope_pch_impl,
    doc = "A gcc precompiled header of src, used with `-include <package>/<name>.h`.",
    attrs = {
        "src": attr.label(
            allow_single_file = [".h"],
            mandatory = True,
            doc = "The header to precompile: system headers only (no other inputs are given).",
        ),
        "copts": attr.string_list(
            doc = "Flags the files that use it add to the configuration's own.",
        ),
        "_cc_toolchain": attr.label(default = "@bazel_tools//tools/cpp:current_cc_toolchain"),
    },
    fragments = ["cpp"],
    toolchains = ["@bazel_tools//tools/cpp:toolchain_type"],
    incompatible_use_toolchain_transition = True,
)
