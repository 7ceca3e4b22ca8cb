"""The exception tree: every error says what the caller should do with it.

``Transient``  -> try again later (network blips, 429/503, a busy database).
``Permanent``  -> record it, quarantine the input, do not retry (corrupt file, refused address).
``Skipped``    -> not an error of the input: counted with a reason (robots.txt said no, out of scope).

Workers map these onto Celery retries and the dead-letter table; the CLI maps them onto readable
messages and exit codes. Nothing outside this module should need to know which concrete class it got.
"""

from __future__ import annotations


class MinerError(Exception):
    """Base of every error the product raises on purpose."""

    #: A short, stable machine name (stored in the errors table, shown in JSON).
    code: str = "error"

    def __init__(self, message: str, *, subject: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: What the error is about: a file path, a URL, a document id.
        self.subject = subject

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}" if self.subject else self.message


class Transient(MinerError):
    """Worth retrying: the same call may succeed later."""

    code = "transient"

    def __init__(self, message: str, *, subject: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, subject=subject)
        #: Seconds the other side asked us to wait (Retry-After), if it said.
        self.retry_after = retry_after


class Permanent(MinerError):
    """Retrying will not help: record the failure and quarantine the input."""

    code = "permanent"


class Skipped(MinerError):
    """Deliberately not processed; counted with its reason, not an error of the input."""

    code = "skipped"

    def __init__(self, reason: str, *, subject: str | None = None) -> None:
        super().__init__(reason, subject=subject)
        self.reason = reason


# --- extraction -------------------------------------------------------------------------------------------


class ExtractionError(Permanent):
    """A document's bytes could not be turned into text."""

    code = "extraction"


class UnsupportedFormat(ExtractionError):
    code = "unsupported-format"


class EncryptedDocument(ExtractionError):
    code = "encrypted"


class CorruptDocument(ExtractionError):
    code = "corrupt"


class ExtractionLimit(ExtractionError):
    """Extraction ran past its time or memory limit and was stopped."""

    code = "extraction-limit"


# --- fetching ---------------------------------------------------------------------------------------------


class FetchError(MinerError):
    """Base for errors raised while fetching; concrete classes also derive from Transient or Permanent."""

    code = "fetch"


class TransientFetchError(FetchError, Transient):
    code = "fetch-transient"


class PermanentFetchError(FetchError, Permanent):
    code = "fetch-permanent"


class BlockedAddress(PermanentFetchError):
    """The SSRF guard refused a URL: bad scheme, or a host that resolves to a non-public address."""

    code = "blocked-address"


class TooLarge(PermanentFetchError):
    code = "too-large"


class TooManyRedirects(PermanentFetchError):
    code = "too-many-redirects"


class DeadlineExceeded(TransientFetchError):
    code = "deadline"


class RobotsDisallowed(Skipped):
    code = "robots"


class OutOfScope(Skipped):
    code = "out-of-scope"


# --- configuration and data -------------------------------------------------------------------------------


class ConfigError(Permanent):
    """A settings value, a source file, a lexicon or the rubric is invalid; the message names the place."""

    code = "config"


class InputError(Permanent):
    """A request or input line is malformed (bad JSON, missing field)."""

    code = "input"
