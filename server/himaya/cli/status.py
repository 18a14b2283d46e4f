"""`himaya status`: is the companion running, which rules, and did scanning keep up?

It asks the running companion (``GET /api/v1/status`` with the token, as the
extension does); when none answers it says so and still shows the scanning
history kept in the data folder (``scan-health.json``), so a parent can see in
the morning that scanning fell behind last evening::

    $ himaya status
    Himaya companion running on http://127.0.0.1:47615 (rules 2026.12.1)
    Since it started: 5200 units scanned, 3 warnings kept, 1 report.
    Browser session started 2026-12-05 19:00 (last news 23:41): 5200 checked, 230 NOT checked
      (too many at once), longest wait 42 s - scanning fell behind.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

import click

from . import main
from .service import _home, lang

MESSAGES = {
    "running": {"en": "Himaya companion running on http://127.0.0.1:{port} (rules {rules})",
                "fr": "Le compagnon Himaya tourne sur http://127.0.0.1:{port} (règles {rules})",
                "ar": "برنامج حماية المرافق يعمل على http://127.0.0.1:{port} (القواعد {rules})"},
    "not_running": {"en": "No companion answers on http://127.0.0.1:{port} (start it with: himaya serve).",
                    "fr": "Aucun compagnon ne répond sur http://127.0.0.1:{port} (lancez-le avec : himaya serve).",
                    "ar": "لا يوجد برنامج مرافق يجيب على http://127.0.0.1:{port} (شغّله بالأمر: himaya serve)."},
    "refused": {"en": "The companion on port {port} refused this folder's token (another data folder?).",
                "fr": "Le compagnon du port {port} refuse le jeton de ce dossier (un autre dossier de données ?).",
                "ar": "البرنامج المرافق على المنفذ {port} رفض رمز هذا المجلد (مجلد بيانات آخر؟)."},
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


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="The companion's port (default: the port setting).")
@click.option("--json", "as_json", is_flag=True, help="Print GET /api/v1/status as JSON (or, when no companion answers, the kept scanning history).")
def status(port, as_json):
    """Is the companion running, its rules, and whether scanning kept up.

    Asks the running companion on this account (its port and token come from
    the data folder); exit status 1 when none answers. The scanning history
    (counts the extension reports, never text) is shown either way.

    Example: himaya status --port 47615 --json
    """
    from .. import config as settings_mod
    from ..health import ScanHealth

    home = _home()
    port = port or settings_mod.load(home)["port"]
    token = settings_mod.load_token(home, create=False) if home.exists() else None
    data, problem = fetch_status(port, token)
    if data is None:
        history = ScanHealth(home).summary() if home.exists() else {"sessions": []}
        if as_json:
            click.echo(json.dumps({"ok": False, "error": problem, "scanning": history}, ensure_ascii=False, indent=2))
        else:
            click.echo(_say("not_running" if problem == "offline" else "refused", port=port), err=True)
            for line in describe(history):
                click.echo(line)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    counts = data.get("counts", {})
    click.echo(_say("running", port=port, rules=data.get("rules_version") or "?"))
    click.echo(_say("counts", scans=counts.get("scans", 0), matches=counts.get("matches", 0), reports=counts.get("reports", 0)))
    scanning = data.get("scanning") or {}
    for line in describe(scanning):
        click.echo(line)
    if scanning.get("rate_limited"):
        click.echo(_say("rate_limited", n=scanning["rate_limited"]))
