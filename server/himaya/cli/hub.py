"""`himaya hub ...`: the NGO hub's commands, thin shells over himaya.hub.

Messages a person reads exist in French, Arabic and English (``HIMAYA_LANG``,
else the locale). The hub's folder is ``--home``, else ``HIMAYA_HUB_HOME``,
else the platform's data folder for ``himaya-hub``.

Example::

    $ himaya hub init --db postgresql://hub@127.0.0.1/hub
    $ himaya hub user add amal --role admin
    $ himaya hub serve --port 8470
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from himaya.cli import main
from himaya.cli.service import lang

MESSAGES = {
    "ready": {"en": "Hub ready in {home} (database {db}, schema {rev}).",
              "fr": "Plateforme prête dans {home} (base {db}, schéma {rev}).",
              "ar": "المنصة جاهزة في {home} (قاعدة البيانات {db}، المخطط {rev})."},
    "serving": {"en": "Himaya hub running on http://{host}:{port}", "fr": "La plateforme Himaya tourne sur http://{host}:{port}",
                "ar": "منصة حماية تعمل على http://{host}:{port}"},
    "stop": {"en": "Press Ctrl+C to stop.", "fr": "Ctrl+C pour arrêter.", "ar": "اضغط Ctrl+C للإيقاف."},
    "busy": {"en": "Port {port} is already in use. Choose another with --port.",
             "fr": "Le port {port} est déjà utilisé. Choisissez-en un autre avec --port.",
             "ar": "المنفذ {port} مستخدم بالفعل. اختر منفذًا آخر بواسطة ‎--port."},
    "insecure": {"en": "--insecure-cookies is only for tests on a loopback address.",
                 "fr": "--insecure-cookies est réservé aux tests sur une adresse locale (loopback).",
                 "ar": "الخيار ‎--insecure-cookies مخصص للاختبارات على العنوان المحلي فقط."},
    "password": {"en": "Password for {name}", "fr": "Mot de passe de {name}", "ar": "كلمة مرور {name}"},
    "user_added": {"en": "Staff member {name} added ({role}).", "fr": "Membre de l'équipe {name} ajouté ({role}).",
                   "ar": "تمت إضافة عضو الفريق {name} ({role})."},
    "enrolled": {"en": "Enrolment code for \"{label}\" (shown once; on the volunteer's computer run "
                       "`himaya config set intake-code CODE`):",
                 "fr": "Code d'inscription pour « {label} » (affiché une seule fois ; sur l'ordinateur du bénévole : "
                       "`himaya config set intake-code CODE`) :",
                 "ar": "رمز التسجيل لـ «{label}» (يُعرض مرة واحدة؛ على حاسوب المتطوع: "
                       "`himaya config set intake-code CODE`):"},
    "unlocked": {"en": "{name} can log in again.", "fr": "{name} peut de nouveau se connecter.",
                 "ar": "يمكن لـ {name} تسجيل الدخول مجددًا."},
    "no_user": {"en": "No staff member {name}.", "fr": "Aucun membre de l'équipe {name}.", "ar": "لا يوجد عضو باسم {name}."},
    "purged": {"en": "{n} dismissed report(s) older than {days} days deleted.",
               "fr": "{n} signalement(s) écarté(s) depuis plus de {days} jours supprimé(s).",
               "ar": "تم حذف {n} بلاغ مرفوض منذ أكثر من {days} يومًا."},
    "corpus": {"en": "{n} labelled item(s) written to {path}.", "fr": "{n} élément(s) étiqueté(s) écrit(s) dans {path}.",
               "ar": "تمت كتابة {n} عنصر موسوم في {path}."},
    "totp": {"en": "TOTP secret for {name} (type it into an authenticator app): {secret}",
             "fr": "Secret TOTP de {name} (à saisir dans une application d'authentification) : {secret}",
             "ar": "سر TOTP لـ {name} (أدخله في تطبيق المصادقة): {secret}"},
}


def say(key: str, err: bool = False, **values) -> None:
    click.echo(MESSAGES[key][lang()].format(**values), err=err)


def _open(home, db_url=None):
    from himaya.hub import settings as settings_mod
    from himaya.hub.db import Database

    home = settings_mod.hub_home(home)
    settings = settings_mod.load(home)
    return home, Database.open(db_url or settings["db"])


home_option = click.option("--home", type=click.Path(file_okay=False), default=None,
                           help="The hub's folder (default: $HIMAYA_HUB_HOME or the platform's data folder).")
db_option = click.option("--db", "db_url", default=None,
                         help="Database URL: a SQLite path or sqlite:///..., or postgresql://user@host/name.")


@main.group()
def hub():
    """The NGO hub: receive reports, triage them, find networks, draft rules."""


@hub.command("init")
@home_option
@db_option
def hub_init(home, db_url):
    """Create (or upgrade) the hub's folder and database; keeps --db in hub.json.

    Example: himaya hub init --home /srv/himaya-hub --db postgresql://hub@127.0.0.1/hub
    """
    from himaya.hub import settings as settings_mod
    from himaya.hub.db import Database, redact_url

    home = settings_mod.hub_home(home)
    if db_url:
        settings_mod.save(home, {"db": db_url})
    settings = settings_mod.load(home)
    db = Database.open(settings["db"])
    say("ready", home=home, db=redact_url(settings["db"]), rev=db.revision())
    db.close()


@hub.command("serve")
@home_option
@db_option
@click.option("--port", type=click.IntRange(0, 65535), default=8470, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep 127.0.0.1 behind a reverse proxy (docs/HUB.md).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
@click.option("--insecure-cookies", is_flag=True, help="Session cookies without Secure (tests on 127.0.0.1 only).")
def hub_serve(home, db_url, port, host, threads, insecure_cookies):
    """Run the hub (intake API and staff web app) with waitress.

    Example: himaya hub serve --port 8470
    """
    from himaya.hub import settings as settings_mod
    from himaya.hub.serving import HubServer, PortBusy, setup_logging

    if insecure_cookies and host not in ("127.0.0.1", "::1", "localhost"):
        say("insecure", err=True)
        sys.exit(2)
    home = settings_mod.hub_home(home)
    setup_logging(home)
    config = {"SECURE_COOKIES": False} if insecure_cookies else {}
    try:
        server = HubServer.open(home, port, host=host, db=db_url, threads=threads, app_config=config)
    except PortBusy:
        say("busy", err=True, port=port)
        sys.exit(2)
    say("serving", host=host, port=server.port)
    say("stop")
    sys.stdout.flush()
    server.run()


@hub.group("user")
def hub_user():
    """Staff accounts (analyst, author, admin)."""


@hub_user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["analyst", "author", "admin"]), required=True)
@home_option
@db_option
def hub_user_add(name, role, home, db_url):
    """Add a staff member; the password is asked (read from stdin when not a terminal).

    Example: printf '%s\\n' "$PASSWORD" | himaya hub user add amal --role admin
    """
    from himaya.hub import auth

    if sys.stdin.isatty():
        password = click.prompt(MESSAGES["password"][lang()].format(name=name), hide_input=True,
                                confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    _, db = _open(home, db_url)
    try:
        auth.add_user(db, name, role, password, actor="cli")
    except auth.AuthError as exc:
        raise click.ClickException(str(exc)) from None
    say("user_added", name=name, role=role)


@hub_user.command("unlock")
@click.argument("name")
@home_option
@db_option
def hub_user_unlock(name, home, db_url):
    """Unlock an account locked after 5 wrong passwords.

    Example: himaya hub user unlock amal
    """
    from himaya.hub import auth

    _, db = _open(home, db_url)
    user = auth.get_user(db, name=name)
    if user is None:
        say("no_user", err=True, name=name)
        sys.exit(1)
    auth.unlock(db, user["id"], "cli")
    say("unlocked", name=name)


@hub_user.command("totp")
@click.argument("name")
@home_option
@db_option
def hub_user_totp(name, home, db_url):
    """Require a one-time code (TOTP) at this staff member's login; prints the secret.

    Example: himaya hub user totp amal
    """
    from himaya.hub import auth

    _, db = _open(home, db_url)
    user = auth.get_user(db, name=name)
    if user is None:
        say("no_user", err=True, name=name)
        sys.exit(1)
    secret = auth.new_totp_secret()
    auth.set_totp(db, user["id"], secret, "cli")
    say("totp", name=name, secret=secret)


@hub.command("enrol")
@click.option("--label", default="volunteer", help="Who the code is for (shown to admins).")
@home_option
@db_option
def hub_enrol(label, home, db_url):
    """Print a new enrolment code for a volunteer's companion.

    Example: himaya hub enrol --label "Sousse volunteers, laptop 3"
    """
    from himaya.hub.intake import enrol

    _, db = _open(home, db_url)
    _, code = enrol(db, label, actor="cli")
    say("enrolled", err=True, label=label)
    click.echo(code)


@hub.command("reports")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.option("--status", type=click.Choice(["new", "in_review", "confirmed", "dismissed", "escalated"]), default=None)
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=1000, show_default=True)
@home_option
@db_option
def hub_reports(as_json, status, limit, home, db_url):
    """List received reports, newest first (id, received, status, address, categories, evidence).

    Example: himaya hub reports --json --status new
    """
    from himaya.hub import triage

    _, db = _open(home, db_url)
    filters = triage.Filters(status=status or "")
    done, page = 0, 1
    while done < limit:
        result = triage.queue(db, filters, page=page, size=min(500, limit - done))
        for row in result["rows"]:
            item = {"id": row["id"], "report_id": row["report_id"], "received_at": row["received_at"],
                    "status": row["status"], "url": row["url"], "categories": row["categories"],
                    "severity": row["severity"], "evidence_ok": bool(row["evidence_ok"]), "sha256": row["sha256"]}
            if as_json:
                click.echo(json.dumps(item, ensure_ascii=False))
            else:
                mark = "ok " if item["evidence_ok"] else "BAD"
                click.echo(f"{row['id']:>7}  {row['received_at'][:19]}  {row['status']:<10} {mark} "
                           f"{','.join(row['categories']) or '-':<30} {row['url'][:80]}")
        done += len(result["rows"])
        if not result["more"]:
            break
        page += 1


@hub.command("purge")
@home_option
@db_option
def hub_purge(home, db_url):
    """Delete dismissed reports past the retention period now (also done hourly by serve).

    Example: himaya hub purge
    """
    from himaya.hub import settings as settings_mod
    from himaya.hub.triage import purge_dismissed

    home, db = _open(home, db_url)

    days = int(db.get_meta("retention-days") or settings_mod.load(home)["retention-days"])
    say("purged", n=purge_dismissed(db, days, actor="cli"), days=days)


@hub.command("networks")
@click.option("--json", "as_json", is_flag=True, help="One JSON object a line.")
@click.option("--rebuild", is_flag=True, help="Recompute every network from the stored links first.")
@home_option
@db_option
def hub_networks(as_json, rebuild, home, db_url):
    """List networks of pages, highest ranked first (id, pages, indicators, reports).

    Example: himaya hub networks --json
    """
    from himaya.hub import networks

    _, db = _open(home, db_url)
    if rebuild:
        networks.rebuild(db)
    for line in networks.lines(db):
        if as_json:
            click.echo(json.dumps(line, ensure_ascii=False))
        else:
            click.echo(f"{line['id']:>6}  {len(line['pages']):>3} page(s)  {line['reports']:>4} report(s)  "
                       f"{', '.join(line['indicators'][:6])}")


@hub.command("export-corpus")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@home_option
@db_option
def hub_export_corpus(file, home, db_url):
    """Write confirmed (risk) and dismissed (benign) reports as a labelled corpus, names redacted.

    Example: himaya hub export-corpus hub-corpus.jsonl && himaya eval hub-corpus.jsonl
    """
    from himaya.hub.corpus import export

    _, db = _open(home, db_url)
    say("corpus", n=export(db, file), path=file)
