"""Networks of pages on SQLite and PostgreSQL: planted networks are found on receipt with no
false merge (decoys share only common indicators), fan-out indicators stop joining, merges and
splits are audited and kept, ranking, the network page, its graph data and the CLI's lines."""

from __future__ import annotations

import json
from collections import defaultdict

import sqlalchemy as sa
from click.testing import CliRunner
from hub_helpers import SimCompanion, Staff, make_hub, planted, post_report

from himaya.hub import audit, networks


def _send_planted(app, **kw):
    from himaya.hub.intake import enrol

    reports, truth = planted(**kw)
    client = app.test_client()
    sim = SimCompanion("net")
    _, code = enrol(app.extensions["hub"].db, "volunteer")
    for url, text, author in reports:
        answer = post_report(client, sim.report(text=text, url=url, author=author), code=code)
        assert answer.status_code == 201, answer.json
    return truth


def _partition(db):
    """{network id: set of page URLs' canonical keys}."""
    pages = db.t["pages"]
    groups = defaultdict(set)
    with db.read() as conn:
        for key, nid in conn.execute(sa.select(pages.c.key, pages.c.network_id)):
            groups[nid].add(key)
    return groups


def _expected(truth):
    from himaya.hub.indicators import page_key

    groups = defaultdict(set)
    for url, group in truth.items():
        groups[group].add(page_key(url)[0])
    return sorted(sorted(g) for g in groups.values())


def test_planted_networks_are_found_without_false_merges(hub_app):
    db = hub_app.extensions["hub"].db
    truth = _send_planted(hub_app, networks=6, pages=4, decoys=12)
    found = sorted(sorted(g) for g in _partition(db).values())
    assert found == _expected(truth)  # on receipt, incrementally
    networks.rebuild(db)
    assert sorted(sorted(g) for g in _partition(db).values()) == _expected(truth)  # and from scratch
    ranked = networks.ranked(db)
    assert len(ranked) == 6 and all(r["pages"] == 4 and r["reports"] == 4 for r in ranked)


def test_an_indicator_on_too_many_pages_stops_joining(hub_app, monkeypatch):
    monkeypatch.setattr(networks, "FANOUT", 5)
    db = hub_app.extensions["hub"].db
    client = hub_app.test_client()
    sim = SimCompanion("fan")
    from himaya.hub.intake import enrol

    _, code = enrol(db, "volunteer")
    for n in range(8):  # eight unrelated shops all quoting the same news page's handle
        post_report(client, code=code, envelope=sim.report(text=f"soldes, suivez @tunisie.infos.000 pour les horaires, boutique {n}",
                                       url=f"https://www.facebook.com/boutique.{n}.000", author=f"shop.{n}.000"))
    assert len(networks.ranked(db, min_pages=2)) == 0  # once common, it joined nothing: all regrouped
    inds = db.t["indicators"]
    with db.read() as conn:
        row = conn.execute(sa.select(inds).where(inds.c.value == "tunisie.infos.000")).first()
    assert row.common and row.common_reason == "fanout"


def test_manual_merge_and_split_are_audited_and_kept(hub_app):
    db = hub_app.extensions["hub"].db
    _send_planted(hub_app, networks=3, pages=3, decoys=0)
    first, second, third = sorted(r["id"] for r in networks.ranked(db))
    networks.merge(db, first, second, "rym")
    assert networks.resolve(db, second) == first
    networks.rebuild(db)  # a hand merge survives regrouping
    assert len(networks.ranked(db)) == 2
    info = networks.detail(db, first)
    assert len(info["members"]) == 6
    moving = [m["id"] for m in info["members"][:1]]
    new = networks.split(db, first, moving, "rym")
    networks.rebuild(db)
    after = {r["id"]: r["pages"] for r in networks.ranked(db, min_pages=1)}
    assert sum(after.values()) == 9 and networks.resolve(db, new) in after
    actions = [(a["actor"], a["action"]) for a in audit.trail(db)]
    assert ("rym", "network.merge") in actions and ("rym", "network.split") in actions
    split_entry = [a for a in audit.trail(db) if a["action"] == "network.split"][0]
    assert split_entry["detail"]["pages"] == moving and split_entry["detail"]["indicators_cut"]


def test_network_page_graph_and_lines(hub_app):
    db = hub_app.extensions["hub"].db
    _send_planted(hub_app, networks=2, pages=4, decoys=3)
    top = networks.ranked(db)[0]
    staff = Staff(hub_app, "sami")
    page = staff.get(f"/networks/{top['id']}")
    html = page.get_data(True)
    assert page.status_code == 200 and html.count('id="member-') == 4
    assert "/static/vendor/cytoscape.min.js" in html and 'id="__________cytoscape_stylesheet"' in html
    assert "zone" in html and "Sousse".lower() in html.lower()  # codes and neighbourhoods
    graph = staff.get(f"/networks/{top['id']}/graph.json").json
    pages = [n for n in graph["nodes"] if n["data"]["type"] == "page"]
    assert len(pages) == 4 and graph["edges"]
    assert not any(n["data"]["type"] == "site" for n in graph["nodes"])  # common domains are not drawn
    assert "network.view" in [a["action"] for a in audit.trail(db)]
    listing = staff.get("/networks").get_data(True)
    assert listing.count('data-network="') == 2
    # authors may also see networks; the CLI prints one network a line
    lines = networks.lines(db)
    assert {"id", "pages", "indicators", "reports"} <= set(lines[0]) and len(lines[0]["pages"]) == 4


def test_cli_networks_json(tmp_path, monkeypatch):
    monkeypatch.setenv("HIMAYA_HUB_HOME", str(tmp_path / "hub-home"))
    app = make_hub(tmp_path, "sqlite:///" + str(tmp_path / "hub-home" / "hub.db"))
    _send_planted(app, networks=2, pages=3, decoys=2)
    from himaya.cli import main

    result = CliRunner().invoke(main, ["hub", "networks", "--json"])
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(lines) == 4  # two networks of three pages first, then the two decoys, each alone
    assert [len(x["pages"]) for x in lines[:2]] == [3, 3]
    assert all(x["indicators"] for x in lines[:2]) and all(not x["indicators"] for x in lines[2:])
    rebuilt = CliRunner().invoke(main, ["hub", "networks", "--rebuild"])
    assert rebuilt.exit_code == 0 and "3 page(s)" in rebuilt.stdout


def test_deleting_reports_updates_their_network(hub_app):
    db = hub_app.extensions["hub"].db
    _send_planted(hub_app, networks=1, pages=3, decoys=0)
    before = sum(r["reports"] for r in networks.ranked(db, min_pages=1))
    from himaya.hub.triage import delete_report

    reports = db.t["reports"]
    with db.read() as conn:
        pk = conn.execute(sa.select(reports.c.id).limit(1)).scalar()
    delete_report(db, pk, "amal", "asked")
    assert sum(r["reports"] for r in networks.ranked(db, min_pages=1)) == before - 1


def test_a_deletion_on_request_takes_its_indicators_and_links_with_it(hub_app):
    db = hub_app.extensions["hub"].db
    client = hub_app.test_client()
    from himaya.hub.intake import enrol
    from himaya.hub.triage import delete_report

    _, code = enrol(db, "v")
    sim = SimCompanion("del")
    first = post_report(client, sim.report(text="annonce, appelez le 22 000 321", author=None,
                                           url="https://www.facebook.com/page.a.000"), code=code).json["id"]
    post_report(client, sim.report(text="même numéro 22 000 321 ici", author=None,
                                   url="https://www.facebook.com/page.b.000"), code=code)
    assert len(networks.ranked(db)) == 1  # joined by the number
    delete_report(db, first, "amal", "the family asked")
    inds = db.t["indicators"]
    with db.read() as conn:
        phones = conn.execute(sa.select(inds.c.value).where(inds.c.kind == "phone")).scalars().all()
        pages = conn.execute(sa.select(db.t["pages"].c.key)).scalars().all()
    assert phones == ["+21622000321"]  # still carried by the other report ...
    assert pages == ["facebook:name:pageb000"]  # ... but page A, named by no report now, is gone
    assert networks.ranked(db) == []  # and no network is left: one page alone
    other = networks.ranked(db, min_pages=1)[0]["id"]
    from himaya.hub.triage import Filters, queue

    delete_report(db, queue(db, Filters())["rows"][0]["id"], "amal", "asked too")
    with db.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(inds)).scalar() == 0
    assert networks.resolve(db, other) is None or networks.ranked(db, min_pages=1) == []


def test_a_backup_page_named_in_words_joins_but_a_mere_namesake_does_not(hub_app):
    db = hub_app.extensions["hub"].db
    client = hub_app.test_client()
    from himaya.hub.intake import enrol

    _, code = enrol(db, "v")
    sim = SimCompanion("names")

    def send(url, title, text):
        envelope = sim.report(text=text, url=url, author=None)
        envelope["record"]["page"]["title"] = title  # as the companion captured it
        from himaya.core.evidence import canonical, sha256_hex

        envelope["sha256"] = envelope["chain_head"] = sha256_hex(canonical(envelope["record"]))
        return post_report(client, envelope, code=code)

    # the old page announces its backup by name; the backup is reported later under that name
    assert send("https://www.facebook.com/zone.ennasr.000", "Zone Ennasr | Facebook",
                "on risque de sauter, suivez aussi « Zone Ennasr Backup » pour la suite").status_code == 201
    assert send("https://www.instagram.com/zne.backup.000/", "Zone Ennasr Backup • Instagram",
                "nouvelles dispo, DM").status_code == 201
    # two unrelated pages that happen to share a title stay apart
    assert send("https://www.facebook.com/annonces.sousse.000", "Annonces Sousse | Facebook",
                "vends vélo").status_code == 201
    assert send("https://www.tiktok.com/@annonces.sousse.000", "Annonces Sousse", "soldes").status_code == 201
    ranked = networks.ranked(db)
    assert [sorted(networks.detail(db, r["id"])["members"][i]["key"] for i in range(2)) for r in ranked] == [
        ["facebook:name:zoneennasr000", "instagram:zne.backup.000"]]
    networks.rebuild(db)  # the same from scratch
    assert len(networks.ranked(db)) == 1 and networks.ranked(db)[0]["pages"] == 2
    graph = networks.graph(networks.detail(db, networks.ranked(db)[0]["id"]))
    assert any(e["data"].get("type") == "sister" for e in graph["edges"])
