"""The folder a hotline receives: the record, each capture, SHA256SUMS, a readable page.

``record.json`` is the stored record byte for byte, so its SHA-256 is the
report's; ``SHA256SUMS`` checks with ``sha256sum -c SHA256SUMS``; ``index.html``
explains it all in French, Arabic and English::

    files = export_files(store.get_report(rid), store.captures(rid))
    write_folder(files, Path("himaya-R20250101-1a2b3c4d"))
"""

from __future__ import annotations

import html
import zipfile
from pathlib import Path

from himaya.core.evidence import canonical, sha256_hex

LABELS = {
    "en": {
        "title": "Himaya report", "intro": "Evidence captured on a family computer when a person pressed "
        "\"Report\". Every file in this folder is listed with its SHA-256 in SHA256SUMS; record.json is the "
        "signed-by-hash record itself.",
        "id": "Report id", "created": "Recorded (UTC, companion clock)", "page": "Page address",
        "page_title": "Page title", "sha": "SHA-256 of record.json", "prev": "SHA-256 of the previous record",
        "rules": "Rules version", "units": "Captured content", "matches": "Matched rules",
        "screenshot": "Screenshot", "note": "Note from the person who reported",
        "verify": "To check the files: run `sha256sum -c SHA256SUMS` in this folder.",
        "none": "none", "author": "Author", "time": "Time shown on the page", "unknown": "not shown",
        "kinds": {"message": "Message", "profile": "Profile", "post": "Post", "url": "Link"},
        "severities": {"low": "low", "medium": "medium", "high": "high", "critical": "critical"}},
    "fr": {
        "title": "Signalement Himaya", "intro": "Preuves saisies sur un ordinateur familial quand une personne "
        "a appuyé sur « Signaler ». Chaque fichier de ce dossier figure avec son SHA-256 dans SHA256SUMS ; "
        "record.json est l'enregistrement lui-même.",
        "id": "Identifiant du signalement", "created": "Enregistré (UTC, horloge du compagnon)",
        "page": "Adresse de la page", "page_title": "Titre de la page", "sha": "SHA-256 de record.json",
        "prev": "SHA-256 de l'enregistrement précédent", "rules": "Version des règles",
        "units": "Contenu saisi", "matches": "Règles reconnues", "screenshot": "Capture d'écran",
        "note": "Note de la personne qui signale",
        "verify": "Pour vérifier les fichiers : lancer `sha256sum -c SHA256SUMS` dans ce dossier.",
        "none": "aucune", "author": "Auteur", "time": "Heure affichée sur la page", "unknown": "non affiché",
        "kinds": {"message": "Message", "profile": "Profil", "post": "Publication", "url": "Lien"},
        "severities": {"low": "faible", "medium": "moyenne", "high": "élevée", "critical": "critique"}},
    "ar": {
        "title": "بلاغ حماية", "intro": "أدلة التُقطت على حاسوب العائلة عندما ضغط شخص على «إبلاغ». "
        "كل ملف في هذا المجلد مذكور مع بصمته SHA-256 في الملف SHA256SUMS، والملف record.json هو السجل نفسه.",
        "id": "رقم البلاغ", "created": "وقت التسجيل (التوقيت العالمي، ساعة البرنامج)", "page": "عنوان الصفحة",
        "page_title": "عنوان الصفحة الظاهر", "sha": "بصمة SHA-256 للملف record.json",
        "prev": "بصمة SHA-256 للسجل السابق", "rules": "إصدار القواعد", "units": "المحتوى الملتقط",
        "matches": "القواعد المطابقة", "screenshot": "لقطة الشاشة", "note": "ملاحظة الشخص المُبلِّغ",
        "verify": "للتحقق من الملفات: شغّل الأمر `sha256sum -c SHA256SUMS` داخل هذا المجلد.",
        "none": "لا شيء", "author": "الكاتب", "time": "الوقت الظاهر في الصفحة", "unknown": "غير ظاهر",
        "kinds": {"message": "رسالة", "profile": "ملف شخصي", "post": "منشور", "url": "رابط"},
        "severities": {"low": "منخفضة", "medium": "متوسطة", "high": "عالية", "critical": "حرجة"}},
}


def export_files(report: dict, captures: list[dict], titles: dict | None = None) -> dict[str, bytes]:
    """Every file of the export folder, name -> bytes (SHA256SUMS last).

    ``titles`` maps rule ids to their titles ({fr, ar, en}) so that the page names
    each rule in its own language rather than by id."""
    record = report["record"]
    files: dict[str, bytes] = {"record.json": canonical(record)}
    width = max(2, len(str(len(record["units"]))))
    for index, unit in enumerate(record["units"], start=1):
        files[f"units/{index:0{width}d}.txt"] = unit["text"].encode("utf-8")
    for capture in captures:
        files[capture["name"]] = capture["data"]
    files["index.html"] = render_page(report, titles).encode("utf-8")
    sums = "".join(f"{sha256_hex(data)}  {name}\n" for name, data in sorted(files.items()))
    files["SHA256SUMS"] = sums.encode("utf-8")
    return files


def write_folder(files: dict[str, bytes], folder: Path) -> Path:
    """Write the export into a new folder (refuses to overwrite one that exists)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=False, mode=0o700)
    for name, data in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        target.write_bytes(data)
    return folder


def zip_files(files: dict[str, bytes], stream) -> None:
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def render_page(report: dict, titles: dict | None = None) -> str:
    """The human-readable page: one section per language, every value escaped."""
    sections = "\n".join(_section(report, lang, titles or {}) for lang in ("fr", "ar", "en"))
    return ("<!doctype html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src 'self'; "
            "style-src 'unsafe-inline'\">"
            f"<title>Himaya {html.escape(report['id'])}</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:auto;padding:1em}"
            "section{border-top:2px solid #888;margin-top:2em}td,th{text-align:start;vertical-align:top;"
            "padding:.2em .6em}code,pre{white-space:pre-wrap;word-break:break-all}img{max-width:100%}</style>"
            f"</head><body>\n{sections}\n</body></html>\n")


def _rule_name(rule: str, titles: dict, lang: str) -> str:
    title = titles.get(rule)
    if isinstance(title, dict) and title.get(lang):
        return f"{title[lang]} [{rule}]"
    return rule


def _section(report: dict, lang: str, titles: dict) -> str:
    t, record, esc = LABELS[lang], report["record"], html.escape
    direction = "rtl" if lang == "ar" else "ltr"
    rows = [(t["id"], report["id"]), (t["created"], report["created"]), (t["page"], record["page"]["url"]),
            (t["page_title"], record["page"]["title"]), (t["sha"], report["sha256"]),
            (t["prev"], report["prev"]), (t["rules"], record["rules_version"])]
    table = "".join(f"<tr><th>{esc(k)}</th><td dir=\"auto\"><code>{esc(str(v))}</code></td></tr>" for k, v in rows)
    units = "".join(
        f"<li><b>{esc(t['kinds'].get(u['kind'], u['kind']))}</b> — {esc(t['author'])} : "
        f"<bdi>{esc(u.get('author') or t['unknown'])}</bdi> — {esc(t['time'])} : "
        f"<bdi>{esc(u.get('time') or t['unknown'])}</bdi> <code>sha256:{esc(u['sha256'])}</code>"
        f"<pre dir=\"auto\">{esc(u['text'])}</pre></li>" for u in record["units"])
    seen: dict[str, str] = {}
    for m in record["matches"]:
        seen.setdefault(m["rule"], t["severities"].get(m.get("severity"), m.get("severity") or "?"))
    matches = "".join(f"<li><bdi>{esc(_rule_name(rule, titles, lang))}</bdi> ({esc(level)})</li>"
                      for rule, level in seen.items())
    matches = f"<ul>{matches}</ul>" if matches else f"<p>{esc(t['none'])}</p>"
    shot = record.get("screenshot")
    shot_html = (f"<h3>{esc(t['screenshot'])}</h3><p><code>sha256:{esc(shot['sha256'])}</code></p>"
                 f"<img src=\"{esc(shot['name'])}\" alt=\"\">") if shot else ""
    note = f"<h3>{esc(t['note'])}</h3><pre dir=\"auto\">{esc(record['note'])}</pre>" if record.get("note") else ""
    return (f"<section lang=\"{lang}\" dir=\"{direction}\"><h2>{esc(t['title'])}</h2><p>{esc(t['intro'])}</p>"
            f"<table>{table}</table><h3>{esc(t['matches'])}</h3>{matches}"
            f"<h3>{esc(t['units'])}</h3><ol>{units}</ol>{shot_html}{note}<p>{esc(t['verify'])}</p></section>")
