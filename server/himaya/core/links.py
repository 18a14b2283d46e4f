"""Links and emoji in a text: the signals that are not words.

Links are found in the original text (paths are case-sensitive: invite codes),
parsed safely (IDNA, userinfo, ports, IPv6, 10 000-character junk) and reduced
to the real host, so `t.me.evil.example` is never taken for `t.me`::

    >>> [(l.host, l.path) for l in find_links("rejoins t.me/+AbCd12 vite")]
    [('t.me', '/+AbCd12')]

The registrable domain comes from tldextract's bundled snapshot of the Public
Suffix List: constructed offline, it never fetches anything.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from urllib.parse import urlsplit

import re2

MAX_URL = 2048  # longer "links" are junk or attacks; only their start is parsed

# Host labels: letters (any script, for IDN), digits, hyphens; a dot-separated
# name ending in a 2-24 letter TLD, or xn-- punycode. Optional scheme, userinfo,
# port and path. Zero-width characters inside a link are tolerated and dropped.
# RE2, not Python's re: `t.t.t.t...` makes a backtracking engine take minutes.
# No counted repeats: RE2 needs no bounds, and counts of Unicode classes bloat
# its program past the DFA's memory (lengths are checked after parsing).
_ZW = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_LINK_RE = re2.compile(
    r"(?i)(?:(?:https?|ftp)://)?(?:[^\s/@]+@)?"
    # labels: anything but spaces and URL or sentence punctuation (a negated class
    # keeps RE2's program small: classes of every Unicode letter overflow its DFA)
    r"(?:[^\s.,;:!?/\\@#<>\"'()\[\]{}\x{ab}\x{bb}\x{60c}\x{61b}]+\.)+"
    r"(?:[a-z][a-z]+|xn--[a-z0-9-]+|[\x{621}-\x{64a}][\x{621}-\x{64a}]+)"
    r"(?::\d+)?(?:/[^\s<>\"'\x{ab}\x{bb}]*)?"
)
_TRAILING = ".,;:!?)]}»'\"…،؛"
_EXTRACT = None  # made on first use: importing tldextract costs a cold `himaya scan` 0.1 s


@dataclass(frozen=True)
class Link:
    host: str  # lowercase, IDNA-decoded to Unicode then encoded back as ASCII, no www.
    path: str  # as written (case kept), without query or fragment
    registrable: str  # e.g. whatsapp.com for chat.whatsapp.com
    start: int
    end: int

    @property
    def sha256(self) -> str:
        """Indicator hash of host+path (trailing slash dropped), as `url_sha256` terms store it."""
        return link_hash(self.host, self.path)


def link_hash(host: str, path: str) -> str:
    return hashlib.sha256((host + path.rstrip("/")).encode("utf-8")).hexdigest()


@lru_cache(maxsize=4096)
def _registrable(host: str) -> str:
    global _EXTRACT
    if _EXTRACT is None:
        import tldextract

        _EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    ext = _EXTRACT(host)
    return f"{ext.domain}.{ext.suffix}" if ext.suffix else host


def parse_host(netloc_host: str) -> str | None:
    """Lowercase ASCII host without `www.`; None when it is not a plausible host."""
    host = unicodedata.normalize("NFKC", netloc_host).strip(".").lower()
    if not host or len(host) > 253:
        return None
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        try:
            host = "".join(ch if ord(ch) < 128 else "-" for ch in host)
        except Exception:  # pragma: no cover - defensive
            return None
    return host.removeprefix("www.")


def parse_link(raw: str, start: int = 0, end: int | None = None) -> Link | None:
    """Parse one link (with or without scheme); None if it is not a web link."""
    raw = raw[:MAX_URL]
    for z in _ZW:
        raw = raw.replace(z, "")
    text = raw if "://" in raw[:10] else "http://" + raw
    try:
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https", "ftp"):
            return None
        host = parts.hostname
    except ValueError:
        return None
    if not host or ("." not in host and ":" not in host):
        return None
    host = parse_host(host)
    if host is None:
        return None
    return Link(host, parts.path or "", _registrable(host), start, start + len(raw) if end is None else end)


# A link has a dot right before its top-level domain's first letter (RE2's `(?i)`
# folds the Kelvin sign and the long s to k and s), and no whitespace as RE2's
# `\s` reads it (these five characters): so only the runs of other characters
# around such a dot are searched, not a whole page (0.36 -> ~0.1 ms on 50 KB).
DOT_LETTER = re.compile("\\.[a-zA-Z\u017f\u212a\u0621-\u064a]")
_RE2_SPACES = " \t\n\f\r"
_RUN_END = re.compile(f"[^{_RE2_SPACES}]*")


def find_links(text: str) -> list[Link]:
    """Every link and bare domain in `text`, with its span in `text`."""
    out = []
    done = 0  # where the last run searched ends
    for dot in DOT_LETTER.finditer(text):
        i = dot.start()
        if i < done:
            continue
        # (the previous run ended on a space, at `done`: the search from there finds one)
        start = max(map(text.rfind, _RE2_SPACES, repeat(done), repeat(i))) + 1
        done = _RUN_END.match(text, i).end()
        for m in _LINK_RE.finditer(text[start:done]):
            s, e = m.span()
            raw = m.group(0)
            while raw and raw[-1] in _TRAILING:
                raw, e = raw[:-1], e - 1
            if "." not in raw:
                continue
            link = parse_link(raw, start + s, start + e)
            if link is not None:
                out.append(link)
    return out


def host_matches(host: str, registrable: str, domain: str) -> bool:
    """A rule domain matches the host itself or any subdomain of it, never a look-alike."""
    return host == domain or host.endswith("." + domain) or registrable == domain


# Emoji: symbols and pictographs; skin tones, variation selectors and ZWJ are folded away.
_EMOJI_FOLD = {0xFE0F: None, 0xFE0E: None, 0x200D: None, **{cp: None for cp in range(0x1F3FB, 0x1F400)}}


_EMOJI_RE = re.compile(
    "[\U0001F000-\U0001F3FA\U0001F400-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF"
    "\u2300-\u23FF\u00A9\u00AE\u203C\u2049\u2122\u3030\u303D]"
)


def fold_emoji(value: str) -> str:
    """`❤️` and `❤`, `👍🏽` and `👍` are the same code."""
    return value.translate(_EMOJI_FOLD)


def find_emoji(text: str) -> list[tuple[str, int]]:
    """(emoji, offset) for every emoji code point in text, modifiers folded."""
    return [(m.group(0), m.start()) for m in _EMOJI_RE.finditer(text)]
