"""Commands of the companion: serve, token, pair, autostart, config, report.

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
    "bad_url": {"en": "{key}: not a valid address.", "fr": "{key} : adresse non valide.", "ar": "{key}: عنوان غير صالح."},
    "bad_url_userinfo": {"en": "{key}: an address with a user name or password is refused.",
                         "fr": "{key} : une adresse avec nom d'utilisateur ou mot de passe est refusée.",
                         "ar": "{key}: يُرفض العنوان الذي يحتوي على اسم مستخدم أو كلمة مرور."},
    "bad_url_scheme": {"en": "{key}: the address must start with https:// (http:// only for 127.0.0.1).",
                       "fr": "{key} : l'adresse doit commencer par https:// (http:// seulement pour 127.0.0.1).",
                       "ar": "{key}: يجب أن يبدأ العنوان بـ https://‎ (و http://‎ فقط لـ 127.0.0.1)."},
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
    text = MESSAGES[key][lang()].format(key=exc.key, known=", ".join(sorted(DEFAULTS)))
    return click.ClickException(text)


def _home() -> Path:
    from himaya.companion.config import data_home

    return data_home()


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=None, help="Port on 127.0.0.1 (default 47615).")
@click.option("--extension-id", "extension_ids", multiple=True, help="A Chrome extension id to trust (repeatable).")
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True)
def serve(port, extension_ids, threads):
    """Run the companion on 127.0.0.1 (production server, logs in the data folder).

    Example: himaya serve --port 47615
    """
    from himaya.companion import config as settings_mod
    from himaya.companion import pairing
    from himaya.companion.serving import PortBusy, Server, setup_logging

    home = _home()
    try:
        port = settings_mod.load(home)["port"] if port is None else port
        setup_logging(home)
        server = Server.open(home, port, extension_ids=extension_ids, threads=threads)
    except PortBusy:
        say("busy", err=True, port=port)
        sys.exit(2)
    except settings_mod.ConfigError as exc:
        click.echo(_config_error(exc).format_message(), err=True)
        sys.exit(2)
    code = pairing.new_code(home)
    say("serving", port=server.port)
    say("code", code=pairing.pretty(code))
    say("data", home=home)
    say("stop")
    sys.stdout.flush()
    server.run()


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
    """Read and change settings (intake-url, update-url, extension-ids, retention-days, port)."""


@config.command("get")
@click.argument("key")
def config_get(key):
    """Print one setting. Example: himaya config get retention-days"""
    from himaya.companion import config as settings_mod

    try:
        if key not in settings_mod.DEFAULTS:
            raise settings_mod.ConfigError(f"unknown setting {key!r}", "unknown", key)
        click.echo(_show(settings_mod.load(_home())[key]))
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
    return str(value)


@main.group()
def report():
    """Check, list and export the evidence kept for reports."""


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
    write_folder(export_files(found, store.captures(report_id)), folder)
    say("exported", path=folder)
