"""Text that is safe to show, and small host checks, shared by the CLI, the HTTP client and the server."""

from __future__ import annotations

import ipaddress
import re

# Characters a terminal acts on instead of showing: C0 controls (tab and newline are handled
# apart), DEL, C1 controls, and the bidirectional overrides that reorder what is shown.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, *, keep_newlines: bool = False) -> str:
    r"""`text` with every terminal control character spelled out, so curated text or a file
    name can never move the cursor, recolour the terminal or hide what follows.

    >>> terminal_safe("bad\x1b[2Jname\n")
    'bad\\x1b[2Jname\\n'
    >>> terminal_safe("two\nlines", keep_newlines=True)
    'two\nlines'
    """
    text = _TERMINAL_CONTROL.sub(_escape_char, text)
    return text if keep_newlines else text.replace("\n", "\\n")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and 'localhost'.

    >>> is_loopback("127.0.0.2"), is_loopback("[::1]"), is_loopback("example.org")
    (True, True, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
