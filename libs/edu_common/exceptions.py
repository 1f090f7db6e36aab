"""Domain errors raised by the shared code and the services.

None of these knows about HTTP: ``edu_common.errors`` turns each into a
response, in one place, with one body shape.
"""


class PlatformError(Exception):
    """Base class of every error the platform raises on purpose."""


class ResourceNotFound(PlatformError):
    """A resource the caller named does not exist (or is not theirs)."""

    def __init__(self, label, resource_id):
        self.label = label
        self.resource_id = str(resource_id)
        super().__init__(f"{label.capitalize()} {self.resource_id} does not exist.")


class RemoteResourceNotFound(ResourceNotFound):
    """A sibling service answered that the named resource does not exist."""


class SiblingError(PlatformError):
    """A call to a sibling service did not produce a usable answer."""

    def __init__(self, sibling, message):
        self.sibling = sibling
        super().__init__(message)


class SiblingUnavailable(SiblingError):
    """The sibling could not be reached, or kept failing after the retries."""


class SiblingTimeout(SiblingError):
    """The sibling did not answer within the time allowed."""


class SiblingRejected(SiblingError):
    """The sibling refused the call with a 4xx other than 404 or 429."""

    def __init__(self, sibling, status_code):
        self.status_code = status_code
        super().__init__(
            sibling, f"{sibling} refused the call with status {status_code}."
        )


class SiblingInvalidReply(SiblingError):
    """The sibling answered 2xx with a body that is not the expected JSON."""


class SiblingBusy(SiblingError):
    """The sibling asked us to slow down (429)."""

    def __init__(self, sibling, retry_after):
        self.retry_after = retry_after
        super().__init__(sibling, f"{sibling} is busy; retry in {retry_after} s.")


class CircuitOpen(SiblingError):
    """The circuit to the sibling is open: the call was not attempted."""

    def __init__(self, sibling, retry_after):
        self.retry_after = retry_after
        super().__init__(
            sibling, f"{sibling} is failing; calls resume in {retry_after} s."
        )


class IdempotencyKeyInvalid(PlatformError):
    """An ``Idempotency-Key`` header that is empty, too long or unprintable."""

    def __init__(self, max_length):
        super().__init__(
            f"Idempotency-Key must be 1 to {max_length} printable characters."
        )


class IdempotencyKeyReused(PlatformError):
    """An ``Idempotency-Key`` sent again with a different request body."""

    def __init__(self, key):
        self.key = key
        super().__init__(
            "This Idempotency-Key was used with another request body; "
            "use a new key for a new request."
        )
