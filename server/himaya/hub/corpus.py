"""Staff decisions as a labelled corpus (the schema of the project's corpora: JSON Lines with
``id, kind, lang, text, url, label, category, obfuscation, note``), names and handles redacted.

Confirmed and escalated reports are ``risk``; reports dismissed as a false alarm or as not
enough are ``benign`` (``benign-hard-negative``: a rule had warned on them); duplicates are left
out. This is the only way Himaya is measured on what families really see::

    count = export(db, Path("hub-corpus.jsonl"))
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlalchemy as sa

from himaya.core.links import find_emoji, find_links
from himaya.hub.indicators import _AT_HANDLE, _PHONE, _PREFIXED

LANGS = {"fr": "fr", "ar": "ar", "en": "en", "aeb-Latn": "derja-latn", "mixed": "mixed", "other": "mixed"}
_ZW = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_LEET = re.compile(r"\b[a-z]+[0-9@$]+[a-z]+\b", re.I)
_STRETCH = re.compile(r"([^\W\d_])\1\1")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_LATIN = re.compile(r"[A-Za-z]")


def redact(text: str, names=()) -> str:
    """Links, handles, phone numbers and the given names become placeholders.

    >>> redact("ajoute @kamel.000 ou snap: lina.000, 22 000 123, t.me/+Ab000Cd", ["Sami B."])
    'ajoute [handle] ou snap: [handle], [phone], [link]'
    """
    out = _PREFIXED.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)].rstrip("@") + "[handle]", text)
    out = _AT_HANDLE.sub("[handle]", out)  # before links: "@wasit.zone" also reads as an address
    for link in sorted(find_links(out), key=lambda l: -l.start):
        out = out[:link.start] + "[link]" + out[link.end:]
    out = _PHONE.sub("[phone]", out)
    for name in sorted({n for n in names if n and len(n) >= 3}, key=len, reverse=True):
        out = out.replace(name, "[name]")
    return out


def obfuscation(text: str, lang: str) -> list[str]:
    tags = []
    if _LEET.search(text):
        tags.append("leet")
    if _ZW.search(text):
        tags.append("zero-width")
    if _STRETCH.search(text):
        tags.append("elongation")
    if find_emoji(text):
        tags.append("emoji-code")
    if find_links(text):
        tags.append("link")
    if lang == "aeb-Latn":
        tags.append("arabizi")
    if _ARABIC.search(text) and _LATIN.search(text):
        tags.append("mixed-script")
    return tags


def items(db):
    reports = db.t["reports"]
    query = (sa.select(reports.c.id, reports.c.status, reports.c.dismiss_reason, reports.c.record,
                       reports.c.categories, reports.c.lang)
             .where(reports.c.status.in_(["confirmed", "escalated", "dismissed"])).order_by(reports.c.id))
    with db.read() as conn:
        rows = conn.execute(query).all()
    for row in rows:
        if row.status == "dismissed" and row.dismiss_reason not in ("false_alarm", "not_enough"):
            continue  # duplicates would count twice
        record = json.loads(row.record)
        units = record.get("units") or []
        names = [u.get("author") or "" for u in units] + [record.get("page", {}).get("title") or ""]
        risk = row.status != "dismissed"
        categories = [c for c in row.categories.split(",") if c]
        item = {"id": f"H-{row.id}", "lang": LANGS.get(row.lang, "mixed"), "label": "risk" if risk else "benign",
                "category": (categories[0] if categories else "network-page") if risk else
                            ("benign-hard-negative" if categories else "benign")}
        messages = [u for u in units if u.get("kind") == "message"]
        if len(units) > 1 and len(messages) == len(units):
            speakers = {}
            item["kind"], item["text"] = "thread", ""
            item["messages"] = [{"from": "ab"[min(1, speakers.setdefault(u.get("author") or "?", len(speakers)))],
                                 "text": redact(u["text"], names)} for u in units]
            raw = " ".join(u["text"] for u in units)
        else:
            kind = units[0].get("kind") if units else "post"
            item["kind"] = kind if kind in ("message", "profile", "post") else "post"
            item["text"] = "\n".join(redact(u["text"], names) for u in units)
            raw = " ".join(u["text"] for u in units)
        host = (find_links(record.get("page", {}).get("url") or "") or [None])[0]
        item["url"] = f"https://{host.host}/[page]" if host else ""
        item["obfuscation"] = obfuscation(raw, row.lang)
        reason = f", {row.dismiss_reason.replace('_', ' ')}" if row.dismiss_reason else ""
        item["note"] = (f"NGO hub report {row.id}: {row.status}{reason}; matched: {', '.join(categories) or 'none'}; "
                        "names, handles, links and numbers redacted")
        yield item


def export(db, path: Path, actor: str = "cli") -> int:
    from himaya.files import write_atomic
    from himaya.hub import audit

    lines = [json.dumps(item, ensure_ascii=False) for item in items(db)]
    write_atomic(Path(path), ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"), mode=0o600)
    audit.record(db, actor, "corpus.exported", target=str(path)[:200], detail={"items": len(lines)})
    return len(lines)
