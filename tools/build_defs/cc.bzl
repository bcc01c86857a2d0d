"""natscope's C++ rules: cc_test, cc_library and test-only cc_library.

natscope_cc_library is a cc_library whose files start from
//tools/pch:lib_pch, the system headers (gRPC, protobuf, Abseil, libpqxx)
the server's and the agent's library files include, precompiled once per
configuration (pch.bzl): about a quarter of such a file's compile time. The
pure libraries (analyzer/, common/) include little of it and stay plain
cc_library.

Test code (the tests and the libraries only tests use) is compiled:
- from //tools/pch:test_pch, the system headers nearly every test file
  includes, precompiled once per configuration (pch.bzl);
- under --config=asan, with AddressSanitizer but without
  UndefinedBehaviorSanitizer: UBSan's checks are a third of a test file's
  compile time there and look for undefined behaviour in the code they are
  compiled into, which is natscope's libraries (still compiled with it),
  not the tests' own arithmetic. ASan stays, since a test reading memory
  the code under test freed is a bug in that code.
"""

TEST_COPTS = select({
    "//tools/sanitizers:asan": ["-fno-sanitize=undefined"],
    "//conditions:default": [],
})

def _from_pch(pch):
    """The dep and the flags that compile a target's files from pch.

    The quote include path finds tools/pch/<name>.h.gch in the output tree
    (see pch.bzl); -Winvalid-pch says so when gcc cannot use it. Not under
    -c opt, where the .gch directory holds two variants and gcc would warn
    about whichever of the two it tried first and could not use.
    """
    warn = select({
        "//tools/pch:opt": [],
        "//conditions:default": ["-Winvalid-pch"],
    })
    return ["//tools/pch:" + pch], ["-include", "tools/pch/%s.h" % pch] + warn

_LIB_DEPS, _LIB_COPTS = _from_pch("lib_pch")
_TEST_DEPS, _TEST_PCH_COPTS = _from_pch("test_pch")
_TEST_COPTS = _TEST_PCH_COPTS + TEST_COPTS

def natscope_cc_library(name, deps = [], copts = [], **kwargs):
    """A cc_library of the server or the agent (see above); args as cc_library's."""
    native.cc_library(name = name, deps = deps + _LIB_DEPS, copts = _LIB_COPTS + copts, **kwargs)

def natscope_cc_test(name, deps = [], copts = [], **kwargs):
    """A cc_test compiled as test code (see above); args as cc_test's."""
    native.cc_test(name = name, deps = deps + _TEST_DEPS, copts = _TEST_COPTS + copts, **kwargs)

def natscope_test_library(name, deps = [], copts = [], **kwargs):
    """A testonly cc_library compiled as test code (see above); args as cc_library's."""
    native.cc_library(
        name = name,
        testonly = True,
        deps = deps + _TEST_DEPS,
        copts = _TEST_COPTS + copts,
        **kwargs
    )
