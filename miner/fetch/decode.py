"""Content-Encoding decoding that never produces more than a cap.

httpx decodes a compressed chunk in one call, so one 64 KiB chunk of a brotli bomb can become
gigabytes before anyone counts. These decoders ask zlib/brotli for at most ``cap + 1`` bytes per
step and stop with :class:`~miner.errors.TooLarge` the moment the output passes the cap.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

import brotli

from miner.errors import PermanentFetchError, TooLarge

SUPPORTED = ("gzip", "x-gzip", "deflate", "br", "identity")
#: What we ask servers for; exactly the encodings decoded here.
ACCEPT_ENCODING = "gzip, deflate, br"


class _Budget:
    def __init__(self, cap: int, subject: str) -> None:
        self.left = cap
        self.cap = cap
        self.subject = subject

    def take(self, data: bytes) -> bytes:
        self.left -= len(data)
        if self.left < 0:
            raise TooLarge(f"body is larger than {self.cap} bytes once decompressed", subject=self.subject)
        return data


def _zlib_stream(chunks: Iterable[bytes], wbits: int, budget: _Budget) -> Iterator[bytes]:
    d = zlib.decompressobj(wbits)
    first = True
    for chunk in chunks:
        data = chunk
        while data:
            try:
                out = d.decompress(data, budget.left + 1)
            except zlib.error:
                if first and wbits == zlib.MAX_WBITS:  # "deflate" sent as raw deflate (old IIS)
                    d, wbits = zlib.decompressobj(-zlib.MAX_WBITS), -zlib.MAX_WBITS
                    continue
                raise
            first = False
            yield budget.take(out)
            data = d.unconsumed_tail
            if d.eof and d.unused_data:  # concatenated gzip members
                data = d.unused_data
                d = zlib.decompressobj(wbits)
    yield budget.take(d.flush())


def _brotli_stream(chunks: Iterable[bytes], budget: _Budget) -> Iterator[bytes]:
    d = brotli.Decompressor()
    for chunk in chunks:
        data = chunk
        while True:
            yield budget.take(d.process(data, output_buffer_limit=budget.left + 1))
            data = b""
            if d.can_accept_more_data():
                break


def decoded(chunks: Iterable[bytes], encoding: str, *, cap: int, subject: str) -> Iterator[bytes]:
    """Decode ``chunks`` per a Content-Encoding header value, yielding at most ``cap`` bytes.

    Several encodings (``gzip, br``) were applied in order, so they are undone in reverse.
    Corrupt compressed data is a :class:`PermanentFetchError`.
    """
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    unknown = [c for c in codings if c not in SUPPORTED]
    if unknown:
        raise PermanentFetchError(f"unsupported Content-Encoding {', '.join(unknown)}", subject=subject)
    stream: Iterable[bytes] = chunks
    # Each layer gets the same cap: an intermediate layer larger than the cap is already too large.
    for coding in reversed(codings):
        budget = _Budget(cap, subject)
        if coding in ("gzip", "x-gzip"):
            stream = _zlib_stream(stream, zlib.MAX_WBITS | 16, budget)
        elif coding == "deflate":
            stream = _zlib_stream(stream, zlib.MAX_WBITS, budget)
        elif coding == "br":
            stream = _brotli_stream(stream, budget)
    try:
        yield from (c for c in stream if c)
    except (zlib.error, brotli.error) as exc:
        raise PermanentFetchError(f"corrupt {encoding} body ({exc})", subject=subject) from exc
