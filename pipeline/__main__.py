"""`python -m pipeline` and the `nlen` command. Ctrl-C while the CLI is still loading (its
imports take a moment) gives the same one line and exit code 130 as Ctrl-C later, not a
traceback: a handler is set before the imports and handed back to `pipeline.cli.main`."""

import signal
import sys

from pipeline.errors import INTERRUPTED


def _interrupted_while_loading(signum, frame):
    print(INTERRUPTED, file=sys.stderr)
    raise SystemExit(130)


if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not when started with Ctrl-C ignored
    signal.signal(signal.SIGINT, _interrupted_while_loading)

from pipeline.cli import main as cli_main  # noqa: E402  (after the handler: this is the slow part)


def main() -> int:
    """Run the CLI with Ctrl-C raising KeyboardInterrupt again (`pipeline.cli.main` reports it)."""
    if signal.getsignal(signal.SIGINT) is _interrupted_while_loading:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
