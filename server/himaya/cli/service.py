"""Commands of the companion: serve, status, token, pair, pin, autostart, config, report.

Each is a thin shell over a library call. Messages a person reads exist in
French, Arabic and English (``HIMAYA_LANG``, else the locale, else English).

Example::

    $ himaya serve --port 47615
    $ himaya config set intake-url https://intake.ngo.example/reports
    $ himaya report verify
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from himaya.cli import main
from himaya.cli.common import Failure

MESSAGES = {
    "serving": {"en": "Himaya companion running on http://127.0.0.1:{port}",
                "fr": "Le compagnon Himaya tourne sur http://127.0.0.1:{port}",
                "ar": "برنامج حماية المرافق يعمل على http://127.0.0.1:{port}"},
    "code": {"en": "Pairing code (type it in the extension, valid 10 minutes): {code}",
             "fr": "Code d'appairage (à saisir dans l'extension, valable 10 minutes) : {code}",
             "ar": "رمز الربط (اكتبه في الإضافة، صالح لمدة 10 دقائق): {code}"},
    "data": {"en": "Data folder: {home}", "fr": "Dossier des données : {home}", "ar": "مجلد البيانات: {home}"},
    "stop": {"en": "Press Ctrl+C to stop.", "fr": "Ctrl+C pour arrêter.", "ar": "اضغط Ctrl+C للإيقاف."},
    "busy": {"en": "Port {port} is already in use (another companion?). Choose another with --port.",
             "fr": "Le port {port} est déjà utilisé (un autre compagnon ?). Choisissez-en un autre avec --port.",
             "ar": "المنفذ {port} مستخدم بالفعل (برنامج مرافق آخر؟). اختر منفذًا آخر بواسطة ‎--port."},
    "chain_ok": {"en": "Evidence chain intact: {count} record(s), head {head}",
                 "fr": "Chaîne de preuves intacte : {count} enregistrement(s), tête {head}",
                 "ar": "سلسلة الأدلة سليمة: {count} سجل، آخر بصمة {head}"},
    "chain_broken": {"en": "Evidence chain BROKEN at record #{seq} ({id}): {reason}",
                     "fr": "Chaîne de preuves ROMPUE à l'enregistrement n°{seq} ({id}) : {reason}",
                     "ar": "سلسلة الأدلة مكسورة عند السجل رقم {seq} ({id}): {reason}"},
    "chain_short": {"en": "Evidence chain BROKEN: {reason}",
                    "fr": "Chaîne de preuves ROMPUE : {reason}",
                    "ar": "سلسلة الأدلة مكسورة: {reason}"},
    "bad_head": {"en": "--head: give COUNT:HASH, as the extension shows it (a record count and 64 hex digits).",
                 "fr": "--head : indiquez NOMBRE:EMPREINTE, comme l'extension l'affiche (un nombre d'enregistrements et 64 chiffres hexadécimaux).",
                 "ar": "‎--head: أدخل العدد:البصمة كما تعرضه الإضافة (عدد السجلات و64 رمزًا سداسيًا عشريًا)."},
    "exported": {"en": "Report exported to {path}", "fr": "Signalement exporté dans {path}",
                 "ar": "تم تصدير البلاغ إلى {path}"},
    "no_report": {"en": "No report {id}.", "fr": "Aucun signalement {id}.", "ar": "لا يوجد بلاغ {id}."},
    "autostart_on": {"en": "The companion will start at login ({path}).",
                     "fr": "Le compagnon démarrera à l'ouverture de session ({path}).",
                     "ar": "سيبدأ البرنامج المرافق عند تسجيل الدخول ({path})."},
    "autostart_off": {"en": "The companion will no longer start at login.",
                      "fr": "Le compagnon ne démarrera plus à l'ouverture de session.",
                      "ar": "لن يبدأ البرنامج المرافق بعد الآن عند تسجيل الدخول."},
    "autostart_status": {"en": "Autostart: {state} ({path})", "fr": "Démarrage automatique : {state} ({path})",
                         "ar": "التشغيل التلقائي: {state} ({path})"},
    "exists": {"en": "{path} already exists; choose another folder with --out.",
               "fr": "{path} existe déjà ; choisissez un autre dossier avec --out.",
               "ar": "{path} موجود بالفعل؛ اختر مجلدًا آخر بواسطة ‎--out."},
    "bad_file": {"en": "The settings file {key} cannot be read; fix or delete it.",
                 "fr": "Le fichier de réglages {key} est illisible ; corrigez-le ou supprimez-le.",
                 "ar": "تعذّرت قراءة ملف الإعدادات {key}؛ أصلحه أو احذفه."},
    "bad_unknown": {"en": "Unknown setting {key}. Known: {known}.",
                    "fr": "Réglage inconnu {key}. Réglages connus : {known}.",
                    "ar": "إعداد غير معروف {key}. الإعدادات المعروفة: {known}."},
    "bad_number": {"en": "{key}: a whole number is expected.", "fr": "{key} : un nombre entier est attendu.",
                   "ar": "{key}: يجب إدخال عدد صحيح."},
    "bad_ids": {"en": "{key}: Chrome extension ids (32 letters from a to p), separated by commas.",
                "fr": "{key} : identifiants d'extension Chrome (32 lettres de a à p), séparés par des virgules.",
                "ar": "{key}: معرّفات إضافات كروم (32 حرفًا من a إلى p) مفصولة بفواصل."},
    "bad_days": {"en": "{key}: a number of days from 1 to 3650.", "fr": "{key} : un nombre de jours de 1 à 3650.",
                 "ar": "{key}: عدد أيام من 1 إلى 3650."},
    "bad_port": {"en": "{key}: a port from 1024 to 65535.", "fr": "{key} : un port de 1024 à 65535.",
                 "ar": "{key}: منفذ من 1024 إلى 65535."},
    "bad_interval": {"en": "{key}: seconds from 300 (5 minutes) to 604800 (a week).",
                     "fr": "{key} : un nombre de secondes de 300 (5 minutes) à 604800 (une semaine).",
                     "ar": "{key}: عدد ثوانٍ من 300 (5 دقائق) إلى 604800 (أسبوع)."},
    "bad_keys_file": {"en": "{key}: give the path of an existing keys file.",
                      "fr": "{key} : indiquez le chemin d'un fichier de clés existant.",
                      "ar": "{key}: أدخل مسار ملف مفاتيح موجود."},
    "bad_code": {"en": "{key}: give the code from the NGO (letters, digits and dashes).",
                 "fr": "{key} : saisissez le code donné par l'association (lettres, chiffres et tirets).",
                 "ar": "{key}: أدخل الرمز الذي قدّمته الجمعية (حروف وأرقام وشرطات)."},
    "bad_url": {"en": "{key}: not a valid address.", "fr": "{key} : adresse non valide.", "ar": "{key}: عنوان غير صالح."},
    "bad_url_userinfo": {"en": "{key}: an address with a user name or password is refused.",
                         "fr": "{key} : une adresse avec nom d'utilisateur ou mot de passe est refusée.",
                         "ar": "{key}: يُرفض العنوان الذي يحتوي على اسم مستخدم أو كلمة مرور."},
    "bad_url_scheme": {"en": "{key}: the address must start with https:// (http:// only for 127.0.0.1).",
                       "fr": "{key} : l'adresse doit commencer par https:// (http:// seulement pour 127.0.0.1).",
                       "ar": "{key}: يجب أن يبدأ العنوان بـ https://‎ (و http://‎ فقط لـ 127.0.0.1)."},
    "bad_serve_port": {
        "en": "--port {port} is refused: give a port from 1024 to 65535 (the default is 47615); the extension must know the port, so 0 (any free port) cannot be used.",
        "fr": "--port {port} est refusé : indiquez un port de 1024 à 65535 (47615 par défaut) ; l'extension doit connaître le port, donc 0 (un port libre au hasard) n'est pas possible.",
        "ar": "‎--port {port} مرفوض: اختر منفذًا من 1024 إلى 65535 (الافتراضي 47615)؛ يجب أن تعرف الإضافة المنفذ، لذا لا يمكن استخدام 0 (أي منفذ حر)."},
    "already_running": {
        "en": "Himaya is already running on this data folder ({home}): process {pid}, port {port}. Use that one, or stop it first; another data folder needs HIMAYA_HOME.",
        "fr": "Himaya fonctionne déjà sur ce dossier de données ({home}) : processus {pid}, port {port}. Utilisez celui-là, ou arrêtez-le d'abord ; un autre dossier de données se choisit avec HIMAYA_HOME.",
        "ar": "حماية يعمل بالفعل على مجلد البيانات هذا ({home}): العملية {pid}، المنفذ {port}. استخدمه، أو أوقفه أولًا؛ ولمجلد بيانات آخر استخدم HIMAYA_HOME."},
    "bad_bool": {"en": "{key}: on or off.", "fr": "{key} : on ou off.", "ar": "{key}: on أو off."},
    "bad_minutes": {"en": "{key}: minutes from 5 to 1440.", "fr": "{key} : un nombre de minutes de 5 à 1440.",
                    "ar": "{key}: عدد دقائق من 5 إلى 1440."},
    "bad_category": {"en": "{key}: unknown category. Known: {categories}.",
                     "fr": "{key} : catégorie inconnue. Catégories connues : {categories}.",
                     "ar": "{key}: فئة غير معروفة. الفئات المعروفة: {categories}."},
    "bad_level": {"en": "{key}: off, low, normal or high.", "fr": "{key} : off, low, normal ou high.",
                  "ar": "{key}: off أو low أو normal أو high."},
    "bad_never_off": {"en": "{key}: this category can never be switched off (threats and ads offering children always warn); low is the least.",
                      "fr": "{key} : cette catégorie ne peut jamais être désactivée (les menaces et les annonces proposant des enfants avertissent toujours) ; low est le minimum.",
                      "ar": "{key}: لا يمكن أبدًا إيقاف هذه الفئة (التهديدات والإعلانات التي تعرض أطفالًا تُنبّه دائمًا)؛ أدنى مستوى هو low."},
    "on": {"en": "enabled", "fr": "activé", "ar": "مفعّل"},
    "off": {"en": "disabled", "fr": "désactivé", "ar": "غير مفعّل"},
}


def lang() -> str:
    for var in ("HIMAYA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")[:2].lower()
        if value in ("fr", "ar", "en"):
            return value
        if value:
            break
    return "en"


def say(key: str, err: bool = False, **values) -> None:
    click.echo(MESSAGES[key][lang()].format(**values), err=err)


def _config_error(exc) -> click.ClickException:
    """A settings error in the person's language (the English detail stays in the library)."""
    from himaya.companion.config import DEFAULTS

    key = f"bad_{exc.code}"
    if key not in MESSAGES:
        return click.ClickException(str(exc))
    from himaya.core.categories import CATEGORIES

    text = MESSAGES[key][lang()].format(key=exc.key, known=", ".join(sorted(DEFAULTS)),
                                        categories=", ".join(CATEGORIES))
    return click.ClickException(text)


def _home() -> Path:
    from himaya.companion.config import data_home

    return data_home()


@main.command()
@click.option("--port", type=int, default=None, help="Port on 127.0.0.1, 1024 to 65535 (default 47615).")
@click.option("--extension-id", "extension_ids", multiple=True, help="A Chrome extension id to trust (repeatable).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
def serve(port, extension_ids, threads):
    """Run the companion on 127.0.0.1 (production server, logs in the data folder).

    One companion per data folder: a second one says which one runs and stops.

    Example: himaya serve --port 47615
    """
    from himaya.companion import config as settings_mod
    from himaya.companion import instance, pairing
    from himaya.companion.serving import PortBusy, Server, setup_logging

    if port is not None and not 1024 <= port <= 65535:
        raise Failure(MESSAGES["bad_serve_port"][lang()].format(port=port))
    home = _home()
    try:
        port = settings_mod.load(home)["port"] if port is None else port
    except settings_mod.ConfigError as exc:
        click.echo(_config_error(exc).format_message(), err=True)
        sys.exit(2)
    try:
        claim = instance.claim(home, port)
    except instance.AlreadyRunning as exc:
        raise Failure(MESSAGES["already_running"][lang()].format(
            pid=exc.info.get("pid", "?"), port=exc.info.get("port", "?"), home=home)) from None
    try:
        setup_logging(home)
        server = Server.open(home, port, extension_ids=extension_ids, threads=threads)
    except PortBusy:
        claim.release()
        say("busy", err=True, port=port)
        sys.exit(2)
    except settings_mod.ConfigError as exc:
        claim.release()
        click.echo(_config_error(exc).format_message(), err=True)
        sys.exit(2)
    claim.update(server.port)
    code = pairing.new_code(home)
    say("serving", port=server.port)
    say("code", code=pairing.pretty(code))
    say("data", home=home)
    say("stop")
    sys.stdout.flush()
    try:
        server.run()
    finally:
        claim.release()


def fetch_status(port: int, token: str | None, timeout: float = 3.0):
    """The running companion's GET /api/v1/status: (dict, None), or (None, "offline" | "refused")."""
    import urllib.error
    import urllib.request

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
    """A time the companion keeps in UTC (ISO 8601), as this computer's clock
    reads it, to the minute: a parent in Tunis reads 09:00, not 08:00Z."""
    if not iso:
        return "?"
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return iso.replace("T", " ")[:16]
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def describe_scanning(scanning: dict) -> list[str]:
    """The scanning history in the person's language, one line per browser session."""
    t = STATUS[lang()]
    sessions = scanning.get("sessions") or []
    if not sessions:
        return [t["no_sessions"]]
    troubled = scanning.get("behind") or scanning.get("dropped")
    lines = [t["fell_behind" if troubled else "kept_up"]]
    for s in sessions:
        parts = [t["session"].format(started=_when(s.get("started")), updated=_when(s.get("updated")),
                                     scanned=s.get("scanned", 0))]
        if s.get("dropped"):
            parts.append(t["dropped"].format(n=s["dropped"]))
        if s.get("max_wait_ms"):
            parts.append(t["waited"].format(s=round(s["max_wait_ms"] / 1000)))
        if s.get("behind"):
            parts.append(t["behind"])
        if s.get("restored"):
            parts.append(t["restored"].format(n=s["restored"]))
        lines.append(", ".join(parts))
    return lines


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(as_json):
    """Is the companion running, which list, is the extension talking to it, the parent's
    settings, reports, whether scanning kept up (units not checked, longest wait, requests
    refused for coming too fast), and the pages where a site's reader found nothing.

    Exit status 1 when no companion runs on this data folder (the rest is still
    shown, from the data folder).

    "Reader found nothing on <site>" means the extension's reader for that site
    found nothing to read on a page full of text (the site changed its pages)
    and read it as an ordinary page instead. Only the site, the day and how
    many pages are kept: no text, no address.

    Example: himaya status
    """
    from himaya.cli.common import active_list, label, list_of
    from himaya.companion import config as settings_mod, instance, pin as pin_mod
    from himaya.companion.app import Companion
    from himaya.core.scanner import PACKAGE_RULES

    home = _home()
    try:
        settings = settings_mod.load(home)
    except settings_mod.ConfigError as exc:
        raise _config_error(exc) from None
    store = _store()
    process = instance.running(home)
    # No list installed yet (a companion that never ran, or is starting): the one it will install.
    info = active_list(home) or list_of(PACKAGE_RULES)
    companion = Companion(home, None, store, None)
    companion._settings_cache = (None, None)
    extension = companion.extension_state()
    box = store.outbox_counts()
    counts = store.counts()
    # Scanning health: live from the running companion (with the 429 count since it started),
    # else the history it keeps in the data folder (scan-health.json, counts only).
    answer = None
    if process is not None:
        answer, _problem = fetch_status((process or {}).get("port", settings["port"]),
                                        settings_mod.load_token(home, create=False))
    if answer is not None and "scanning" in answer:
        scanning = answer["scanning"]
    else:
        scanning = {**companion.health.summary(), "rate_limited": None}
    data = {"running": process is not None, "process": process,
            "port": (process or {}).get("port", settings["port"]),
            "rules": {"label": label(info), **({k: v for k, v in info.items() if k != "files"} if info else {})},
            "paired": bool(settings["extension-ids"]) or (home / "token").exists(),
            "pin": pin_mod.is_set(home), "extension": extension, "sensitivity": settings["sensitivity"],
            "share_feedback": settings["share-feedback"], "intake": bool(settings["intake-url"]),
            "counts": counts, "reports": counts["reports"], "outbox": box,
            "scanning": scanning, "rate_limited": scanning.get("rate_limited"),
            "reader_misses": store.reader_misses(), "home": str(home)}
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        if process is None:
            sys.exit(1)
        return
    t = STATUS[lang()]
    click.echo(t["running"].format(pid=process.get("pid", "?"), port=data["port"])
               if process is not None else t["stopped"].format(port=data["port"]))
    click.echo(t["list"].format(label=data["rules"]["label"]))
    if extension["last_contact"] is None:
        click.echo(t["never"])
    elif extension["silent"]:
        click.echo(t["silent"].format(since=_when(extension["silent_since"]), minutes=extension["silence_minutes"]))
    else:
        click.echo(t["talking"].format(at=_when(extension["last_contact"])))
    for gap in extension["silences"][:5]:
        click.echo(t["gap"].format(started=_when(gap["started"]), ended=_when(gap["ended"])))
    click.echo(t["pin_on"] if data["pin"] else t["pin_off"])
    levels = ", ".join(f"{k}={v}" for k, v in data["sensitivity"].items()) or "normal"
    click.echo(t["sensitivity"].format(levels=levels))
    click.echo(t["share_on"] if data["share_feedback"] else t["share_off"])
    click.echo(t["counts"].format(**counts))
    click.echo(t["outbox"].format(pending=box["pending"], failed=box["failed"]))
    for line in describe_scanning(scanning):
        click.echo(line)
    if scanning.get("rate_limited") is not None:
        click.echo(t["rate_limited"].format(n=scanning["rate_limited"]))
    click.echo(t["readers"])
    for miss in data["reader_misses"]:
        click.echo(t["reader_miss"].format(site=miss["site"], pages=miss["pages"], day=miss["day"],
                                           last=miss["last"][11:16] + " UTC"))
    if not data["reader_misses"]:
        click.echo(t["readers_none"])
    click.echo(t["data"].format(home=home))
    if process is None:
        sys.exit(1)


STATUS = {
    "en": {"running": "Companion: running on http://127.0.0.1:{port} (process {pid}).",
           "stopped": "Companion: not running (port {port}): the browser is NOT protected. Start it: log out and back in (it starts at login), or type himaya serve in a terminal left open.",
           "list": "Rule list: {label}", "never": "Extension: has never talked to this companion (pair it in its options page).",
           "silent": "Extension: SILENT since {since} (more than {minutes} minutes): is the browser closed, or the extension removed?",
           "talking": "Extension: last heard at {at}.", "gap": "  silent from {started} to {ended}",
           "pin_on": "Parent PIN: set.", "pin_off": "Parent PIN: not set (himaya pin set, or the options page).",
           "sensitivity": "Sensitivity: {levels}", "share_on": "Weekly feedback counts to the association: on.",
           "share_off": "Weekly feedback counts to the association: off.",
           "counts": "Warnings kept: {matches}; reports: {reports}; feedback: {feedback}.",
           "outbox": "Reports to send: {pending} ({failed} failed).",
           "no_sessions": "Scanning: no browser has reported yet.",
           "kept_up": "Scanning kept up in every browser session listed below.",
           "fell_behind": "Scanning FELL BEHIND or missed messages in at least one browser session:",
           "session": "- browser session started {started} (last news {updated}): {scanned} checked",
           "dropped": "{n} NOT checked (too many at once)", "waited": "longest wait {s} s", "behind": "fell behind",
           "restored": "a page altered or hid the warning {n} times (put back)",
           "rate_limited": "Requests refused for coming too fast since it started: {n}",
           "readers": "Pages a site's reader found nothing on (last 30 days):",
           "reader_miss": "  reader found nothing on {site}: {pages} page(s) on {day}, last at {last}",
           "readers_none": "  none: the readers found what they look for",
           "data": "Data folder: {home}"},
    "fr": {"running": "Compagnon : en marche sur http://127.0.0.1:{port} (processus {pid}).",
           "stopped": "Compagnon : arrêté (port {port}) : le navigateur n'est PAS protégé. Démarrez-le : déconnectez-vous puis reconnectez-vous (il se lance à l'ouverture de session), ou tapez himaya serve dans un terminal laissé ouvert.",
           "list": "Liste de règles : {label}",
           "never": "Extension : ne s'est jamais adressée à ce compagnon (reliez-la dans sa page d'options).",
           "silent": "Extension : SILENCIEUSE depuis {since} (plus de {minutes} minutes) : le navigateur est-il fermé, ou l'extension retirée ?",
           "talking": "Extension : dernier contact à {at}.", "gap": "  silencieuse de {started} à {ended}",
           "pin_on": "Code parent : défini.", "pin_off": "Code parent : non défini (himaya pin set, ou la page d'options).",
           "sensitivity": "Sensibilité : {levels}", "share_on": "Comptes hebdomadaires des avis envoyés à l'association : oui.",
           "share_off": "Comptes hebdomadaires des avis envoyés à l'association : non.",
           "counts": "Avertissements gardés : {matches} ; signalements : {reports} ; avis : {feedback}.",
           "outbox": "Signalements à envoyer : {pending} ({failed} en échec).",
           "no_sessions": "Analyse : aucun navigateur n'a encore donné de nouvelles.",
           "kept_up": "L'analyse a suivi dans toutes les sessions de navigateur ci-dessous.",
           "fell_behind": "L'analyse a PRIS DU RETARD ou manqué des messages dans au moins une session de navigateur :",
           "session": "- session de navigateur commencée le {started} (dernières nouvelles {updated}) : {scanned} vérifiés",
           "dropped": "{n} NON vérifiés (trop à la fois)", "waited": "attente la plus longue {s} s", "behind": "en retard",
           "restored": "une page a modifié ou caché l'avertissement {n} fois (remis)",
           "rate_limited": "Requêtes refusées car trop rapides depuis son démarrage : {n}",
           "readers": "Pages où le lecteur d'un site n'a rien trouvé (30 derniers jours) :",
           "reader_miss": "  le lecteur n'a rien trouvé sur {site} : {pages} page(s) le {day}, la dernière à {last}",
           "readers_none": "  aucune : les lecteurs trouvent ce qu'ils cherchent",
           "data": "Dossier des données : {home}"},
    "ar": {"running": "البرنامج المرافق: يعمل على http://127.0.0.1:{port} (العملية {pid}).",
           "stopped": "البرنامج المرافق: متوقف (المنفذ {port}): المتصفح غير محمي. شغّله: اخرجوا من الجلسة ثم ادخلوا من جديد (يبدأ عند الدخول)، أو اكتبوا himaya serve في نافذة تبقى مفتوحة.",
           "list": "قائمة القواعد: {label}", "never": "الإضافة: لم تتصل بهذا البرنامج أبدًا (اربطها من صفحة خياراتها).",
           "silent": "الإضافة: صامتة منذ {since} (أكثر من {minutes} دقيقة): هل المتصفح مغلق أم أُزيلت الإضافة؟",
           "talking": "الإضافة: آخر اتصال في {at}.", "gap": "  صامتة من {started} إلى {ended}",
           "pin_on": "رمز الوالدين: مضبوط.", "pin_off": "رمز الوالدين: غير مضبوط (himaya pin set أو صفحة الخيارات).",
           "sensitivity": "الحساسية: {levels}", "share_on": "إرسال أعداد الآراء الأسبوعية إلى الجمعية: نعم.",
           "share_off": "إرسال أعداد الآراء الأسبوعية إلى الجمعية: لا.",
           "counts": "التنبيهات المحفوظة: {matches}؛ البلاغات: {reports}؛ الآراء: {feedback}.",
           "outbox": "بلاغات للإرسال: {pending} ({failed} فشل إرسالها).",
           "no_sessions": "الفحص: لم يرسل أي متصفح معلومات بعد.",
           "kept_up": "واكب الفحص كل جلسات المتصفح المذكورة أدناه.",
           "fell_behind": "تأخّر الفحص أو فاتته رسائل في جلسة متصفح واحدة على الأقل:",
           "session": "- جلسة متصفح بدأت {started} (آخر أخبار {updated}): تم فحص {scanned}",
           "dropped": "{n} لم يتم فحصها (الكثير في وقت واحد)", "waited": "أطول انتظار {s} ثانية", "behind": "متأخر",
           "restored": "غيّرت صفحة التحذير أو أخفته {n} مرة (أعيد)",
           "rate_limited": "طلبات رُفضت لأنها جاءت بسرعة كبيرة منذ تشغيله: {n}",
           "readers": "صفحات لم يجد فيها قارئ الموقع شيئًا (آخر 30 يومًا):",
           "reader_miss": "  لم يجد القارئ شيئًا في {site}: {pages} صفحة يوم {day}، آخرها في {last}",
           "readers_none": "  لا شيء: القارئات تجد ما تبحث عنه",
           "data": "مجلد البيانات: {home}"},
}


@main.group()
def pin():
    """The parent's PIN, which guards the history, the settings and unpairing.

    Examples:

        himaya pin set

        himaya pin clear
    """


@pin.command("set")
@click.option("--pin", "value", prompt="New parent PIN (4 to 12 digits)", hide_input=True,
              confirmation_prompt=True, help="The PIN (asked when not given).")
def pin_set(value):
    """Set or change the PIN (anyone at this account's command line is trusted). Example: himaya pin set"""
    from himaya.companion import pin as pin_mod

    try:
        pin_mod.set_pin(_home(), value.strip())
    except pin_mod.PinError:
        raise Failure(PIN_TEXT["format"][lang()]) from None
    click.echo(PIN_TEXT["set"][lang()])


@pin.command("clear")
def pin_clear():
    """Remove the PIN. Example: himaya pin clear"""
    from himaya.companion import pin as pin_mod

    pin_mod.clear(_home())
    click.echo(PIN_TEXT["cleared"][lang()])


PIN_TEXT = {
    "format": {"en": "A PIN is 4 to 12 digits.", "fr": "Un code parent compte 4 à 12 chiffres.",
               "ar": "رمز الوالدين من 4 إلى 12 رقمًا."},
    "set": {"en": "Parent PIN set.", "fr": "Code parent enregistré.", "ar": "تم حفظ رمز الوالدين."},
    "cleared": {"en": "Parent PIN removed.", "fr": "Code parent supprimé.", "ar": "تم حذف رمز الوالدين."},
}


@main.command()
def token():
    """Print the companion's API token (for scripts on this account).

    Example: curl -H "X-Himaya-Token: $(himaya token)" http://127.0.0.1:47615/api/v1/status
    """
    from himaya.companion.config import load_token

    click.echo(load_token(_home()))


@main.command()
def pair():
    """Make a new pairing code for the extension (valid 10 minutes, one use).

    Example: himaya pair
    """
    from himaya.companion import pairing

    say("code", code=pairing.pretty(pairing.new_code(_home())))


@main.command()
@click.argument("action", type=click.Choice(["enable", "disable", "status"]))
def autostart(action):
    """Start the companion at login, or stop doing so.

    Example: himaya autostart enable
    """
    from himaya.companion.autostart import Autostart

    manager = Autostart()
    if action == "enable":
        say("autostart_on", path=manager.enable().path)
    elif action == "disable":
        manager.disable()
        say("autostart_off")
    else:
        state = manager.status()
        say("autostart_status", state=MESSAGES["on" if state["enabled"] else "off"][lang()], path=state["path"])


@main.group()
def config():
    """Read and change settings (intake-url, update-url, extension-ids, retention-days, port,
    share-feedback, silence-minutes, sensitivity.<category>).

    Examples:

        himaya config list

        himaya config set intake-url https://intake.ngo.example/reports

        himaya config set sensitivity.trust-flattery low
    """


@config.command("get")
@click.argument("key")
def config_get(key):
    """Print one setting. Example: himaya config get retention-days"""
    from himaya.companion import config as settings_mod

    try:
        settings = settings_mod.load(_home())
        if key.startswith("sensitivity."):
            click.echo(settings["sensitivity"].get(key.split(".", 1)[1], "normal"))
            return
        if key not in settings_mod.DEFAULTS:
            raise settings_mod.ConfigError(f"unknown setting {key!r}", "unknown", key)
        click.echo(_show(settings[key]))
    except settings_mod.ConfigError as exc:
        raise _config_error(exc) from None


@config.command("set")
@click.argument("key")
@click.argument("value")
def config_set(key, value):
    """Change one setting. Example: himaya config set intake-url https://intake.ngo.example/r"""
    from himaya.companion import config as settings_mod

    try:
        settings = settings_mod.set_value(_home(), key, value)
    except settings_mod.ConfigError as exc:
        raise _config_error(exc) from None
    if key.startswith("sensitivity."):
        click.echo(f"{key} = {settings['sensitivity'].get(key.split('.', 1)[1], 'normal')}")
        return
    click.echo(f"{key} = {_show(settings[key])}")


@config.command("list")
def config_list():
    """Print every setting. Example: himaya config list"""
    from himaya.companion import config as settings_mod

    try:
        settings = settings_mod.load(_home())
    except settings_mod.ConfigError as exc:
        raise _config_error(exc) from None
    for key, value in settings.items():
        click.echo(f"{key} = {_show(value)}")


def _show(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ",".join(value) or "-"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, dict):
        return ",".join(f"{k}={v}" for k, v in value.items()) or "normal"
    return str(value)


@main.group()
def report():
    """Check, list and export the evidence kept for reports.

    Examples:

        himaya report list

        himaya report verify

        himaya report export R20250101-1a2b3c4d --out /media/usb/report
    """


def _store():
    from himaya.companion.store import Store

    return Store(_home() / "himaya.db")


@report.command("verify")
@click.option("--head", "heads", multiple=True, metavar="COUNT:HASH",
              help="A chain head kept outside this computer's database (the extension's, a hub's): "
                   "the chain must hold that record, unchanged.")
def report_verify(heads):
    """Walk the evidence chain; name the first broken record (exit 1).

    Also checks that no capture or outbox row is left of a removed record and,
    with --head, that the chain still holds the head the extension (or a hub)
    kept: records removed from the end or rewritten show there.

    Example: himaya report verify --head 12:9f2c...e1
    """
    from himaya.core.evidence import Anchor

    try:
        anchors = [Anchor.parse(h, source=f"the head {h[:16]}...") for h in heads]
    except ValueError:
        say("bad_head", err=True)
        sys.exit(2)
    outcome = _store().verify_chain(anchors)
    if outcome["ok"]:
        say("chain_ok", count=outcome["count"], head=outcome["head"])
        return
    broken = outcome["broken"]
    if broken["seq"] is None or broken["id"] is None:
        say("chain_short", err=True, reason=broken["reason"])
    else:
        say("chain_broken", err=True, **broken)
    sys.exit(1)


@report.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
def report_list(as_json):
    """List reports, newest first. Example: himaya report list"""
    for row in _store().list_reports(limit=10_000):
        if as_json:
            click.echo(json.dumps(row, ensure_ascii=False))
        else:
            click.echo(f"{row['id']}  {row['created']}  {row['outbox']:<8} {row['units']} unit(s)  {row['url'][:80]}")


@report.command("export")
@click.argument("report_id")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to create (default: ./himaya-<ID>).")
def report_export(report_id, out):
    """Write a report's folder for a hotline: record, captures, SHA256SUMS, page in fr/ar/en.

    Example: himaya report export R20250101-1a2b3c4d --out /media/usb/report
    """
    from himaya.companion.export import export_files, write_folder

    store = _store()
    found = store.get_report(report_id)
    if found is None:
        say("no_report", err=True, id=report_id)
        sys.exit(1)
    folder = out or Path(f"himaya-{report_id}")
    if folder.exists():
        raise click.ClickException(MESSAGES["exists"][lang()].format(path=folder))
    from himaya.cli.scan import _load_scanner
    from himaya.companion.api import rule_titles

    write_folder(export_files(found, store.captures(report_id), rule_titles(_load_scanner(None)[0])), folder)
    say("exported", path=folder)
