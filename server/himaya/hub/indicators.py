"""Indicators: what in a report can tie one page to another.

Pure functions over an evidence record (no database)::

    >>> found = extract({"page": {"url": "https://m.facebook.com/fraise.sousse.000/"},
    ...                  "units": [{"kind": "post", "text": "🍓=nouvelles, code fraise25, snap: kamel.000, "
    ...                                                   "t.me/+Ab000Cd, 22 000 123, Sousse"}]})
    >>> sorted((i.kind, i.value) for i in found)            # doctest: +NORMALIZE_WHITESPACE
    [('code', 'fraise25'), ('emoji', '🍓'), ('handle', 'kamel.000'), ('invite', 'telegram:+Ab000Cd'),
     ('legend', '🍓=nouvelles'), ('page', 'facebook:name:fraisesousse000'), ('phone', '+21622000123'),
     ('place', 'sousse'), ('site', 'facebook.com')]
    >>> sorted(i.kind for i in found if i.common)
    ['emoji', 'place', 'site']

Kinds (``COMMON_KINDS`` never join pages alone: a platform's own domain, a bare emoji,
a city or neighbourhood name):

| kind | value |
|---|---|
| page | a page or profile, canonical per platform: ``facebook:id:1000…`` or ``facebook:name:<vanity without dots>``, ``instagram:<handle>``, ``tiktok:<handle>``, ``x:<handle>``, ``telegram:<channel>`` |
| invite | a closed-space link: ``telegram:+CODE``, ``whatsapp:CODE``, ``discord:CODE``, ``snapchat:<user>`` (add link) |
| phone | a Tunisian number, ``+216`` and 8 digits |
| handle | an @handle or ``snap: x`` / ``insta: x`` / ``tg: x`` in the text, or a message's author |
| code | the code a page hands out (``code fraise25``, ``الكود 77``) |
| legend | an emoji legend, ``🍓=nouvelles`` |
| emoji | a coded emoji from the rules' ``emoji-codes`` lexicon (common) |
| place | a neighbourhood or city from ``rules/lexicons/places-tn.yaml`` (common) |
| title | the reported page's own name (its title, normalized); joins only a page that names it |
| sister | a page named in the text as a sister or backup ("suivez aussi Zone Ennasr 2", "تابعو صفحة ...") |
| site | the registrable domain of the reported page (common) |

A page mentioned in a report about another page (a sister or backup page) is an indicator of
kind ``page`` of that report; it joins the two pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from himaya.core.links import find_emoji, find_links, fold_emoji, parse_link
from himaya.core.normalize import normalize, normalize_token

COMMON_KINDS = frozenset({"site", "emoji", "place"})
# A handle or code that is a word everyone writes never joins pages.
STOP_HANDLES = frozenset({"admin", "admins", "page", "dm", "mp", "inbox", "privé", "prive", "snap", "snapchat",
                          "insta", "instagram", "tiktok", "telegram", "whatsapp", "facebook", "gmail.com",
                          "everyone", "here", "me", "moi"})
STOP_CODES = frozenset({"promo", "promos", "postal", "de", "du", "la", "source", "pin", "wifi", "route", "secret",
                        "fel", "dans", "in", "est", "is", "story", "bio", "emoji", "code", "codes", "prive"})
FACEBOOK_HOSTS = ("facebook.com", "fb.com", "fb.me")
FACEBOOK_RESERVED = frozenset({"watch", "events", "marketplace", "gaming", "login", "login.php", "home.php",
                               "messages", "notifications", "search", "hashtag", "photo", "photo.php", "photos",
                               "story.php", "permalink.php", "share", "sharer", "sharer.php", "reel", "reels",
                               "stories", "help", "policies", "settings", "friends", "bookmarks", "dialog", "plugins",
                               "l.php", "media", "video.php", "videos"})
SOCIAL_RESERVED = frozenset({"p", "reel", "reels", "stories", "explore", "accounts", "direct", "tv", "tags",
                             "i", "home", "search", "hashtag", "intent", "share", "settings", "messages",
                             "notifications", "login", "signup", "about", "legal", "privacy", "tag", "discover",
                             "foryou", "following", "live", "music", "compose"})
_HANDLE = r"[A-Za-z0-9_](?:[A-Za-z0-9_.]{1,28}[A-Za-z0-9_])"
_AT_HANDLE = re.compile(r"(?<![\w@./])@(" + _HANDLE + r")")
_PREFIXED = re.compile(r"(?i)\b(?:snap(?:chat)?|sc|insta(?:gram)?|ig|tiktok|tg|telegram|fb|wasit|admin)\s*[:：=]\s*@?("
                       + _HANDLE + r")")
_PHONE = re.compile(r"(?<![\d+])(?:(?:\+|00)\s?216[\s.\-]*)?([2345789]\d(?:[\s.\-]?\d){6})(?![\d])")
_CODE = re.compile(r"(?i)(?:\bc[o0]de|\bk[o0]d|الكود|كود|الرمز)\s*(?:[:=#\-–>]+\s*)?"
                   r"(?:(?:c['’]\s?est|c est|est|is|howa|هو)\s*[:=]?\s+)?([^\W_][\w\-]{1,23})")
_LEGEND_SEP = r"\s*(?:=|:|->|=>|→|➡️?|⬅️?)\s*"
# "follow our other page Zone Ennasr 2", "page de secours : « Zone Ennasr »", "تابعو صفحة ..."
_SISTER = re.compile(
    r"(?i)(?:suivez(?:[- ]nous)? aussi(?: la page)?|suivez notre (?:autre |nouvelle )?page|notre (?:autre|nouvelle) page"
    r"|nouvelle page|page de secours|page backup|backup page|follow (?:also|our (?:other|new|backup) page)"
    r"|our (?:new|other|backup) page|tab3ou (?:zada )?(?:el )?page|page jdida|el page el jdida"
    r"|تابعو(?:ا)? (?:صفحة|صفحتنا)|صفحتنا (?:الجديدة|الاحتياطية|الثانية)|الصفحة الجديدة)"
    r"\s*[:：\-–]?\s*[\"«“']?([^\n\".,;!?»”@#()]{3,60})")
_NAME_STOP = frozenset({"pour", "car", "et", "ou", "and", "for", "because", "w", "wala", "و", "ou", "l", "la", "sur",
                        "on", "fi", "في", "على", "ce", "cette", "avec", "with", "dm", "mp", "inbox"})
_TITLE_TAIL = re.compile(r"\s+(?:[|•·–-]|\(@)\s*.*$")
_GENERIC_TITLES = frozenset({"facebook", "instagram", "tiktok", "messenger", "telegram", "whatsapp", "accueil",
                             "home", "messages", "page", "groupe", "group", "profil", "profile", "photos",
                             "videos", "reels", "x", "twitter"})
_EASTERN = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


@dataclass(frozen=True)
class Indicator:
    kind: str
    value: str
    display: str

    @property
    def common(self) -> bool:
        return self.kind in COMMON_KINDS


# -- pages and links -----------------------------------------------------------

def page_key(url: str) -> tuple[str, str, str] | None:
    """(key, platform, display) of a page or profile address, or None (a post, a search page...).

    >>> page_key("https://www.facebook.com/profile.php?id=100000777000")[0]
    'facebook:id:100000777000'
    >>> page_key("https://web.facebook.com/Fraise.Sousse.000/posts/12")[0]
    'facebook:name:fraisesousse000'
    >>> page_key("https://www.tiktok.com/@lina.000/video/7")[0], page_key("https://x.com/home")
    ('tiktok:lina.000', None)
    """
    link = parse_link(url or "")
    if link is None:
        return None
    host, reg = link.host, link.registrable
    parts = [p for p in link.path.split("/") if p]
    if reg in FACEBOOK_HOSTS:
        query = parse_qs(urlsplit(url if "://" in url[:10] else "https://" + url).query)
        if parts[:1] == ["profile.php"] and query.get("id", [""])[0].isdigit():
            return f"facebook:id:{query['id'][0]}", "facebook", f"facebook.com/profile.php?id={query['id'][0]}"
        if parts[:1] in (["groups"], ["pages"]) and len(parts) >= 2:
            name = parts[-1] if parts[0] == "pages" and parts[-1].isdigit() else parts[1]
            if name.isdigit():
                return f"facebook:id:{name}", "facebook", f"facebook.com/{parts[0]}/{name}"
            return f"facebook:name:{name.lower().replace('.', '')}", "facebook", f"facebook.com/{parts[0]}/{name}"
        if parts and parts[0].lower() not in FACEBOOK_RESERVED and not parts[0].endswith(".php"):
            name = parts[0]
            if name.isdigit():
                return f"facebook:id:{name}", "facebook", f"facebook.com/{name}"
            # Facebook ignores case and dots in vanity names.
            return f"facebook:name:{name.lower().replace('.', '')}", "facebook", f"facebook.com/{name}"
        return None
    platform = {"instagram.com": "instagram", "tiktok.com": "tiktok", "x.com": "x", "twitter.com": "x"}.get(reg)
    if platform and parts:
        first = parts[0]
        if platform == "tiktok":
            if not first.startswith("@"):
                return None
            first = first[1:]
        elif platform == "instagram" and first == "stories" and len(parts) >= 2:
            first = parts[1]
        if first.lower() in SOCIAL_RESERVED or not re.fullmatch(r"[A-Za-z0-9_.]{2,30}", first):
            return None
        return f"{platform}:{first.lower()}", platform, f"{reg}/{'@' if platform == 'tiktok' else ''}{first}"
    if host in ("t.me", "telegram.me") and parts and not parts[0].startswith("+") and parts[0] != "joinchat":
        name = parts[0].lower()
        if name in ("s", "c", "share", "addstickers", "proxy", "iv"):
            return (f"telegram:{parts[1].lower()}", "telegram", f"t.me/{parts[1]}") if len(parts) > 1 and parts[0] == "s" else None
        return f"telegram:{name}", "telegram", f"t.me/{parts[0]}"
    return None


def invite_key(host: str, path: str) -> str | None:
    """A closed-space invite or add link, canonical: ``telegram:+CODE``, ``whatsapp:CODE``..."""
    parts = [p for p in path.split("/") if p]
    if host in ("t.me", "telegram.me") and parts:
        if parts[0].startswith("+") and len(parts[0]) > 3:
            return f"telegram:{parts[0]}"
        if parts[0] == "joinchat" and len(parts) > 1:
            return f"telegram:+{parts[1]}"
    if host == "chat.whatsapp.com" and parts:
        return f"whatsapp:{parts[0]}"
    if host in ("discord.gg",) and parts:
        return f"discord:{parts[0]}"
    if host in ("discord.com", "discordapp.com") and len(parts) > 1 and parts[0] == "invite":
        return f"discord:{parts[1]}"
    if host in ("snapchat.com",) and len(parts) > 1 and parts[0] == "add":
        return f"snapchat:{parts[1].lower()}"
    if host == "wa.me" and parts and parts[0].isdigit():
        return None  # a number: read as a phone below
    return None


# -- the gazetteer ---------------------------------------------------------------

@lru_cache(maxsize=4)
def gazetteer(path: str | None = None) -> dict[tuple[str, ...], str]:
    """Token tuples of every place in places-tn.yaml -> its first spelling (the canonical name)."""
    import yaml

    if path is None:
        from himaya.core.scanner import default_rules_path

        path = str(default_rules_path() / "lexicons" / "places-tn.yaml")
    data = yaml.safe_load(Path(path).read_text("utf-8"))
    places: dict[tuple[str, ...], str] = {}
    for values in (data.get("values") or {}).values():
        for value in values or ():
            tokens = tuple(t for t in normalize(str(value)).tokens if t)
            if tokens and tokens not in places:
                places[tokens] = " ".join(tokens)
                if len(tokens) == 1 and _strip_article(tokens[0]) != tokens[0]:
                    places.setdefault((_strip_article(tokens[0]),), " ".join(tokens))
    return places


def find_places(text: str, places: dict | None = None) -> list[str]:
    places = gazetteer() if places is None else places
    tokens = normalize(text).tokens
    longest = max((len(k) for k in places), default=0)
    found, i = [], 0
    while i < len(tokens):
        for size in range(min(longest, len(tokens) - i), 0, -1):
            key = tuple(tokens[i:i + size])
            name = places.get(key)
            if name is None and size == 1 and len(key[0]) > 3:
                name = places.get((_strip_article(key[0]),))
            if name is not None:
                found.append(name)
                i += size
                break
        else:
            i += 1
    return found


def _strip_article(token: str) -> str:
    for prefix in ("وال", "بال", "فال", "لل", "ال", "و", "ب"):
        if token.startswith(prefix) and len(token) - len(prefix) >= 3:
            return token[len(prefix):]
    return token


# -- extraction --------------------------------------------------------------------

def extract(record: dict, places: dict | None = None) -> list[Indicator]:
    """Every indicator of one evidence record (deduplicated, in a stable order)."""
    out: dict[tuple[str, str], Indicator] = {}

    def add(kind: str, value: str, display: str | None = None):
        value = value.strip()
        if value and len(value) <= 300:
            out.setdefault((kind, value), Indicator(kind, value, (display or value)[:300]))

    page = record.get("page") or {}
    url = page.get("url") or ""
    title = page_name(page.get("title") or "")
    if title:
        add("title", title, page.get("title"))
    link = parse_link(url)
    if link is not None:
        add("site", link.registrable)
        key = page_key(url)
        if key:
            add("page", key[0], key[2])
    for unit in record.get("units") or []:
        text = (unit.get("text") or "").translate(_EASTERN)
        _links(text + " " + (unit.get("url") or ""), add, own=page_key(url))
        _handles(text, add)  # before links go: "@wasit.zone" also reads as an address
        text = _without_links(text)  # an address's own words are no code, number or place
        author = (unit.get("author") or "").strip().lstrip("@")
        if re.fullmatch(_HANDLE, author) and author.lower() not in STOP_HANDLES:
            add("handle", author.lower(), "@" + author)
        _phones(text, add)
        _codes(text, add)
        for m in _SISTER.finditer(text):
            name = page_name(m.group(1), stop=True)
            if name:
                add("sister", name, m.group(0).strip())
        _emoji(text, add)
        for name in find_places(text, places):
            add("place", name)
    return list(out.values())


def page_name(text: str, stop: bool = False) -> str | None:
    """A page's name as its title shows it or a sister page's post names it, normalized; None when
    too short or generic to tell pages apart (2 to 8 words, not only platform words).

    >>> page_name("Zone Ennasr 2 | Facebook"), page_name("Facebook"), page_name("zone ennasr 2 pour les jdod", stop=True)
    ('zone ennasr 2', None, 'zone ennasr 2')
    """
    text = _TITLE_TAIL.sub("", text.strip()) if not stop else text
    tokens = [t for t in normalize(text).tokens if t]
    if stop:
        for i, token in enumerate(tokens):
            if token in _NAME_STOP:
                tokens = tokens[:i]
                break
        tokens = tokens[:6]
    if not 2 <= len(tokens) <= 8 or all(t in _GENERIC_TITLES or t.isdigit() for t in tokens):
        return None
    return " ".join(tokens)


def _without_links(text: str) -> str:
    for link in sorted(find_links(text), key=lambda l: -l.start):
        text = text[:link.start] + " " + text[link.end:]
    return text


def _links(text: str, add, own) -> None:
    for link in find_links(text):
        invite = invite_key(link.host, link.path)
        if invite:
            add("invite", invite, f"{link.host}{link.path}")
            continue
        if link.host == "wa.me":
            digits = re.sub(r"\D", "", link.path)
            if digits.startswith("216") and len(digits) == 11:
                add("phone", "+" + digits)
            continue
        key = page_key(f"https://{link.host}{link.path}")
        if key and (own is None or key[0] != own[0]):
            add("page", key[0], key[2])  # a sister or backup page named in the text


def _handles(text: str, add) -> None:
    for pattern in (_AT_HANDLE, _PREFIXED):
        for m in pattern.finditer(text):
            handle = m.group(1).rstrip(".").lower()
            if handle not in STOP_HANDLES and not handle.isdigit() and len(handle) >= 3:
                add("handle", handle, "@" + m.group(1).rstrip("."))


def _phones(text: str, add) -> None:
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if len(digits) == 8:
            add("phone", "+216" + digits)


def _codes(text: str, add) -> None:
    for m in _CODE.finditer(text):
        code = normalize_token(m.group(1)).strip("-")
        if len(code) >= 2 and code not in STOP_CODES and (any(c.isdigit() for c in code) or len(code) >= 4):
            add("code", code, m.group(0).strip())


def _emoji(text: str, add) -> None:
    codes = _emoji_codes()
    for emoji, offset in find_emoji(text):
        folded = fold_emoji(emoji)
        if folded in codes:
            add("emoji", folded)
    # legends: "🍓=nouvelles", "🍓 : 16 ans", "nouvelles = 🍓"
    for m in re.finditer(r"([\U0001F000-\U0001FAFF\u2600-\u27BF]+)" + _LEGEND_SEP + r"([^\W\d_][\w'-]{1,23}|\d{1,3})",
                         text):
        add("legend", f"{fold_emoji(m.group(1))}={normalize_token(m.group(2))}", m.group(0))
    for m in re.finditer(r"([^\W\d_][\w'-]{1,23})" + _LEGEND_SEP + r"([\U0001F000-\U0001FAFF\u2600-\u27BF]+)", text):
        add("legend", f"{fold_emoji(m.group(2))}={normalize_token(m.group(1))}", m.group(0))


@lru_cache(maxsize=1)
def _emoji_codes() -> frozenset:
    import yaml

    from himaya.core.scanner import default_rules_path

    try:
        data = yaml.safe_load((default_rules_path() / "lexicons" / "emoji-codes.yaml").read_text("utf-8"))
    except OSError:
        return frozenset()
    return frozenset(fold_emoji(str(v)) for values in (data.get("values") or {}).values() for v in values or ())
