"""Sending one request: pacing, retries, body limits and error mapping.

- 429 honours ``Retry-After`` and pauses EVERY worker (a shared "not before" time);
- 5xx and connection errors on GET/PUT/DELETE retry with capped exponential
  backoff and full jitter;
- a POST is never blindly re-sent once it may have reached the server: that is an
  UncertainWriteError, which the client resolves by re-reading;
- error answers become kbsync.errors classes carrying endpoint, status, code, detail.

Nothing here logs headers or bodies, and every message is scrubbed of the API key.
"""

from __future__ import annotations

import json
import logging
import math
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from kbsync.errors import (
    AuthError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    RobofyError,
    ServerError,
    UncertainWriteError,
)
from kbsync.robofy.bodies import MAX_BODY_BYTES, _decode, _too_big, _undecodable
from kbsync.robofy.contract import error_fields
from kbsync.robofy.deadline import answer_deadline
from kbsync.robofy.network import (
    DNS_RETRIES,
    certificate_message,
    certificate_problem,
    is_dns_failure,
)
from kbsync.robofy.retries import Pacer, RetryPolicy, _parse_retry_after
from kbsync.robofy.wire import Answer, Route
from kbsync.safefiles import open_regular

log = logging.getLogger("kbsync.robofy")
# one line per attempt (`--verbose`): method, path with ids, status, ms, retry; never
# headers, bodies or the key
requests_log = logging.getLogger("kbsync.requests")

# failures that happen before a single byte went out: always safe to retry
_UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class Upload(NamedTuple):
    """A multipart file, opened afresh for every attempt and streamed from disk."""

    field: str
    file_name: str
    path: Path
    form: dict[str, str]


class Request(NamedTuple):
    route: Route
    path: str
    params: dict[str, str | int] | None = None
    json: Any = None
    upload: Upload | None = None

    @property
    def shown(self) -> str:
        """How messages and the request log name it: method and path, ids filled in."""
        return f"{self.route.method} {self.path}"


class _Lost(NamedTuple):
    """The connection failed; ``sent`` says whether the request may have gone out."""

    error: BaseException
    sent: bool
    retry: bool = True  # False: too slow an answer; trying again would only wait as long


class _TooSlow(Exception):
    pass


class _Reply(NamedTuple):
    answer: Answer
    retry_after: str | None
    location: str | None = None


class _Tries:
    def __init__(self) -> None:
        self.failures = 0
        self.rate_limited = 0


class Sender:
    def __init__(
        self,
        http: httpx.Client,
        secret: str,
        *,
        policy: RetryPolicy,
        pacer: Pacer,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
        rng: random.Random,
    ) -> None:
        self._http = http
        self._clock = clock
        self._secret = secret
        self._policy = policy
        self._pacer = pacer
        self._sleep = sleep
        self._rng = rng
        self._rng_lock = threading.Lock()

    def send(self, request: Request) -> Answer:
        """The decoded 2xx answer, or a RobofyError subclass."""
        tries = _Tries()
        while True:
            self._pacer.wait_turn()
            started = self._clock()
            result = self._attempt(request)
            _log_attempt(request, result, self._clock() - started, tries)
            if isinstance(result, _Reply) and 200 <= result.answer.status < 300:
                return result.answer
            delay = self._retry_delay(request, result, tries)
            if delay > 0:
                self._sleep(delay)

    # --- one attempt ------------------------------------------------------------

    def _attempt(self, request: Request) -> _Reply | _Lost:
        route = request.route
        deadline = self._clock() + self._policy.answer_deadline
        try:
            with (
                answer_deadline(self._policy.answer_deadline),
                self._open_upload(request) as files,
                self._http.stream(
                    route.method,
                    request.path,
                    params=request.params,
                    json=request.json,
                    files=files,
                    data=request.upload.form if request.upload else None,
                ) as response,
            ):
                raw = self._read_capped(response, route)
                status, headers = response.status_code, response.headers
        except _UNSENT as exc:
            return _Lost(exc, sent=False)
        except _TooSlow as exc:
            return _Lost(exc, sent=True, retry=False)
        except (httpx.TransportError, OSError) as exc:
            if self._clock() >= deadline:  # e.g. headers dripping in until the deadline
                slow = _TooSlow(f"the answer took over {self._policy.answer_deadline:g} s")
                return _Lost(slow, sent=True, retry=False)
            return _Lost(exc, sent=True)
        except httpx.DecodingError:
            raise _undecodable(route, None) from None
        except httpx.HTTPError as exc:  # any other: it may have gone out; no point repeating
            return _Lost(exc, sent=True, retry=False)
        body = _decode(self._scrub_bytes(raw), route, status, headers.get("content-type", ""))
        answer = Answer(route.endpoint, status, body, request.shown, len(raw))
        return _Reply(answer, headers.get("retry-after"), headers.get("location"))

    def _read_capped(self, response: httpx.Response, route: Route) -> bytes:
        """The body, at most MAX_BODY_BYTES, arriving within the answer deadline."""
        declared = response.headers.get("content-length", "")
        if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise _too_big(route, response.status_code)
        deadline = self._clock() + self._policy.answer_deadline
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise _too_big(route, response.status_code)
                if self._clock() > deadline:
                    raise _TooSlow(f"the answer took over {self._policy.answer_deadline:g} s")
                chunks.append(chunk)
        except httpx.DecodingError:
            if response.status_code >= 400:
                return b""  # the status alone is mapped to an error
            encoding = self._scrub(response.headers.get("content-encoding", ""))
            raise _undecodable(route, response.status_code, encoding) from None
        return b"".join(chunks)

    def _open_upload(self, request: Request) -> _UploadFiles:
        return _UploadFiles(request)

    # --- what to do after a failure ------------------------------------------------

    def _retry_delay(self, request: Request, result: _Reply | _Lost, tries: _Tries) -> float:
        """Seconds to wait before the next attempt, or raise the final error."""
        if isinstance(result, _Lost):
            return self._after_lost(request, result, tries)
        answer = result.answer
        if answer.status == 429:
            return self._after_rate_limit(answer, result.retry_after, tries)
        if answer.status >= 500:
            return self._after_server_error(request, answer, tries)
        if 300 <= answer.status < 400:
            raise self._redirect_error(answer, result.location)
        raise self._error_for(answer)

    def _after_lost(self, request: Request, lost: _Lost, tries: _Tries) -> float:
        route = request.route
        what = self._scrub(f"{type(lost.error).__name__}: {lost.error}")
        if lost.sent and not _repeatable(route):
            raise UncertainWriteError(
                f"{request.shown}: the connection failed after the request was sent ({what}); "
                "it may or may not have been applied",
                endpoint=route.endpoint,
                detail=what,
            )
        _refuse_untrusted(request, lost.error)
        budget = DNS_RETRIES if is_dns_failure(lost.error) else self._policy.max_retries
        if tries.failures >= min(budget, self._policy.max_retries) or not lost.retry:
            raise NetworkError(
                f"Cannot reach Robofy for {request.shown} after "
                f"{tries.failures + 1} attempts: {what}",
                endpoint=route.endpoint,
                detail=what,
            )
        return self._backoff(route, tries, what)

    def _after_server_error(self, request: Request, answer: Answer, tries: _Tries) -> float:
        route = request.route
        if not _repeatable(route):
            err = self._error_for(answer)
            raise UncertainWriteError.about(
                err, f"{err} (the write may or may not have been applied)"
            )
        if tries.failures >= self._policy.max_retries:
            raise self._error_for(answer)
        return self._backoff(route, tries, f"HTTP {answer.status}")

    def _after_rate_limit(self, answer: Answer, header: str | None, tries: _Tries) -> float:
        if tries.rate_limited >= self._policy.max_rate_limit_waits:
            raise self._error_for(answer)
        tries.rate_limited += 1
        pause = self._retry_after(header)
        if self._pacer.pause_all(pause) is None:
            raise self._past_budget(answer, header, pause)
        log.info("%s: rate limited (429); pausing all requests %.1f s", answer.endpoint, pause)
        return 0.0  # wait_turn() does the waiting, together with every other worker

    def _past_budget(self, answer: Answer, header: str | None, pause: float) -> RobofyError:
        asked = f"Retry-After {self._scrub(header)[:60]!r}" if header else "its default pause"
        seconds = "forever" if math.isinf(pause) else f"{pause:,.0f} s"
        budget, left = self._pacer.budget, self._pacer.budget_left()
        return RateLimitedError(
            f"Robofy rate-limited {answer.endpoint} (HTTP 429) and asked to wait {seconds} "
            f"({asked}): past this run's rate-limit wait budget ({left:,.0f} s left of "
            f"{budget:,.0f} s); try again later, or raise --rate-limit-budget",
            endpoint=answer.endpoint,
            status=429,
        )

    def _backoff(self, route: Route, tries: _Tries, what: str) -> float:
        tries.failures += 1
        ceiling = min(self._policy.backoff_cap, self._policy.backoff_base * 2**tries.failures)
        with self._rng_lock:
            delay = self._rng.uniform(0, ceiling)  # full jitter
        log.info(
            "%s: %s; retry %d of %d in %.1f s",
            route.endpoint,
            what,
            tries.failures,
            self._policy.max_retries,
            delay,
        )
        return delay

    def _retry_after(self, header: str | None) -> float:
        """Seconds from Retry-After (seconds or an HTTP date), else the default."""
        seconds = _parse_retry_after(header)
        if seconds is None:
            seconds = self._policy.default_retry_after
        return max(seconds, 0.0)  # however long: the run's budget decides (Pacer)

    # --- errors ----------------------------------------------------------------------

    def _error_for(self, answer: Answer) -> RobofyError:
        message, code, detail = (self._scrub(s) for s in error_fields(answer.body))
        if answer.body is None:
            detail = detail or "no JSON error body"
        cls = _error_class(answer.status)
        text = f"Robofy answered HTTP {answer.status}"
        text += f" {code}" if code else ""
        text += f" on {answer.shown}"
        text += f": {detail or message}" if (detail or message) else ""
        return cls(text, endpoint=answer.endpoint, status=answer.status, code=code, detail=detail)

    def _redirect_error(self, answer: Answer, location: str | None) -> RobofyError:
        """Never followed: a redirect would re-send the key, and a 3xx write did nothing."""
        target = self._scrub(location)[:300] if location else "nowhere (no Location header)"
        return RobofyError(
            f"Robofy answered {answer.shown} (HTTP {answer.status}) with a redirect to "
            f"{target}; kbsync does not follow redirects: set ROBOFY_BASE_URL to the API's "
            "address (or use --base-url)",
            endpoint=answer.endpoint,
            status=answer.status,
        )

    def _scrub_bytes(self, raw: bytes) -> bytes:
        """A server echoing our key must not carry it into kbsync's data or messages."""
        as_json = json.dumps(self._secret)[1:-1].encode()  # the key as it appears in JSON
        return raw.replace(as_json, b"***").replace(self._secret.encode(), b"***")

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text


class _UploadFiles:
    """Context manager: the multipart ``files`` argument, with the file open while sending."""

    def __init__(self, request: Request) -> None:
        self._upload = request.upload
        self._handle: Any = None

    def __enter__(self) -> dict[str, Any] | None:
        upload = self._upload
        if upload is None:
            return None
        try:
            self._handle = open_regular(upload.path)
        except OSError as exc:
            raise RobofyError(f"Cannot read {upload.path}: {exc.strerror}") from None
        return {upload.field: (upload.file_name, self._handle, "application/octet-stream")}

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.close()


def _refuse_untrusted(request: Request, error: BaseException) -> None:
    """A certificate that does not verify will not verify on a retry either: final."""
    problem = certificate_problem(error)
    if problem is not None:
        what = certificate_message(error, problem)
        raise NetworkError(
            f"Cannot reach Robofy for {request.shown}: {what}",
            endpoint=request.route.endpoint,
            detail=what,
        )


def _log_attempt(request: Request, result: _Reply | _Lost, seconds: float, tries: _Tries) -> None:
    if not requests_log.isEnabledFor(logging.INFO):
        return
    if isinstance(result, _Reply):
        outcome = f"HTTP {result.answer.status}"
    else:
        outcome = type(result.error).__name__
    retry = tries.failures + tries.rate_limited
    again = f" (retry {retry})" if retry else ""
    requests_log.info("%s -> %s in %d ms%s", request.shown, outcome, seconds * 1000, again)


def _repeatable(route: Route) -> bool:
    return route.method != "POST" or route.safe_to_repeat


def _error_class(status: int) -> type[RobofyError]:
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFoundError
    if status == 429:
        return RateLimitedError
    if status >= 500:
        return ServerError
    return RobofyError
