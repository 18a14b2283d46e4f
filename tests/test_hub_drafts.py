"""Drafting a rule from a network (hub/drafts.py): the draft passes `himaya rules validate` and
`himaya rules test`, names no page, link or handle in clear (url_sha256 only), builds positive
tests from the network's indicators and negative tests from the benign collection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hub_helpers import SimCompanion, Staff, post_report
from test_hub_networks import _send_planted

from himaya.cli import main
from himaya.hub import audit, drafts, networks

ROOT = Path(__file__).resolve().parent.parent


def _cli_checks(tmp_path, text: str):
    folder = tmp_path / "draft-rules"
    shutil.copytree(ROOT / "rules" / "lexicons", folder / "lexicons")
    (folder / "network-page").mkdir()
    (folder / "network-page" / "draft.yaml").write_text(text, encoding="utf-8")
    runner = CliRunner()
    return (runner.invoke(main, ["rules", "validate", str(folder)]), runner.invoke(main, ["rules", "test", str(folder)]),
            runner.invoke(main, ["rules", "lint", str(folder)]))


def test_a_drafted_rule_validates_and_passes_its_tests(hub_app, tmp_path):
    db = hub_app.extensions["hub"].db
    _send_planted(hub_app, networks=2, pages=4, decoys=2)
    top = networks.ranked(db)[0]
    made = drafts.draft_rule(db, top["id"], "rym")
    assert made["ok"], made["checks"]
    validate, test, lint = _cli_checks(tmp_path, made["yaml"])
    assert validate.exit_code == 0 and "ok: 1 rules" in validate.output, validate.output
    assert test.exit_code == 0, test.output
    assert lint.exit_code == 0, lint.output
    rule = yaml.safe_load(made["yaml"])
    assert rule["status"] == "experimental" and rule["category"] == "network-page"
    assert {"code", "legend_emoji"} & set(rule["terms"]) and rule["terms"]["link"]["kind"] == "url_sha256"
    # a public list names no page, link or person: they travel as SHA-256 only
    info = networks.detail(db, top["id"])
    for ind in info["indicators"]:
        if ind["kind"] in ("invite", "handle", "page", "phone"):
            assert ind["value"].split(":")[-1] not in made["yaml"], ind
    assert all(len(h) == 64 for h in rule["terms"]["link"]["values"]["any"])
    # positives come from the network's codes, negatives from the benign collection
    codes = {i["value"] for i in info["indicators"] if i["kind"] in ("code", "legend")}
    assert rule["tests"]["positive"]
    assert all(any(code.split("=")[-1] in t["text"] for code in codes) for t in rule["tests"]["positive"])
    benign = {json.loads(line).get("text") for p in (ROOT / "rules" / "benign").glob("*.jsonl")
              for line in p.read_text("utf-8").splitlines() if line.strip()}
    assert len(rule["tests"]["negative"]) >= 3 and all(t["text"] in benign for t in rule["tests"]["negative"])
    assert made["checks"]["links_matched"] == made["checks"]["links"] > 0  # the hashes recognise the real links
    assert ("rym", "rule.drafted") in [(a["actor"], a["action"]) for a in audit.trail(db)]


def test_a_network_of_links_only_still_drafts(hub_app, tmp_path):
    db = hub_app.extensions["hub"].db
    client = hub_app.test_client()
    from himaya.hub.intake import enrol

    _, code = enrol(db, "v")
    sim = SimCompanion("links")
    for n in range(2):
        post_report(client, sim.report(text="rejoignez le groupe t.me/+Lk000Zq vite", author=None,
                                       url=f"https://www.instagram.com/groupe.{n}.000/"), code=code)
    nid = networks.ranked(db)[0]["id"]
    made = drafts.draft_rule(db, nid, "rym")
    assert made["ok"], made["checks"]
    validate, test, _ = _cli_checks(tmp_path, made["yaml"])
    assert validate.exit_code == 0 and test.exit_code == 0, test.output


def test_nothing_specific_means_no_draft(hub_app):
    db = hub_app.extensions["hub"].db
    client = hub_app.test_client()
    # a chat (no page address) with only common things in it: a place, a bare emoji
    post_report(client, SimCompanion("plain").report(text="Sousse 🍓 soldes", author=None,
                                                     url="https://www.messenger.com/t/100000777000"))
    nid = networks.ranked(db, min_pages=1)[0]["id"]
    with pytest.raises(drafts.DraftError) as refused:
        drafts.draft_rule(db, nid, "rym")
    assert refused.value.code == "nothing"


def test_draft_pages_for_authors_only(hub_app):
    db = hub_app.extensions["hub"].db
    _send_planted(hub_app, networks=1, pages=3, decoys=0)
    nid = networks.ranked(db)[0]["id"]
    assert Staff(hub_app, "sami").post(f"/networks/{nid}/draft").status_code == 403  # analysts do not draft
    author = Staff(hub_app, "rym")
    answer = author.post(f"/networks/{nid}/draft")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/drafts/")
    page = author.get(answer.headers["Location"]).get_data(True)
    assert 'data-ok="true"' in page and "HIM-HUB-N" in page
    download = author.get(answer.headers["Location"] + ".yaml")
    assert download.mimetype == "text/yaml" and yaml.safe_load(download.data)["id"] == f"HIM-HUB-N{nid}"
