"""The hub's intake (POST /api/v1/intake) on SQLite and PostgreSQL: the companion's real
payload, idempotence, every hash and the chain witness re-checked, refusals as 4xx JSON,
enrolment codes, the family rate limit."""

from __future__ import annotations

import copy
import threading

import pytest
import sqlalchemy as sa
from hub_helpers import PNG, SimCompanion, body_of, make_hub, post_report

from himaya.core.evidence import canonical, sha256_hex


def _count(app, **where):
    db = app.extensions["hub"].db
    reports = db.t["reports"]
    query = sa.select(sa.func.count()).select_from(reports)
    for key, value in where.items():
        query = query.where(reports.c[key] == value)
    with db.read() as conn:
        return conn.execute(query).scalar()


def _rehash(envelope):
    """Make the envelope consistent again after changing its record (a careful forger)."""
    record = envelope["record"]
    digest = sha256_hex(canonical(record))
    envelope["sha256"] = envelope["chain_head"] = digest
    return envelope


def test_the_companions_own_payload_is_stored_once(hub_app, tmp_path):
    # The exact bytes the companion's outbox sends, from its real store.
    from companion_helpers import report_body

    from himaya.companion.config import ensure_private_dir
    from himaya.companion.outbox import Outbox
    from himaya.companion.store import Store

    ensure_private_dir(tmp_path / "companion")
    store = Store(tmp_path / "companion" / "himaya.db")
    made = store.append_report(report_body(), "v1", queue=True)
    body = Outbox(store, dict).payload(made["id"])
    client = hub_app.test_client()
    first = client.post("/api/v1/intake", data=body, content_type="application/json")
    assert first.status_code == 201, first.json
    assert first.json["status"] == "stored" and first.json["sha256"] == made["sha256"] and first.json["evidence_ok"]
    again = client.post("/api/v1/intake", data=body, content_type="application/json")
    assert again.status_code == 200 and again.json == {"status": "duplicate", "id": first.json["id"],
                                                       "sha256": made["sha256"]}
    assert _count(hub_app) == 1
    db = hub_app.extensions["hub"].db
    with db.read() as conn:
        row = conn.execute(sa.select(db.t["reports"]).where(db.t["reports"].c.sha256 == made["sha256"])).first()
        cap = conn.execute(sa.select(db.t["captures"])).first()
    assert sha256_hex(row.record.encode("utf-8")) == made["sha256"]  # kept byte for byte
    assert bytes(cap.data) == PNG and cap.sha256 == sha256_hex(PNG)
    assert row.status == "new" and row.site == "social.example" and row.priority == 0


def test_witness_links_reports_of_one_chain(hub_app):
    companion = SimCompanion("w")
    client = hub_app.test_client()
    first, second = companion.report(), companion.report()
    second_early = copy.deepcopy(first)
    second_early["chain_head"] = second["sha256"]  # sent when the second record already existed
    assert post_report(client, second_early).status_code == 201
    assert post_report(client, second).status_code == 201
    from himaya.hub.triage import get

    db = hub_app.extensions["hub"].db
    one, two = get(db, 1), get(db, 2)
    assert "head_later_not_held" in one["evidence"]["chain"]
    assert two["evidence"]["chain"] == ["head", "links_to:1"] and two["evidence_ok"]


def test_a_witness_that_contradicts_the_chain_is_kept_and_flagged(hub_app):
    companion = SimCompanion("x")
    first = companion.report()
    second = companion.report()
    client = hub_app.test_client()
    assert post_report(client, second).status_code == 201
    first["chain_head"] = first["prev"]  # claims the chain ended before this very record
    answer = post_report(client, first)
    assert answer.status_code == 201 and answer.json["evidence_ok"] is False
    from himaya.hub.triage import get

    assert "head_before_record" in get(hub_app.extensions["hub"].db, answer.json["id"])["evidence"]["problems"]


def _tamper_text(env):
    env["record"]["units"][0]["text"] += " (changed)"


def _tamper_text_rehashed(env):
    env["record"]["units"][0]["text"] += " (changed)"
    _rehash(env)


def _tamper_capture(env):
    import base64

    env["captures"][0]["base64"] = base64.b64encode(PNG + b"\x00").decode()


def _drop_capture(env):
    env["captures"] = []


def _wrong_envelope_id(env):
    env["id"] = "R20260101-00000000"


def _float(env):
    env["record"]["rules_version"] = 1.5


@pytest.mark.parametrize("tamper", [_tamper_text, _tamper_text_rehashed, _tamper_capture, _drop_capture,
                                    _wrong_envelope_id, _float])
def test_any_hash_mismatch_is_refused_and_nothing_is_kept(hub_app, tamper):
    env = SimCompanion("t").report(screenshot=True)
    tamper(env)
    answer = post_report(hub_app.test_client(), env)
    assert answer.status_code == 422 and answer.json["error"] == "evidence_mismatch", answer.json
    assert _count(hub_app) == 0


GOOD = SimCompanion("g").report()


@pytest.fixture(scope="module")
def sqlite_hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    app = make_hub(folder, "sqlite:///" + str(folder / "hub.db"))
    yield app
    app.extensions["hub"].db.close()


@pytest.mark.parametrize("body, status, error", [
    (b"{not json", 400, "bad_json"),
    (b'{"format": "himaya-report/1", "format": "x"}', 400, "bad_json"),
    (b'{"a": NaN}', 400, "bad_json"),
    (b"[]", 400, "bad_json"),
    (b"\xff\xfe", 400, "bad_json"),
    (b'{"a": "\\ud800"}', 400, "bad_json"),
    (b"[" * 100 + b"]" * 100, 400, "bad_json"),
    (body_of({**GOOD, "format": "himaya-report/2"}), 400, "bad_request"),
    (body_of({**GOOD, "extra": 1}), 400, "bad_request"),
    (body_of({k: v for k, v in GOOD.items() if k != "chain_head"}), 400, "bad_request"),
    (body_of({**GOOD, "record": {**GOOD["record"], "units": []}}), 400, "bad_request"),
])
def test_malformed_reports_get_4xx_json(sqlite_hub, body, status, error):
    # Refused before any database work: one database is enough here.
    answer = sqlite_hub.test_client().post("/api/v1/intake", data=body, content_type="application/json")
    assert answer.status_code == status and answer.json["error"] == error, answer.json
    assert "detail" in answer.json


def test_wrong_content_type_method_and_path(hub_app):
    client = hub_app.test_client()
    assert client.post("/api/v1/intake", data=body_of(GOOD), content_type="text/plain").status_code == 415
    assert client.get("/api/v1/intake").status_code == 405
    assert client.get("/api/v1/intake").json["error"] == "method_not_allowed"
    assert client.get("/api/v1/nothing").json == {"error": "not_found", "detail": None}


def test_oversized_reports_are_refused_before_reading(tmp_path):
    from himaya.hub import settings

    home = tmp_path / "hub-home"
    settings.hub_home(home)
    settings.save(home, {"max-report-bytes": 4096})
    app = make_hub(tmp_path, "sqlite:///" + str(tmp_path / "hub.db"))
    env = SimCompanion("big").report(text="x" * 5000)
    answer = post_report(app.test_client(), env)
    assert answer.status_code == 413 and answer.json["error"] == "too_large"


def test_enrolled_companions_come_first_and_unknown_codes_are_refused(hub_app):
    from himaya.hub.intake import enrol, revoke

    db = hub_app.extensions["hub"].db
    cid, code = enrol(db, "Sousse volunteers")
    client = hub_app.test_client()
    family = post_report(client, SimCompanion("f").report())
    volunteer = post_report(client, SimCompanion("v").report(), code=code.lower())  # case and dashes forgiven
    assert family.status_code == volunteer.status_code == 201
    assert _count(hub_app, priority=1, companion_id=cid) == 1 and _count(hub_app, priority=0) == 1
    from himaya.hub.triage import Filters, queue

    assert [r["id"] for r in queue(db, Filters())["rows"]] == [volunteer.json["id"], family.json["id"]]
    refused = post_report(client, SimCompanion("u").report(), code="HUB-AAAA-BBBB-CCCC-DDDD")
    assert refused.status_code == 403 and refused.json["error"] == "unknown_code"
    revoke(db, cid, "amal")
    assert post_report(client, SimCompanion("v2").report(), code=code).status_code == 403


def test_families_are_rate_limited_but_volunteers_and_resends_are_not(tmp_path, hub_db_url):
    from himaya.hub.intake import enrol

    app = make_hub(tmp_path, hub_db_url, FAMILY_RATE=(2, 3600))
    client = app.test_client()
    family = SimCompanion("fam")
    sent = [post_report(client, family.report()) for _ in range(3)]
    assert [s.status_code for s in sent] == [201, 201, 429]
    assert sent[2].json["error"] == "rate_limited" and int(sent[2].headers["Retry-After"]) > 0
    assert post_report(client, family.sent[0]).status_code == 200  # a re-send of a stored one: still answered
    _, code = enrol(app.extensions["hub"].db, "v")
    volunteer = SimCompanion("vol")
    assert all(post_report(client, volunteer.report(), code=code).status_code == 201 for _ in range(5))
    app.extensions["hub"].db.close()


def test_the_same_report_sent_at_once_by_many_threads_is_stored_once(hub_app):
    env = SimCompanion("race").report(screenshot=True)
    statuses, lock = [], threading.Lock()

    def send():
        answer = post_report(hub_app.test_client(), env)
        with lock:
            statuses.append(answer.status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [200] * 7 + [201]
    assert _count(hub_app) == 1


def test_queue_columns_come_from_the_record(hub_app):
    matches = [{"rule": "HIM-SERV-001", "severity": "high", "category": "services-ad", "spans": [[0, 3]], "unit": 0},
               {"rule": "HIM-PRIV-001", "severity": "low", "unit": 0}]
    env = SimCompanion("q").report(text="قداش عمرك؟ زيدني على سناب", url="https://m.facebook.com/pages/x.000",
                                   matches=matches)
    assert post_report(hub_app.test_client(), env).status_code == 201
    from himaya.hub.triage import get

    row = get(hub_app.extensions["hub"].db, 1)
    assert row["severity"] == "high" and row["site"] == "facebook.com" and row["lang"] == "ar"
    # the second match has no category: the hub's rules supply it
    assert set(row["categories"]) == {"services-ad", "move-to-private"}
    assert row["rules"] == ["HIM-PRIV-001", "HIM-SERV-001"]


def test_status_needs_no_credentials_and_says_nothing(hub_app):
    assert hub_app.test_client().get("/api/v1/status").json == {"ok": True}
