"""Calls from one service to a sibling: pooled, retried and guarded by a circuit."""

import contextlib
import itertools
import logging
import math
import os
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
import pybreaker
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from tenacity import (
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    wait_exponential,
)

from edu_common import budget, metrics, tracing
from edu_common.exceptions import (
    CircuitOpen,
    RemoteResourceNotFound,
    SiblingBusy,
    SiblingInvalidReply,
    SiblingRejected,
    SiblingTimeout,
    SiblingUnavailable,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RemotePolicy:
    """Timeouts, retries, circuit limits and addresses for calls to siblings."""

    http_connect_timeout: float = 5.0
    http_request_timeout: float = 30.0
    retry_count: int = 3
    retry_backoff_ms: int = 100
    circuit_failure_threshold: int = 5
    circuit_open_duration: float = 30.0
    sibling_urls: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls) -> "RemotePolicy":
        """Build the policy from the Django settings named like its fields."""
        values = {
            knob.name: getattr(settings, knob.name.upper())
            for knob in fields(cls)
            if hasattr(settings, knob.name.upper())
        }
        return cls(**values)


class _FailedCall(Exception):
    """Stands for a failed call while its outcome is recorded in the breaker."""


def _settle(succeeded: bool) -> None:
    """Replay an outcome already known so that pybreaker counts it."""
    if not succeeded:
        raise _FailedCall


def _budget_spent_by_backoff(retry_state) -> bool:
    """Stop retrying when the backoff would outlast the request's budget."""
    left = budget.remaining()
    return left is not None and left <= retry_state.upcoming_sleep


def _is_server_error(response: httpx.Response) -> bool:
    """Tell whether the sibling answered with a 5xx status."""
    return response.is_server_error


class _CircuitLog(pybreaker.CircuitBreakerListener):
    """Log and show in the metrics each change in the state of a sibling's circuit."""

    def state_change(self, cb, old_state, new_state):
        """Log the new state: a warning when the circuit opens."""
        metrics.record_circuit_state(cb.name, new_state.name)
        fields = {"sibling": cb.name, "circuit": new_state.name}
        if new_state.name == pybreaker.STATE_OPEN:
            logger.warning(
                "Circuit to %s opened: calls fail fast for %s s",
                cb.name,
                cb.reset_timeout,
                extra=fields,
            )
        elif new_state.name == pybreaker.STATE_CLOSED:
            logger.info("Circuit to %s closed", cb.name, extra=fields)
        else:
            logger.info(
                "Circuit to %s half-open: one trial call goes through",
                cb.name,
                extra=fields,
            )


class SiblingClient:
    """Send requests to one sibling service through a pooled client and a circuit."""

    def __init__(self, name: str, base_url: str, policy: RemotePolicy) -> None:
        self.name = name
        self.base_url = base_url
        self.policy = policy
        self._http: httpx.Client | None = None
        self._http_lock = threading.Lock()
        self._storage = pybreaker.CircuitMemoryStorage(pybreaker.STATE_CLOSED)
        self._breaker = pybreaker.CircuitBreaker(
            fail_max=policy.circuit_failure_threshold,
            reset_timeout=policy.circuit_open_duration,
            state_storage=self._storage,
            listeners=[_CircuitLog()],
            name=name,
        )
        self._gate = threading.Lock()
        self._trial_running = False
        metrics.record_circuit_state(name, self.circuit_state)

    @property
    def circuit_state(self) -> str:
        """Return the state of the circuit: "closed", "open" or "half-open"."""
        return self._breaker.current_state

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Send one call, retried when safe, and return any reply below 500."""
        method = method.upper()
        # The sibling logs the call under the same request id and trace.
        headers = {**tracing.propagation_headers(), **(headers or {})}

        # breaker.call() would hold pybreaker's lock for the whole request and
        # serialise every thread calling this sibling, so only the admission
        # and the recording of the outcome happen under a lock.
        is_trial = self._admit()
        try:
            response = self._send(method, path, headers, json)
        except BaseException:
            self._record(succeeded=False, is_trial=is_trial)
            raise
        self._record(succeeded=True, is_trial=is_trial)
        return response

    def close(self) -> None:
        """Close the pooled connections; a later request opens new ones."""
        with self._http_lock:
            http, self._http = self._http, None
        if http is not None:
            http.close()

    def _admit(self) -> bool:
        """Let a call through or raise CircuitOpen; return True for a trial."""
        with self._gate:
            state = self._breaker.current_state
            if state == pybreaker.STATE_CLOSED:
                return False

            if state == pybreaker.STATE_OPEN:
                seconds_left = self._seconds_until_trial()
                if seconds_left > 0:
                    raise CircuitOpen(self.name, max(1, math.ceil(seconds_left)))
                self._breaker.half_open()

            if self._trial_running:
                raise CircuitOpen(self.name, 1)
            self._trial_running = True
            return True

    def _record(self, *, succeeded: bool, is_trial: bool) -> None:
        """Count the outcome of a call in the breaker, which may change state."""
        with self._gate:
            if is_trial:
                self._trial_running = False
            elif self._breaker.current_state != pybreaker.STATE_CLOSED:
                # A call let in before the circuit opened tells nothing new.
                return

            # pybreaker re-raises the failure it counts (or its own trip error).
            with contextlib.suppress(pybreaker.CircuitBreakerError, _FailedCall):
                self._breaker.call(_settle, succeeded)

    def _seconds_until_trial(self) -> float:
        """Return how long the open circuit still refuses calls."""
        opened_at = self._storage.opened_at
        if opened_at is None:
            return 0.0
        reopens_at = opened_at + timedelta(seconds=self._breaker.reset_timeout)
        return (reopens_at - datetime.now(UTC)).total_seconds()

    def _send(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None,
        json: Any,
    ) -> httpx.Response:
        """Send the request with its retries and turn failures into domain errors."""
        # Only GET is safe to repeat: a retried POST could create twice.
        attempts = 1 + self.policy.retry_count if method == "GET" else 1
        retrying = Retrying(
            stop=stop_after_attempt(attempts) | _budget_spent_by_backoff,
            wait=wait_exponential(multiplier=self.policy.retry_backoff_ms / 1000),
            retry=(
                retry_if_exception_type(httpx.TransportError)
                | retry_if_result(_is_server_error)
            ),
            # Hand back the last reply or error rather than tenacity's RetryError.
            retry_error_callback=lambda state: state.outcome.result(),
        )

        try:
            response = retrying(
                self._attempt, method, path, headers, json, itertools.count(1)
            )
        except httpx.TimeoutException as error:
            raise SiblingTimeout(
                self.name, f"{self.name} did not answer {method} {path} in time."
            ) from error
        except httpx.TransportError as error:
            raise SiblingUnavailable(
                self.name,
                f"{self.name} could not be reached ({type(error).__name__}).",
            ) from error
        except httpx.HTTPError as error:
            raise SiblingInvalidReply(
                self.name,
                f"{self.name} sent an unreadable reply ({type(error).__name__}).",
            ) from error

        if response.is_server_error:
            raise SiblingUnavailable(
                self.name,
                f"{self.name} answered {method} {path} with {response.status_code}.",
            )
        return response

    def _attempt(
        self,
        method: str,
        path: str,
        headers: Mapping[str, str] | None,
        json: Any,
        attempt_numbers: Iterator[int],
    ) -> httpx.Response:
        """Send a single attempt and log its outcome."""
        attempt = next(attempt_numbers)
        timeout = self._timeout_within_budget(method, path)
        started = time.perf_counter()
        try:
            response = self._client().request(
                method, path, headers=headers, json=json, timeout=timeout
            )
        except httpx.HTTPError as error:
            self._log_attempt(method, path, attempt, type(error).__name__, started)
            raise
        self._log_attempt(method, path, attempt, response.status_code, started)
        return response

    def _timeout_within_budget(self, method: str, path: str) -> httpx.Timeout:
        """Return the attempt's timeouts, cut to what the request has left."""
        connect = self.policy.http_connect_timeout
        read = self.policy.http_request_timeout
        left = budget.remaining()
        if left is None:
            return httpx.Timeout(read, connect=connect)
        if left <= 0:
            raise SiblingTimeout(
                self.name, f"No time left to ask {self.name} {method} {path}."
            )
        return httpx.Timeout(min(read, left), connect=min(connect, left))

    def _log_attempt(self, method, path, attempt, outcome, started) -> None:
        """Log and count one attempt; headers stay out as they carry credentials."""
        seconds = time.perf_counter() - started
        metrics.observe_sibling_call(self.name, outcome, seconds)
        logger.info(
            "%s %s %s attempt %s: %s in %.0f ms",
            self.name,
            method,
            path,
            attempt,
            outcome,
            seconds * 1000,
            extra={
                "sibling": self.name,
                "attempt": attempt,
                "outcome": str(outcome),
                "duration_ms": round(seconds * 1000, 1),
            },
        )

    def _client(self) -> httpx.Client:
        """Return the pooled HTTP client, creating it on first use."""
        # Created on first use so that a gunicorn worker opens its own sockets
        # after the fork. httpx applies the request timeout to each read,
        # write and pool wait, not to the request as a whole.
        with self._http_lock:
            if self._http is None:
                self._http = httpx.Client(
                    base_url=self.base_url,
                    timeout=httpx.Timeout(
                        self.policy.http_request_timeout,
                        connect=self.policy.http_connect_timeout,
                    ),
                )
            return self._http


_siblings: dict[str, SiblingClient] = {}
_siblings_lock = threading.Lock()


def get_sibling(name: str) -> SiblingClient:
    """Return this process's client for the named sibling, built on first use."""
    with _siblings_lock:
        client = _siblings.get(name)
        if client is None:
            policy = RemotePolicy.from_settings()
            if name not in policy.sibling_urls:
                raise ImproperlyConfigured(f"SIBLING_URLS has no address for {name}.")
            client = SiblingClient(name, policy.sibling_urls[name], policy)
            _siblings[name] = client
        return client


def reset_siblings() -> None:
    """Close and forget every sibling client of this process."""
    with _siblings_lock:
        clients = list(_siblings.values())
        _siblings.clear()
    for client in clients:
        client.close()


def _forget_siblings_in_child() -> None:
    """Drop, without closing, the sockets a forked child inherited."""
    global _siblings_lock
    # Another thread of the parent may have held the lock at the fork.
    _siblings_lock = threading.Lock()
    _siblings.clear()


os.register_at_fork(after_in_child=_forget_siblings_in_child)


def _retry_after(response: httpx.Response) -> int:
    """Read Retry-After as whole seconds, or 1 when it is absent or a date."""
    value = response.headers.get("Retry-After", "").strip()
    return int(value) if value.isdigit() else 1


class RemoteResource:
    """A kind of resource a sibling owns, fetched by id to prove it exists."""

    def __init__(self, *, sibling: str, path: str, label: str) -> None:
        self.sibling = sibling
        self.path = path
        self.label = label

    def _names_missing_resource(self, response: httpx.Response) -> bool:
        """Tell a missing resource from a 404 for a route that isn't there.

        A sibling says "no such course" with the code ``course_not_found``;
        any other 404 (a wrong URL, a proxy) is the platform's fault.
        """
        try:
            body = response.json()
        except ValueError:
            return False
        return isinstance(body, dict) and body.get("code") == f"{self.label}_not_found"

    def fetch(self, resource_id: Any, *, authorization: str) -> dict:
        """Return the sibling's representation of the resource, asked as the caller."""
        path = self.path.format(id=quote(str(resource_id), safe=""))
        headers = {"Authorization": authorization, "Accept": "application/json"}
        response = get_sibling(self.sibling).request("GET", path, headers=headers)

        status = response.status_code
        if status == 404 and self._names_missing_resource(response):
            raise RemoteResourceNotFound(self.label, resource_id)
        if status == 429:
            raise SiblingBusy(self.sibling, _retry_after(response))
        if status >= 400:
            # The sibling refused our own request: a fault of the platform,
            # not of the caller, whose request we already accepted.
            raise SiblingRejected(self.sibling, status)

        try:
            body = response.json() if response.is_success else None
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise SiblingInvalidReply(
                self.sibling,
                f"{self.sibling} did not answer {self.label} {resource_id} "
                f"with a JSON object (status {status}).",
            )
        return body
