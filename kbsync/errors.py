"""kbsync's errors: one base class, turned into exit codes in ONE place (error_handler.py).

The tree::

    KbsyncError                      exit 1 unless said otherwise
    ├── ManifestError                the manifest or a file it names is invalid (carries Problems)
    ├── ConfigError                  missing API key, bad option value, unreadable plan file
    ├── GuardError                   a safety guard refused the plan (nothing was sent)
    ├── StalePlanError               a saved plan no longer matches the manifest or the remote
    └── RobofyError                  Robofy answered with an error, or could not be reached
        ├── AuthError                401 / 403
        ├── NotFoundError            404 (including PROJECT_NOT_FOUND)
        ├── RateLimitedError         429 still after the retry budget
        ├── ServerError              5xx still after the retry budget
        ├── ShapeError               a response whose shape the contract does not know
        ├── NetworkError             connection refused / reset / timeout on an idempotent call
        └── UncertainWriteError      a POST that may or may not have reached the server

Messages never contain the API key or request bodies.
"""

from __future__ import annotations

from typing import NamedTuple


class Problem(NamedTuple):
    """One validation problem, located in a file (line/col are 1-based; 0 = unknown)."""

    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}: {self.message}"
        return f"{self.file}: {self.message}"


class KbsyncError(Exception):
    """Base of every error kbsync raises on purpose."""

    exit_code = 1


class ManifestError(KbsyncError):
    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ConfigError(KbsyncError):
    pass


class GuardError(KbsyncError):
    pass


class StalePlanError(KbsyncError):
    pass


class RobofyError(KbsyncError):
    """An error answer or an unreachable Robofy; says which endpoint and what came back."""

    def __init__(
        self,
        message: str,
        *,
        endpoint: str = "",
        status: int | None = None,
        code: str = "",
        detail: str = "",
    ) -> None:
        self.endpoint = endpoint
        self.status = status
        self.code = code
        self.detail = detail
        super().__init__(message)


class AuthError(RobofyError):
    pass


class NotFoundError(RobofyError):
    pass


class RateLimitedError(RobofyError):
    pass


class ServerError(RobofyError):
    pass


class ShapeError(RobofyError):
    pass


class NetworkError(RobofyError):
    pass


class UncertainWriteError(RobofyError):
    @classmethod
    def about(cls, err: RobofyError, message: str) -> UncertainWriteError:
        """An unknown outcome of the request that ``err`` describes (same endpoint/status/code)."""
        return cls(
            message, endpoint=err.endpoint, status=err.status, code=err.code, detail=err.detail
        )
