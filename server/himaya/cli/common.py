"""What the commands share: how they fail, the data folder, which rule list.

Every refusal is one line saying what to do, and exit status 2 (``Failure``);
`himaya scan` exits 0 when nothing was found and 1 for a warning. Example::

    raise Failure("The data folder /tmp/x is a file, not a folder: ...")
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from himaya.listinfo import label  # noqa: F401 (the CLI's name for it)

TEXTS = {
    "home_is_file": {
        "en": "The data folder {path} is a file, not a folder. Set HIMAYA_HOME to a folder, or move that file away.",
        "fr": "Le dossier des données {path} est un fichier, pas un dossier. Indiquez un dossier dans HIMAYA_HOME, ou déplacez ce fichier.",
        "ar": "مجلد البيانات {path} ملف وليس مجلدًا. اجعل HIMAYA_HOME يشير إلى مجلد، أو انقل ذلك الملف."},
    "home_unwritable": {
        "en": "The data folder {path} cannot be written to. Give your account write access to it, or set HIMAYA_HOME to a folder of yours.",
        "fr": "Impossible d'écrire dans le dossier des données {path}. Donnez à votre compte le droit d'y écrire, ou indiquez un de vos dossiers dans HIMAYA_HOME.",
        "ar": "لا يمكن الكتابة في مجلد البيانات {path}. امنح حسابك حق الكتابة فيه، أو اجعل HIMAYA_HOME يشير إلى مجلد لك."},
    "home_invalid": {
        "en": "The data folder {path} cannot be used ({reason}). Set HIMAYA_HOME to a folder of yours.",
        "fr": "Le dossier des données {path} est inutilisable ({reason}). Indiquez un de vos dossiers dans HIMAYA_HOME.",
        "ar": "لا يمكن استخدام مجلد البيانات {path} ({reason}). اجعل HIMAYA_HOME يشير إلى مجلد لك."},
    "internal": {
        "en": "Himaya stopped on an unexpected error ({kind}). Nothing was changed. Run it again with HIMAYA_DEBUG=1 to see the details, and tell the association that gave you Himaya.",
        "fr": "Himaya s'est arrêté sur une erreur inattendue ({kind}). Rien n'a été modifié. Relancez avec HIMAYA_DEBUG=1 pour voir les détails, et prévenez l'association qui vous a donné Himaya.",
        "ar": "توقّف حماية بسبب خطأ غير متوقع ({kind}). لم يتغيّر شيء. أعد التشغيل مع HIMAYA_DEBUG=1 لرؤية التفاصيل، وأخبر الجمعية التي أعطتك حماية."},
}


class Failure(click.ClickException):
    """A refusal: one line on standard error, exit status 2."""

    exit_code = 2

    def show(self, file=None):
        click.echo(f"himaya: {self.format_message()}", err=True)


def lang() -> str:
    for var in ("HIMAYA_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")[:2].lower()
        if value in ("fr", "ar", "en"):
            return value
        if value:
            break
    return "en"


def text(key: str, **values) -> str:
    return TEXTS[key][lang()].format(**values)


def home() -> Path:
    """The data folder, created 0700; a clear Failure when it cannot be used."""
    from himaya.companion.config import DataFolderError, data_home

    try:
        return data_home()
    except DataFolderError as exc:
        raise Failure(text(f"home_{exc.code}", path=exc.path, reason=exc.reason)) from None


def active_list(folder: Path) -> dict | None:
    """This computer's active signed list (what the companion scans with), or None.

    ``{"files": Path, "list_id": str, "version": int, "created": str}``; read
    from ``rules/active.json`` in the data folder without writing anything.
    """
    try:
        pointer = json.loads((folder / "rules" / "active.json").read_text("utf-8"))
        bundle = folder / "rules" / "versions" / Path(pointer["dir"]).name
        manifest = json.loads((bundle / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    files = bundle / "files"
    if not files.is_dir():
        return None
    return {"files": files, "list_id": manifest.get("list_id"), "version": manifest.get("version"),
            "created": manifest.get("created")}


def list_of(files: Path) -> dict | None:
    """The published list a rules folder belongs to (its bundle's manifest beside it), or None."""
    try:
        manifest = json.loads((Path(files).parent / "manifest.json").read_text("utf-8"))
        return {"list_id": manifest["list_id"], "version": manifest["version"], "created": manifest["created"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None
