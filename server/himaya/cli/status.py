"""`himaya status`: is the companion running, which rules, did scanning keep up,
and on which sites a reader found nothing?

It asks the running companion (``GET /api/v1/status`` with the token, as the
extension does); when none answers it says so (exit status 1) and still shows
what the data folder keeps: the reports, the scanning history
(``scan-health.json``), so a parent can see in the morning that scanning fell
behind last evening, and the pages where a site's reader found nothing::

    $ himaya status
    Companion: running on http://127.0.0.1:47615 (rules 2026.12.1)
    Data folder: /home/amal/.local/share/himaya
    Reports: 1 (0 to send, 0 failed)
    Since it started: 5200 units scanned; kept: 3 warnings, 1 reports.
    Scanning FELL BEHIND or missed messages in at least one browser session:
    - browser session started 2026-12-05 19:00 (last news 2026-12-05 23:41): 5200 checked,
      230 NOT checked (too many at once), longest wait 42 s, fell behind
    Pages a site's reader found nothing on (last 30 days):
      reader found nothing on facebook: 2 page(s) on 2026-12-05, last at 21:14 UTC

"Reader found nothing on <site>" means the extension's reader for that site
found nothing to read on a page full of text (the site changed its pages) and
read it as an ordinary page instead. Only the site, the day and how many pages
are kept; the scanning history holds counts only. No text, no address.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

import click

from himaya.cli import main
from himaya.cli.service import _config_error, _home, _store, lang

MESSAGES = {
    "running": {"en": "Companion: running on http://127.0.0.1:{port} (rules {rules})",
                "fr": "Compagnon : en marche sur http://127.0.0.1:{port} (règles {rules})",
                "ar": "البرنامج المرافق: يعمل على http://127.0.0.1:{port} (القواعد {rules})"},
    "not_running": {"en": "Companion: not running - no companion answers on http://127.0.0.1:{port} (start it with: himaya serve).",
                    "fr": "Compagnon : arrêté - aucun compagnon ne répond sur http://127.0.0.1:{port} (lancez-le avec : himaya serve).",
                    "ar": "البرنامج المرافق: متوقف - لا يوجد برنامج مرافق يجيب على http://127.0.0.1:{port} (شغّله بالأمر: himaya serve)."},
    "refused": {"en": "Companion: running on port {port}, but it refused this folder's token (another data folder?).",
                "fr": "Compagnon : en marche sur le port {port}, mais il refuse le jeton de ce dossier (un autre dossier de données ?).",
                "ar": "البرنامج المرافق: يعمل على المنفذ {port}، لكنه رفض رمز هذا المجلد (مجلد بيانات آخر؟)."},
    "data": {"en": "Data folder: {home}", "fr": "Dossier des données : {home}", "ar": "مجلد البيانات: {home}"},
    "reports": {"en": "Reports: {count} ({pending} to send, {failed} failed)",
                "fr": "Signalements : {count} ({pending} à envoyer, {failed} en échec)",
                "ar": "البلاغات: {count} ({pending} للإرسال، {failed} فشل إرسالها)"},
    "counts": {"en": "Since it started: {scans} units scanned; kept: {matches} warnings, {reports} reports.",
               "fr": "Depuis son démarrage : {scans} éléments analysés ; gardés : {matches} avertissements, {reports} signalements.",
               "ar": "منذ تشغيله: تم فحص {scans} عنصرًا؛ المحفوظ: {matches} تنبيهًا و{reports} بلاغًا."},
    "no_sessions": {"en": "Scanning: no browser has reported yet.",
                    "fr": "Analyse : aucun navigateur n'a encore donné de nouvelles.",
                    "ar": "الفحص: لم يرسل أي متصفح معلومات بعد."},
    "kept_up": {"en": "Scanning kept up in every browser session listed below.",
                "fr": "L'analyse a suivi dans toutes les sessions de navigateur ci-dessous.",
                "ar": "واكب الفحص كل جلسات المتصفح المذكورة أدناه."},
    "fell_behind": {"en": "Scanning FELL BEHIND or missed messages in at least one browser session:",
                    "fr": "L'analyse a PRIS DU RETARD ou manqué des messages dans au moins une session de navigateur :",
                    "ar": "تأخّر الفحص أو فاتته رسائل في جلسة متصفح واحدة على الأقل:"},
    "session": {"en": "- browser session started {started} (last news {updated}): {scanned} checked",
                "fr": "- session de navigateur commencée le {started} (dernières nouvelles {updated}) : {scanned} vérifiés",
                "ar": "- جلسة متصفح بدأت {started} (آخر أخبار {updated}): تم فحص {scanned}"},
    "dropped": {"en": "{n} NOT checked (too many at once)", "fr": "{n} NON vérifiés (trop à la fois)",
                "ar": "{n} لم يتم فحصها (الكثير في وقت واحد)"},
    "waited": {"en": "longest wait {s} s", "fr": "attente la plus longue {s} s", "ar": "أطول انتظار {s} ثانية"},
    "behind": {"en": "fell behind", "fr": "en retard", "ar": "متأخر"},
    "restored": {"en": "a page altered or hid the warning {n} times (put back)",
                 "fr": "une page a modifié ou caché l'avertissement {n} fois (remis)",
                 "ar": "غيّرت صفحة التحذير أو أخفته {n} مرة (أعيد)"},
    "rate_limited": {"en": "Requests refused for coming too fast since it started: {n}",
                     "fr": "Requêtes refusées car trop rapides depuis son démarrage : {n}",
                     "ar": "طلبات رُفضت لأنها جاءت بسرعة كبيرة منذ تشغيله: {n}"},
    "readers": {"en": "Pages a site's reader found nothing on (last 30 days):",
                "fr": "Pages où le lecteur d'un site n'a rien trouvé (30 derniers jours) :",
                "ar": "صفحات لم يجد فيها قارئ الموقع شيئًا (آخر 30 يومًا):"},
    "reader_miss": {"en": "  reader found nothing on {site}: {pages} page(s) on {day}, last at {last}",
                    "fr": "  le lecteur n'a rien trouvé sur {site} : {pages} page(s) le {day}, la dernière à {last}",
                    "ar": "  لم يجد القارئ شيئًا في {site}: {pages} صفحة يوم {day}، آخرها في {last}"},
    "readers_none": {"en": "  none: the readers found what they look for",
                     "fr": "  aucune : les lecteurs trouvent ce qu'ils cherchent",
                     "ar": "  لا شيء: القارئات تجد ما تبحث عنه"},
}


def _say(key: str, **values) -> str:
    return MESSAGES[key][lang()].format(**values)


def fetch_status(port: int, token: str | None, timeout: float = 3.0):
    """The running companion's GET /api/v1/status: (dict, None), or (None, "offline" | "refused")."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/status")
    if token:
        request.add_header("X-Himaya-Token", token)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response), None
    except urllib.error.HTTPError:
        return None, "refused"
    except (OSError, ValueError):
        return None, "offline"


def _when(iso: str | None) -> str:
    return (iso or "?").replace("T", " ")[:16]


def describe(scanning: dict) -> list[str]:
    """The scanning history in the person's language, one line per session."""
    sessions = scanning.get("sessions") or []
    if not sessions:
        return [_say("no_sessions")]
    troubled = scanning.get("behind") or scanning.get("dropped")
    lines = [_say("fell_behind" if troubled else "kept_up")]
    for s in sessions:
        parts = [_say("session", started=_when(s.get("started")), updated=_when(s.get("updated")), scanned=s.get("scanned", 0))]
        if s.get("dropped"):
            parts.append(_say("dropped", n=s["dropped"]))
        if s.get("max_wait_ms"):
            parts.append(_say("waited", s=round(s["max_wait_ms"] / 1000)))
        if s.get("behind"):
            parts.append(_say("behind"))
        if s.get("restored"):
            parts.append(_say("restored", n=s["restored"]))
        lines.append(", ".join(parts))
    return lines


def gather(port: int | None = None) -> dict:
    """Everything ``himaya status`` shows, as ``--json`` prints it.

    ``running`` (a companion answers on the port), ``error`` (None, "offline" or
    "refused": it answered but not to this folder's token), ``rules_version`` and
    ``companion`` (its whole ``GET /api/v1/status``, None when it did not answer),
    ``scanning`` (from the companion, else the history kept in the data folder),
    and from the data folder: ``reports``, ``outbox``, ``reader_misses``.
    """
    from himaya.companion import config as settings_mod
    from himaya.companion.health import ScanHealth

    home = _home()
    try:
        port = port or settings_mod.load(home)["port"]
    except settings_mod.ConfigError as exc:
        raise _config_error(exc) from None
    token = settings_mod.load_token(home, create=False) if home.exists() else None
    data, problem = fetch_status(port, token)
    store = _store()
    if data is not None and "scanning" in data:
        scanning = data["scanning"]
    else:
        scanning = ScanHealth(home).summary() if home.exists() else {"sessions": []}
    return {"running": data is not None or problem == "refused", "error": problem, "port": port, "home": str(home),
            "rules_version": (data or {}).get("rules_version"), "reports": store.counts()["reports"],
            "outbox": store.outbox_counts(), "scanning": scanning, "reader_misses": store.reader_misses(),
            "companion": data}


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="The companion's port (default: the port setting).")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON (the companion's GET /api/v1/status under \"companion\").")
def status(port, as_json):
    """Is the companion running, its rules, whether scanning kept up, where a reader found nothing.

    Asks the running companion on this account (its port and token come from
    the data folder); exit status 1 when none answers. The reports, the
    scanning history (counts the extension reports, never text) and the pages
    where a site's reader found nothing (site, day and count only) are shown
    either way, from the data folder.

    Example: himaya status --port 47615 --json
    """
    info = gather(port)
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
    else:
        data = info["companion"]
        if data is not None:
            click.echo(_say("running", port=info["port"], rules=info["rules_version"] or "?"))
        else:
            click.echo(_say("not_running" if info["error"] == "offline" else "refused", port=info["port"]))
        click.echo(_say("data", home=info["home"]))
        box = info["outbox"]
        click.echo(_say("reports", count=info["reports"], pending=box["pending"], failed=box["failed"]))
        if data is not None and "counts" in data:
            counts = data["counts"]
            click.echo(_say("counts", scans=counts.get("scans", 0), matches=counts.get("matches", 0),
                            reports=counts.get("reports", 0)))
        scanning = info["scanning"]
        for line in describe(scanning):
            click.echo(line)
        if scanning.get("rate_limited"):
            click.echo(_say("rate_limited", n=scanning["rate_limited"]))
        click.echo(_say("readers"))
        for miss in info["reader_misses"]:
            click.echo(_say("reader_miss", site=miss["site"], pages=miss["pages"], day=miss["day"],
                            last=miss["last"][11:16] + " UTC"))
        if not info["reader_misses"]:
            click.echo(_say("readers_none"))
    if info["companion"] is None:
        sys.exit(1)
