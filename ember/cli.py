"""The ``ember`` command.

    ember run SCRIPT [ARGS...]      run an unmodified PyTorch script on ember
    ember run -m MODULE [ARGS...]   the same for ``python -m MODULE``
    ember --version

``python -m ember ...`` is the same command.
"""
import os
import sys
import traceback

USAGE = """usage: ember [--version] <command> ...

commands:
  run SCRIPT [ARGS...]       run a PyTorch script with `import torch` resolved to ember
  run -m MODULE [ARGS...]    run a module as `python -m MODULE` would, on ember
  run --compile SCRIPT ...   the same with the compiler on (every model call compiled)
  run --nproc-per-node N SCRIPT [ARGS...]   start N ranks (torch.distributed on MPI)
  torchrun [OPTIONS] SCRIPT [ARGS...]       the same launcher, with torchrun's options
  export FILE.py:NAME --example-shape 1,3,32,32 -o model.pt2   export a model to one file
  inspect model.pt2          an exported file's specs, op counts and a check of its samples
  serve MODEL_OR_REPOSITORY [OPTIONS]       serve exported models over HTTP (KServe V2)
"""


def _version():
    import ember
    try:
        from importlib.metadata import version
        pkg = version("ember")
    except Exception:   # running from a checkout that was not pip-installed
        pkg = "0.1.0"
    return f"ember {pkg} (PyTorch API {ember.__version__.split('+')[0]}, numpy {_numpy_version()})"


def _numpy_version():
    import numpy
    return numpy.__version__


def _cmd_run(argv):
    # Parsed by hand: everything after the script (or -m MODULE) belongs to the script,
    # flags included, exactly as with `python script.py --flag`.
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: ember run SCRIPT [ARGS...]\n       ember run -m MODULE [ARGS...]\n\n"
              "Runs a PyTorch program unmodified: `import torch` and every `torch.x.y` resolve to\n"
              "ember. An API ember does not have fails with '... is not implemented in ember'.",
              file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] == "--compile":
        # Every top-level module call is compiled (its backward included), as torch.compile.
        from ._compile.auto import enable_auto_compile
        enable_auto_compile()
        return _cmd_run(argv[1:])
    if argv[0].split("=", 1)[0].replace("_", "-") in _LAUNCHER_OPTIONS:
        return _cmd_torchrun(argv)
    # A rank of an MPI job (ember run --nproc-per-node, mpiexec): torchrun's variables from
    # MPI's, and a failure stops every rank. Reads the environment only; no MPI import.
    from .distributed.run import adopt_mpi_env, finish_rank
    in_job = adopt_mpi_env()
    try:
        rc = _run(argv)
    except SystemExit as exc:
        if in_job:
            finish_rank(exc.code)
        raise
    except BaseException as exc:   # show the user's traceback, not the launcher's frames
        tb = exc.__traceback__
        while tb is not None and _is_launcher_frame(tb.tb_frame.f_code.co_filename):
            tb = tb.tb_next
        traceback.print_exception(type(exc), exc, tb or exc.__traceback__)
        rc = 1
    if in_job:
        finish_rank(rc)
    return rc


_LAUNCHER_OPTIONS = {"--nproc-per-node", "--nnodes", "--standalone", "--node-rank",
                     "--master-addr", "--master-port", "--no-prefix", "--no-python"}


def _cmd_torchrun(argv):
    from .distributed.run import main as launch
    return launch(argv)


def _is_launcher_frame(filename):
    return (filename in (__file__, _shim_file()) or filename.startswith("<frozen runpy")
            or filename.endswith("runpy.py"))


def _shim_file():
    from . import _torch_shim
    return _torch_shim.__file__


def _run(argv):
    from . import _torch_shim
    if argv[0] == "-m":
        if len(argv) < 2:
            print("ember run: -m needs a module name", file=sys.stderr)
            return 2
        _torch_shim.run_module(argv[1], argv[2:])
        return 0
    if argv[0].startswith("-m") and len(argv[0]) > 2:      # -mmodule, as python accepts
        _torch_shim.run_module(argv[0][2:], argv[1:])
        return 0
    script = argv[0]
    if not os.path.exists(script):
        print(f"ember run: can't open file {script!r}: [Errno 2] No such file or directory",
              file=sys.stderr)
        return 2
    _torch_shim.run_script(script, argv[1:])
    return 0


def _cmd_serve(argv):
    from .serve.cli import main as serve
    return serve(argv)


def _cmd_export(argv):
    from .export._cli import cmd_export
    return cmd_export(argv)


def _cmd_inspect(argv):
    from .export._cli import cmd_inspect
    return cmd_inspect(argv)


COMMANDS = {"run": _cmd_run, "torchrun": _cmd_torchrun, "export": _cmd_export,
            "inspect": _cmd_inspect, "serve": _cmd_serve}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip() if argv else USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    if argv[0] in ("-V", "--version"):
        print(_version())
        return 0
    cmd = COMMANDS.get(argv[0])
    if cmd is None:
        print(f"ember: unknown command {argv[0]!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    return cmd(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
