"""Staff decisions as a labelled corpus (`himaya hub export-corpus FILE`): labels, redaction of
names, handles, links and numbers, the corpus schema the project's tools read."""

from __future__ import annotations

import json

from click.testing import CliRunner
from hub_helpers import SimCompanion, make_hub, post_report

from himaya.cli import main
from himaya.core.corpus import read_items
from himaya.hub import triage
from himaya.hub.corpus import export


def _hub_with_decisions(tmp_path):
    app = make_hub(tmp_path, "sqlite:///" + str(tmp_path / "hub-home" / "hub.db"))
    db = app.extensions["hub"].db
    client = app.test_client()
    sim = SimCompanion("c")
    texts = [
        "slt 9adech 3omrek ? zidni 3al snap: lina.exemple.000 wala kallemni 22 000 123",
        "nouvelles dispo Sousse 16-17 ans, 60dt, contact @wasit.zone.000 t.me/+Zq000Lp",
        "Gâteaux d'anniversaire, code promo FETE10, livraison à Ennasr",
        "même texte en double",
        "pas encore traité",
    ]
    pks = [post_report(client, sim.report(text=t, author="Sami Ben Exemple")).json["id"] for t in texts]
    triage.set_status(db, pks[0], "confirmed", "sami")
    triage.set_status(db, pks[1], "confirmed", "sami")
    triage.set_status(db, pks[1], "escalated", "sami")
    triage.set_status(db, pks[2], "dismissed", "sami", "false_alarm")
    triage.set_status(db, pks[3], "dismissed", "sami", "duplicate")
    return app, db, pks


def test_export_labels_and_redacts(tmp_path):
    app, db, pks = _hub_with_decisions(tmp_path)
    out = tmp_path / "corpus.jsonl"
    assert export(db, out) == 3
    raw = out.read_text("utf-8")
    items = list(read_items(raw.splitlines()))
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {f"H-{pks[0]}", f"H-{pks[1]}", f"H-{pks[2]}"}  # no duplicate, nothing undecided
    first, second, third = by_id[f"H-{pks[0]}"], by_id[f"H-{pks[1]}"], by_id[f"H-{pks[2]}"]
    assert (first["label"], first["category"]) == ("risk", "move-to-private")
    assert second["label"] == "risk" and third["label"] == "benign"
    assert third["category"] == "benign-hard-negative"  # a rule had warned on it
    assert first["lang"] == "derja-latn" and "arabizi" in first["obfuscation"]
    for secret in ("lina.exemple.000", "22 000 123", "wasit.zone.000", "Zq000Lp", "Sami Ben Exemple",
                   "facebook.com/groups"):
        assert secret not in raw, secret
    assert "[handle]" in first["text"] and "[phone]" in first["text"] and "[link]" in second["text"]
    assert first["url"] == "https://facebook.com/[page]"
    assert {"id", "kind", "lang", "text", "url", "label", "category", "obfuscation", "note"} <= set(first)


def test_the_cli_writes_a_corpus_that_eval_reads(tmp_path, monkeypatch):
    monkeypatch.setenv("HIMAYA_HUB_HOME", str(tmp_path / "hub-home"))
    monkeypatch.setenv("HIMAYA_LANG", "en")
    _hub_with_decisions(tmp_path)
    out = tmp_path / "hub-corpus.jsonl"
    result = CliRunner().invoke(main, ["hub", "export-corpus", str(out)])
    assert result.exit_code == 0 and "3 labelled item(s)" in result.output
    measured = CliRunner().invoke(main, ["eval", str(out), "--json"])
    assert measured.exit_code == 0, measured.output
    assert json.loads(measured.stdout)["overall"]["n"] == 3
