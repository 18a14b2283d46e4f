"""Evidence records: canonical bytes, capture hashes, and a chain that names its first break."""

from __future__ import annotations

import hashlib
import json

import pytest
from companion_helpers import PNG, PNG_URL, report_body

from himaya.core import evidence
from himaya.companion.config import ensure_private_dir
from himaya.companion.export import export_files, render_page, write_folder
from himaya.companion.store import Store


def test_canonical_form_is_stable():
    assert evidence.canonical({"b": [1, "é"], "a": None}) == '{"a":null,"b":[1,"é"]}'.encode()
    assert evidence.canonical({"a": 1}) == evidence.canonical(json.loads('{ "a" : 1 }'))
    with pytest.raises(evidence.EvidenceError):
        evidence.canonical({"score": 0.5})


def test_record_hashes_every_capture():
    record, captures = evidence.build_record(report_body(), "v7")
    assert record["units"][0]["sha256"] == hashlib.sha256(report_body()["units"][0]["text"].encode()).hexdigest()
    assert record["screenshot"]["sha256"] == hashlib.sha256(PNG).hexdigest() == captures[0]["sha256"]
    assert captures[0]["data"] == PNG and record["rules_version"] == "v7"
    assert "title" not in record["matches"][0]  # the extension's texts are not evidence


@pytest.mark.parametrize("url", ["data:image/gif;base64,R0lGODlh", "data:image/png;base64,QUJD",
                                 "data:image/png;base64,***", "https://evil.example/x.png",
                                 "data:image/png;base64," + "A" * (12 * 1024 * 1024)])
def test_bad_screenshots(url):
    with pytest.raises(evidence.EvidenceError):
        evidence.decode_screenshot(url)


def test_screenshot_with_line_breaks_decodes():
    head, payload = PNG_URL.split(",", 1)
    assert evidence.decode_screenshot(head + "," + payload[:10] + "\n" + payload[10:]) == ("image/png", PNG)


@pytest.fixture
def store(himaya_home):
    ensure_private_dir(himaya_home)
    s = Store(himaya_home / "himaya.db")
    for i in range(4):
        s.append_report(report_body(text=f"message number {i}"), "v1", queue=False)
    return s


def _attack(store, sql, params=()):
    """What someone with the file would do: drop the guards, then edit."""
    conn = store.conn
    conn.execute("PRAGMA foreign_keys = OFF")
    for trigger in ("evidence_no_update", "evidence_no_delete", "captures_no_update", "captures_no_delete"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute(sql, params)


def _seq_id(store, seq):
    return store.conn.execute("SELECT id FROM evidence WHERE seq = ?", [seq]).fetchone()[0]


def test_intact_chain_verifies(store):
    outcome = store.verify_chain()
    assert outcome["ok"] and outcome["count"] == 4 and outcome["head"] == store.head()


def test_changed_text_is_found(store):
    target = _seq_id(store, 2)
    row = store.conn.execute("SELECT record FROM evidence WHERE seq = 2").fetchone()[0]
    _attack(store, "UPDATE evidence SET record = ? WHERE seq = 2", [row.replace("number 1", "number X")])
    broken = store.verify_chain()["broken"]
    assert (broken["seq"], broken["id"]) == (2, target) and "SHA-256" in broken["reason"]


def test_a_changed_record_is_named_by_its_own_hash(store):
    """The page title is in no other hash: only the record's SHA-256 can tell it was changed."""
    target = _seq_id(store, 4)
    row = store.conn.execute("SELECT record FROM evidence WHERE seq = 4").fetchone()[0]
    _attack(store, "UPDATE evidence SET record = ? WHERE seq = 4", [row.replace("Messages - Sami B.", "Messages - X")])
    broken = store.verify_chain()["broken"]
    assert (broken["seq"], broken["id"]) == (4, target)
    assert broken["reason"] == "record bytes do not match their SHA-256"


def test_rehashed_record_breaks_the_next_link(store):
    row = json.loads(store.conn.execute("SELECT record FROM evidence WHERE seq = 2").fetchone()[0])
    row["units"][0]["text"] = "rewritten"
    row["units"][0]["sha256"] = hashlib.sha256(b"rewritten").hexdigest()
    body = evidence.canonical(row)
    _attack(store, "UPDATE evidence SET record = ?, sha256 = ? WHERE seq = 2",
            [body.decode(), hashlib.sha256(body).hexdigest()])
    broken = store.verify_chain()["broken"]
    assert broken["seq"] == 3 and "previous record" in broken["reason"]


def test_removed_record_is_found(store):
    _attack(store, "DELETE FROM evidence WHERE seq = 2")
    broken = store.verify_chain()["broken"]
    assert broken["seq"] == 3 and broken["id"] == _seq_id(store, 3)


def test_changed_screenshot_is_found(store):
    _attack(store, "UPDATE captures SET data = ? WHERE evidence_id = ?", [PNG + b"x", _seq_id(store, 1)])
    broken = store.verify_chain()["broken"]
    assert broken["seq"] == 1 and "screenshot.png" in broken["reason"]


def _rewrite_last(store, edit, *, body_of=evidence.canonical):
    """Edit the last record (no later link can catch it) and store it with a matching SHA-256:
    what someone who understands the format would do. Returns the record's seq and id."""
    seq = store.conn.execute("SELECT MAX(seq) FROM evidence").fetchone()[0]
    record = json.loads(store.conn.execute("SELECT record FROM evidence WHERE seq = ?", [seq]).fetchone()[0])
    edit(record)
    body = body_of(record)
    _attack(store, "UPDATE evidence SET record = ?, sha256 = ? WHERE seq = ?",
            [body.decode(), hashlib.sha256(body).hexdigest(), seq])
    return seq, _seq_id(store, seq)


def test_unit_text_that_no_longer_matches_its_hash_is_found(store):
    seq, rid = _rewrite_last(store, lambda r: r["units"][0].update(text="a different message"))
    broken = store.verify_chain()["broken"]
    assert (broken["seq"], broken["id"]) == (seq, rid) and broken["reason"] == "unit 0: text does not match its SHA-256"


def test_record_not_in_canonical_form_is_found(store):
    seq, rid = _rewrite_last(store, lambda r: None, body_of=lambda r: json.dumps(r, indent=1).encode())
    broken = store.verify_chain()["broken"]
    assert (broken["seq"], broken["id"]) == (seq, rid) and broken["reason"] == "record is not in canonical form"


def test_record_whose_own_place_differs_from_the_chain_is_found(store):
    seq, rid = _rewrite_last(store, lambda r: r.update(seq=99))
    broken = store.verify_chain()["broken"]
    assert (broken["seq"], broken["id"]) == (seq, rid) and "own seq, id or prev" in broken["reason"]


def test_reordered_records_are_found(store):
    """docs/COMPANION.md: verify names the first record that was changed, removed or reordered."""
    second, third = _seq_id(store, 2), _seq_id(store, 3)
    _attack(store, "UPDATE evidence SET seq = -1 WHERE seq = 2")
    store.conn.execute("UPDATE evidence SET seq = 2 WHERE seq = 3")
    store.conn.execute("UPDATE evidence SET seq = 3 WHERE seq = -1")
    outcome = store.verify_chain()
    assert not outcome["ok"] and outcome["count"] == 1
    assert (outcome["broken"]["seq"], outcome["broken"]["id"]) == (2, third) != (2, second)
    assert "reordered" in outcome["broken"]["reason"]


def test_a_capture_the_record_does_not_list_is_found(store):
    rid = _seq_id(store, 3)
    _attack(store, "INSERT INTO captures (evidence_id, name, mime, sha256, data) VALUES (?, ?, ?, ?, ?)",
            [rid, "extra.png", "image/png", hashlib.sha256(PNG).hexdigest(), PNG])
    broken = store.verify_chain()["broken"]
    assert (broken["seq"], broken["id"]) == (3, rid) and broken["reason"] == "captures differ from those the record lists"


def test_a_removed_capture_is_found(store):
    rid = _seq_id(store, 2)
    _attack(store, "DELETE FROM captures WHERE evidence_id = ?", [rid])
    broken = store.verify_chain()["broken"]
    assert (broken["seq"], broken["id"]) == (2, rid) and broken["reason"] == "captures differ from those the record lists"


def test_a_capture_whose_stored_hash_was_changed_is_found(store):
    rid = _seq_id(store, 4)
    _attack(store, "UPDATE captures SET sha256 = ? WHERE evidence_id = ?", ["0" * 64, rid])
    broken = store.verify_chain()["broken"]
    assert broken["id"] == rid and "screenshot.png" in broken["reason"]


# -- issue 14.3: removals and rewrites that leave a consistent chain ------------

def _head(store):
    count = store.conn.execute("SELECT count(*) FROM evidence").fetchone()[0]
    return evidence.Anchor(count, store.head(), "the extension's head")


def _rewrite_from(store, seq):
    """Edit record `seq` and re-hash it and every record after it, as an attacker
    with the file can: the chain is consistent again."""
    rows = store.conn.execute("SELECT seq, record FROM evidence WHERE seq >= ? ORDER BY seq", [seq]).fetchall()
    prev = store.conn.execute("SELECT sha256 FROM evidence WHERE seq = ?", [seq - 1]).fetchone()
    prev = prev[0] if prev else evidence.GENESIS
    for n, text in rows:
        record = json.loads(text)
        if n == seq:
            record["units"][0]["text"] = "edited"
            record["units"][0]["sha256"] = hashlib.sha256(b"edited").hexdigest()
        record["prev"] = prev
        body = evidence.canonical(record)
        digest = hashlib.sha256(body).hexdigest()
        _attack(store, "UPDATE evidence SET record = ?, sha256 = ?, prev = ? WHERE seq = ?", [body.decode(), digest, prev, n])
        prev = digest


def test_removed_newest_record_leaves_its_rows_behind(store):
    newest = _seq_id(store, 4)
    _attack(store, "DELETE FROM evidence WHERE seq = 4")
    outcome = store.verify_chain()
    assert not outcome["ok"] and outcome["broken"]["id"] == newest and "removed" in outcome["broken"]["reason"]


def test_removed_outbox_row_is_found(store):
    _attack(store, "DELETE FROM outbox WHERE report_id = ?", [_seq_id(store, 2)])
    broken = store.verify_chain()["broken"]
    assert broken["seq"] == 2 and "outbox" in broken["reason"]


def test_newest_record_removed_with_its_rows_shows_against_the_kept_head(store):
    kept = _head(store)
    newest = _seq_id(store, 4)
    for sql in ("DELETE FROM captures WHERE evidence_id = ?", "DELETE FROM outbox WHERE report_id = ?",
                "DELETE FROM evidence WHERE id = ?"):
        _attack(store, sql, [newest])
    assert store.verify_chain()["ok"]  # nothing inside the file can tell
    outcome = store.verify_chain([kept])
    assert not outcome["ok"] and outcome["count"] == 3 and "removed" in outcome["broken"]["reason"]


def test_chain_rewritten_from_an_edited_record_shows_against_the_kept_head(store):
    kept = _head(store)
    _rewrite_from(store, 2)
    assert store.verify_chain()["ok"]  # consistent again: only a head kept elsewhere shows it
    broken = store.verify_chain([kept])["broken"]
    assert broken["seq"] == 4 and "differs" in broken["reason"]
    older = evidence.Anchor(1, store.conn.execute("SELECT sha256 FROM evidence WHERE seq = 1").fetchone()[0])
    assert store.verify_chain([older])["ok"]  # records before the edit are still the witnessed ones


def test_head_parses_count_and_hash():
    assert evidence.Anchor.parse("4:" + "A" * 64) == evidence.Anchor(4, "a" * 64)
    for bad in ("4", "x:" + "a" * 64, "0:" + "a" * 64, "4:abc", "4:" + "g" * 64):
        with pytest.raises(ValueError):
            evidence.Anchor.parse(bad)


def test_export_folder_checks_itself(store, tmp_path):
    rid = _seq_id(store, 3)
    report = store.get_report(rid)
    folder = write_folder(export_files(report, store.captures(rid)), tmp_path / "out")
    sums = (folder / "SHA256SUMS").read_text().splitlines()
    assert len(sums) == 4  # record, unit, screenshot, page
    for line in sums:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert hashlib.sha256((folder / "record.json").read_bytes()).hexdigest() == report["sha256"]
    with pytest.raises(FileExistsError):
        write_folder(export_files(report, []), folder)


def test_page_is_trilingual_and_escaped(store):
    rid = _seq_id(store, 1)
    report = store.get_report(rid)
    report["record"]["units"][0]["text"] = "<script>alert(1)</script>"
    page = render_page(report)
    assert 'lang="fr"' in page and 'lang="ar" dir="rtl"' in page and 'lang="en"' in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "sha256sum -c SHA256SUMS" in page and report["sha256"] in page
