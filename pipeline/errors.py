"""Errors that the CLI turns into one line on stderr and exit code 2."""

# What Ctrl-C prints (exit code 130), wherever it lands.
INTERRUPTED = "nlen: interrupted; finished work is kept, rerun to resume"


class UserError(Exception):
    """Bad input or setup the user can fix; printed without a traceback."""

    exit_code = 2


class PathError(UserError):
    """A problem with one file or folder: the message is "PATH: PROBLEM"."""

    def __init__(self, path, problem: str):
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem

    def __reduce__(self):  # pickled with its own arguments (a Ray actor raises it to the driver)
        return type(self), (self.path, self.problem)


class InputError(PathError):
    """A problem with one input file; other inputs still go through."""


class CacheError(PathError):
    """The translation cache cannot be used (its folder, permissions, a lock)."""


class DamagedCacheError(CacheError):
    """The cache database cannot be read as this nlen's cache: damaged on disk, or
    of a layout it does not know. Only removing it helps (`nlen cache clear`)."""
