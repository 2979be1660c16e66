"""Compact, lossless-within-dtype encoding of :class:`~backstride.domain.activity.Streams`.

Layout (all integers little-endian)::

    magic  b"BSS"            3 bytes
    version                  1 byte   (CODEC_VERSION)
    n                        uint32   samples per channel
    k                        uint8    number of channels
    k x channel header:      uint8 name length, UTF-8 name,
                             1 byte dtype code ('f' float32, 'd' float64)
    zlib(body)

The body is, per channel in header order, the channel cast to its dtype, then

1. **XOR with the previous sample** (on the integer bit pattern, so exactly
   reversible): slowly changing series such as time, distance, heart rate and
   altitude leave mostly zero high bits, as in Gorilla (Pelkonen et al., *Gorilla: A
   Fast, Scalable, In-Memory Time Series Database*, VLDB 2015);
2. **byte shuffle** (all first bytes, then all second bytes, ...), as Blosc's
   shuffle filter, which turns those zero bits into long zero runs;

and zlib (level 6) compresses the whole body. Both steps are exact, so decoding
returns the float32 (or float64) values bit for bit, NaN included.

Precision: float64 for latitude/longitude (float32 would be ~1 m at the equator);
float32 (24-bit mantissa) for everything else, e.g. 0.004 s at 14 h of ``time_s``,
0.008 m at 100 km of ``distance_m``: below any device's resolution. A channel whose
finite values would overflow float32 is kept as float64.
"""

from __future__ import annotations

import struct
import zlib
from typing import Final

import numpy as np
from numpy.typing import NDArray

from backstride.domain.activity import CHANNELS, FloatArray, Streams

__all__ = ["CODEC_VERSION", "CodecError", "channel_dtype", "decode_streams", "encode_streams"]

CODEC_VERSION: Final = 1
_MAGIC: Final = b"BSS"
_HEAD: Final = struct.Struct("<3sBIB")
_FLOAT64_CHANNELS: Final = frozenset({"latitude_deg", "longitude_deg"})
_DTYPES: Final[dict[str, np.dtype[np.floating]]] = {
    "f": np.dtype("<f4"),
    "d": np.dtype("<f8"),
}
_UINT: Final[dict[str, np.dtype[np.unsignedinteger]]] = {
    "f": np.dtype("<u4"),
    "d": np.dtype("<u8"),
}
_F32_MAX: Final = float(np.finfo(np.float32).max)


class CodecError(ValueError):
    """The stored bytes are not a stream blob this version can read."""


def channel_dtype(name: str, values: FloatArray) -> str:
    """Return the dtype code (``'f'`` float32 or ``'d'`` float64) used to store a channel."""
    if name in _FLOAT64_CHANNELS:
        return "d"
    finite = values[np.isfinite(values)]
    if len(finite) and float(np.abs(finite).max()) > _F32_MAX:
        return "d"
    return "f"


def _pack(values: FloatArray, code: str) -> bytes:
    arr = np.ascontiguousarray(values, dtype=_DTYPES[code])
    bits: NDArray[np.unsignedinteger] = arr.view(_UINT[code]).copy()
    if len(bits) > 1:
        bits[1:] ^= bits[:-1].copy()
    width = bits.dtype.itemsize
    return bits.view(np.uint8).reshape(len(bits), width).T.tobytes()


def _unpack(raw: bytes, code: str, n: int) -> FloatArray:
    width = _DTYPES[code].itemsize
    shuffled = np.frombuffer(raw, dtype=np.uint8).reshape(width, n)
    bits = np.ascontiguousarray(shuffled.T).view(_UINT[code]).reshape(n)
    restored = np.bitwise_xor.accumulate(bits) if n else bits
    return restored.view(_DTYPES[code]).astype(np.float64)


def encode_streams(streams: Streams, *, level: int = 6) -> bytes:
    """Encode streams into a compact blob (see the module docstring for the layout).

    Parameters
    ----------
    streams
        The per-sample channels to store.
    level
        zlib compression level (0-9).

    Returns
    -------
    bytes
        Header followed by the zlib-compressed body.
    """
    n = streams.n_samples
    names = list(streams)
    header = [_HEAD.pack(_MAGIC, CODEC_VERSION, n, len(names))]
    body: list[bytes] = []
    for name in names:
        values = streams[name]
        code = channel_dtype(name, values)
        encoded = name.encode()
        header.append(struct.pack("<B", len(encoded)) + encoded + code.encode())
        body.append(_pack(values, code))
    return b"".join(header) + zlib.compress(b"".join(body), level)


def decode_streams(blob: bytes) -> Streams:
    """Decode a blob written by :func:`encode_streams`.

    Raises
    ------
    CodecError
        When the blob is not a stream blob, is truncated, or was written by a newer codec.
    """
    if len(blob) < _HEAD.size:
        raise CodecError("stream blob is truncated")
    magic, version, n, k = _HEAD.unpack_from(blob)
    if magic != _MAGIC:
        raise CodecError("not a backstride stream blob")
    if version != CODEC_VERSION:
        raise CodecError(f"stream codec version {version} is not supported")
    pos = _HEAD.size
    layout: list[tuple[str, str]] = []
    try:
        for _ in range(k):
            length = blob[pos]
            name = blob[pos + 1 : pos + 1 + length].decode()
            code = chr(blob[pos + 1 + length])
            pos += length + 2
            if name not in CHANNELS or code not in _DTYPES:
                raise CodecError(f"unknown channel {name!r} or dtype {code!r} in stream blob")
            layout.append((name, code))
        body = zlib.decompress(blob[pos:])
    except (IndexError, UnicodeDecodeError, zlib.error) as exc:
        raise CodecError(f"stream blob is damaged: {exc}") from exc
    expected = sum(_DTYPES[code].itemsize * n for _, code in layout)
    if len(body) != expected:
        raise CodecError(f"stream blob body has {len(body)} bytes, expected {expected}")
    channels: dict[str, FloatArray] = {}
    offset = 0
    for name, code in layout:
        size = _DTYPES[code].itemsize * n
        channels[name] = _unpack(body[offset : offset + size], code, n)
        offset += size
    try:
        return Streams(channels)
    except ValueError as exc:
        raise CodecError(f"stream blob holds invalid streams: {exc}") from exc
