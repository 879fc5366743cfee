"""Every spelling of a secret: one regular expression that matches it however it was escaped.

A server may repeat a credential URL-encoded (a redirect's ``Location``), JSON-escaped (a body),
HTML-escaped (an error page) or base64-encoded (a Basic header), and an HTTP library may quote it
in an error message as a Python ``bytes`` literal (``b'key\\n'``). Each character of the secret
may therefore be spelled raw or by any of those escapes, nested a few times (``%2541``,
``\\\\u0041``); base64 has no per-character form, so its encodings at the three byte alignments
are matched as they are.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable

_HTML_NAMED = {"&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos"}
_SHORT_ESCAPES = {"\n": "n", "\r": "r", "\t": "t", "\b": "b", "\f": "f", "/": "/"}
_BASE64_CORE = 8
"""Shortest base64 run matched inside a longer encoding (6 bytes): shorter runs are noise."""


def patterns(secret: str) -> tuple[str, str]:
    """Two regex sources that together match ``secret`` in any of its spellings: its characters
    escaped or not, and its base64 encodings.

    NOTE: two, so that every alternative of each starts with a literal character: ``re`` then
    skips to the places where one of those characters occurs instead of trying every position
    (``_get_charset_prefix`` in ``re/_compiler.py``), several times faster on long bodies.
    """
    escaped = "".join(_character(c) for c in secret)
    return escaped, "|".join(re.escape(form) for form in _base64_forms(secret))


def _character(char: str) -> str:
    """``char`` raw, percent-encoded (also twice: ``%25XX``), ``+`` for a space, behind a run
    of backslashes (JSON, Python and shell escapes), as ``\\xNN``/``\\uNNNN`` and HTML entities."""
    code = ord(char)
    raw = char.encode("utf-8", "surrogatepass")
    # One or more backslashes, the first a literal (see ``patterns``); bounded, as an unbounded
    # run would make a long run of backslashes in a body quadratic.
    slash = r"\\\\{0,15}"
    options = [re.escape(char)]
    options.append("".join(f"%(?:25){{0,3}}{_hex(byte, 2)}" for byte in raw))
    if char == " ":
        options.append(r"\+")
    if char in "\"'\\":
        options.append(slash + re.escape(char))
    if char in _SHORT_ESCAPES:
        options.append(slash + re.escape(_SHORT_ESCAPES[char]))
    options.append("".join(f"{slash}x{_hex(byte, 2)}" for byte in raw))
    if code <= 0xFF:
        options.append(f"{slash}x{_hex(code, 2)}")
    options.append(f"{slash}[uU]0{{0,8}}{_hex(code, 0)}")
    if code > 0xFFFF:
        high, low = _surrogates(code)
        options.append(f"{slash}u{_hex(high, 4)}{slash}u{_hex(low, 4)}")
    if char in _HTML_NAMED:
        options.append(f"&{_HTML_NAMED[char]};")
    options.append(f"&#0{{0,8}}{code};")
    options.append(f"&#[xX]0{{0,8}}{_hex(code, 0)};")
    return "(?:" + "|".join(options) + ")"


def _hex(value: int, width: int) -> str:
    """``value`` in hexadecimal, either case: ``0x1e`` -> ``1[eE]``."""
    digits = f"{value:0{width}x}"
    return "".join(f"[{d}{d.upper()}]" if d.isalpha() else d for d in digits)


def _surrogates(code: int) -> tuple[int, int]:
    offset = code - 0x10000
    return 0xD800 + (offset >> 10), 0xDC00 + (offset & 0x3FF)


def _base64_forms(secret: str) -> Iterable[str]:
    """The secret base64-encoded on its own, and the part of its encoding that does not depend
    on what surrounds it when it sits 0, 1 or 2 bytes into a longer encoded text."""
    raw = secret.encode("utf-8", "surrogatepass")
    exact = base64.b64encode(raw).decode()
    forms = {exact, exact.rstrip("=")}
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw).decode()
        first = 1 if offset else 0  # the group holding prefix bytes
        last = (offset + len(raw)) // 3  # groups wholly inside the secret end here
        core = encoded[4 * first : 4 * last]
        if len(core) >= _BASE64_CORE:
            forms.add(core)
    return sorted({f for form in forms for f in (form, _urlsafe(form))}, key=len, reverse=True)


def _urlsafe(form: str) -> str:
    return form.replace("+", "-").replace("/", "_")
