"""Thin command-line front end: `nlen <command> …`.

Each subcommand lives in pipeline/commands/<name>.py and exposes
`NAME`, `HELP`, `add_arguments(parser)` and `run(args) -> int`. Command modules
import nothing heavy at module level, so `nlen --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from pipeline import __version__
from pipeline.errors import INTERRUPTED, UserError

# Order is the order shown in `nlen --help`.
COMMANDS = ["translate", "merge", "align", "align_eval", "eval", "compare", "cache", "export", "review"]


class CommandParser(argparse.ArgumentParser):
    """A subcommand's parser: options may come after or between the inputs
    (`nlen translate a.txt --force b.txt`), and an unknown argument is reported
    with this command's usage, not the top-level one."""

    _intermixing = False

    def parse_known_args(self, args=None, namespace=None):
        """Parse intermixed (options among the inputs), and fail on anything left over."""
        # Intermixed parsing calls back here (Python < 3.12.7), and loses what follows
        # `--` (Python 3.11): after `--`, options must come before the inputs, as usual.
        if self._intermixing or "--" in (args or []):
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            namespace, extras = self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return namespace, extras


def build_parser() -> argparse.ArgumentParser:
    """The `nlen` parser, with a subparser for each command module in COMMANDS that exists."""
    parser = argparse.ArgumentParser(
        prog="nlen",
        description="Dutch→English paragraph translation and sentence alignment.",
    )
    parser.add_argument("--version", action="version", version=f"nlen {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True, parser_class=CommandParser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"pipeline.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"pipeline.commands.{name}":
                continue  # command not built yet
            raise
        cmd = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        # -v after the command too; SUPPRESS keeps a -v given before it
        cmd.add_argument(
            "-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging on stderr"
        )
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command in `argv` (default: sys.argv); returns the exit code, with user errors,
    Ctrl-C and a closed pipe reported as one line on stderr, not a traceback."""
    try:
        return _run(argv)
    except KeyboardInterrupt:  # at any point, parsing and start-up included
        print(INTERRUPTED, file=sys.stderr)
        return 130


def _run(argv: list[str] | None) -> int:
    """`main` without its Ctrl-C handling."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(format="nlen: %(levelname)s: %(message)s", stream=sys.stderr)
    # Our loggers only: third-party libraries keep their own (quieter) levels.
    logging.getLogger("pipeline").setLevel(logging.DEBUG if args.verbose else logging.INFO)
    try:
        return int(args._run(args) or 0)
    except UserError as exc:
        print(f"nlen: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 141


if __name__ == "__main__":
    raise SystemExit(main())
