"""Draft a rule from a network: what its pages share, in the rule language (rules/README.md).

The draft is a proposal for rule authors, never published by itself:

- its codes as phrases (``code fraise25``, ``kod fraise25``, ``الكود fraise25``; a distinctive
  code alone too), its emoji legends as an emoji plus its word together with an age, a private
  contact or a way in (a legend alone is a fruit seller's post);
- its invite links, sister-page addresses and handles' profile addresses only as ``url_sha256``
  (the SHA-256 of host+path): a published list names no page, link or person;
- ``not awareness``: prevention posts that quote the codes stay quiet;
- positive tests written from the indicators; negative tests taken from the project's benign
  collection (``rules/benign/``), the closest look-alikes first;
- checked as ``himaya rules validate`` and ``himaya rules test`` would: schema, then every
  test; a test the draft fails is dropped and the draft checked again.

``status: experimental``: counted, never shown to families, until an author promotes it::

    made = draft_rule(db, network_id=12, actor="rym")
    made["ok"], made["yaml"]
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
import yaml

from himaya.core.links import link_hash, parse_link
from himaya.hub import audit
from himaya.hub.db import utc_now
from himaya.hub.networks import detail

MAX_NEGATIVES = 6
EXPLAIN = {
    "child": {
        "fr": "Cette page fait partie d'un réseau connu de pages qui attirent des jeunes vers des groupes cachés. "
              "Tu n'as rien fait de mal. Ne réponds pas, n'envoie rien, ne rejoins aucun lien, parles-en à un adulte "
              "de confiance ou appelle le 1809 (gratuit).",
        "ar": "هذه الصفحة جزء من شبكة صفحات معروفة تستدرج الشباب إلى مجموعات مخفية. لم تفعل شيئًا خاطئًا. لا تردّ، "
              "لا ترسل شيئًا، لا تنضم إلى أي رابط، وتحدّث مع شخص بالغ تثق به أو اتصل بالرقم 1809 (مجاني).",
        "en": "This page is part of a known network of pages that lure young people into hidden groups. You have "
              "done nothing wrong. Don't answer, don't send anything, don't join any link, talk to an adult you "
              "trust or call 1809 (free).",
    },
    "parent": {
        "fr": "Le code, le lien ou la légende d'émojis vus ici sont ceux d'un réseau de pages signalé à l'association. "
              "Parlez calmement avec votre enfant, ne supprimez rien (ce sont des preuves), signalez avec le bouton "
              "Signaler ou au 1809.",
        "ar": "الرمز أو الرابط أو دليل الإيموجي الظاهر هنا يعود إلى شبكة صفحات أُبلغت بها الجمعية. تحدّث بهدوء مع "
              "طفلك، لا تحذف شيئًا (فهي أدلة)، وأبلغ بزر الإبلاغ أو على الرقم 1809.",
        "en": "The code, link or emoji legend seen here belongs to a network of pages reported to the NGO. Talk "
              "calmly with your child, delete nothing (it is evidence), report it with the Report button or to 1809.",
    },
}


class DraftError(ValueError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _distinctive(code: str) -> bool:
    return bool(re.search(r"\d", code)) and bool(re.search(r"[^\W\d_]", code)) and len(code) >= 5


def _link_hashes(display: str) -> set[str]:
    """url_sha256 values for one address, with the host variants a page is written with."""
    link = parse_link(display)
    if link is None:
        return set()
    hosts = {link.host}
    if link.registrable == "facebook.com":
        hosts |= {"facebook.com", "m.facebook.com", "web.facebook.com"}
    paths = {link.path, link.path.lower()}
    return {link_hash(h, p) for h in hosts for p in paths if p.strip("/")}


def build(info: dict, network_id: int) -> tuple[dict, list[str]]:
    """The rule (as a mapping) and the raw texts of its candidate positive tests."""
    inds = [i for i in info["indicators"] if not i["common"]]
    codes = sorted({i["value"] for i in inds if i["kind"] == "code"})[:12]
    legends = sorted({i["value"] for i in inds if i["kind"] == "legend"})[:12]
    hashed, link_examples = set(), []
    for i in inds:
        if i["kind"] == "page" and i["value"].startswith("url:"):
            continue  # a chat or post address, not a page: nothing to recognise elsewhere
        if i["kind"] in ("invite", "page"):
            hashes = _link_hashes(i["display"])
            hashed |= hashes
            if hashes:
                link_examples.append(i["display"])
        elif i["kind"] == "handle":
            h = i["value"]
            for addr in (f"snapchat.com/add/{h}", f"instagram.com/{h}", f"tiktok.com/@{h}"):
                hashed |= _link_hashes(addr)
    terms, parts, positives = {}, [], []
    if codes:
        values = []
        for code in codes:
            values += [f"code {code}", f"kod {code}", f"الكود {code}"]
            if _distinctive(code):
                values.append(code)
        terms["code"] = {"kind": "phrase", "description": "the network's codes", "values": {"any": values}}
        parts.append("code")
        positives += [f"le code c'est {code}, demandez en privé" for code in codes[:3]]
        positives += [f"el code {codes[0]} fel story"] if codes else []
    if legends:
        emoji = sorted({v.split("=", 1)[0] for v in legends})
        words = sorted({v.split("=", 1)[1] for v in legends})
        terms["legend_emoji"] = {"kind": "emoji", "description": "emoji of the network's legends",
                                 "values": {"any": emoji}}
        terms["legend_word"] = {"kind": "phrase", "description": "what the emoji stand for",
                                "values": {"any": words}}
        terms["ages"] = {"kind": "lexicon", "lexicon": "teen-ages"}
        terms["contact"] = {"kind": "lexicon", "lexicon": "private-contact"}
        terms["way"] = {"kind": "lexicon", "lexicon": "way-in"}
        parts.append("(legend_emoji and legend_word and any of (ages, contact, way))")
        for legend in legends[:3]:
            e, w = legend.split("=", 1)
            positives.append(f"{e}={w}, 15-17 ans, en privé")
    if hashed:
        terms["link"] = {"kind": "url_sha256", "description": "the network's invite links, pages and handles "
                                                              "(SHA-256 of host+path: the list names none)",
                         "values": {"any": sorted(hashed)}}
        parts.append("link")
        if not positives:  # only then: the test must show the link itself
            positives += [f"rejoignez {addr}" for addr in link_examples[:3]]
    if not parts:
        raise DraftError("this network has no code, legend or link specific enough for a rule", "nothing")
    terms["awareness"] = {"kind": "lexicon", "lexicon": "awareness"}
    pages = len(info["members"])
    reports = sum(m["reports"] for m in info["members"])
    rule = {
        "id": f"HIM-HUB-N{network_id}",
        "title": {"en": f"Code, legend or link of page network {network_id}",
                  "fr": f"Code, légende ou lien du réseau de pages {network_id}",
                  "ar": f"رمز أو دليل أو رابط شبكة الصفحات {network_id}"},
        "description": f"Drafted by the NGO hub from network {network_id} ({pages} pages, {reports} reports): "
                       "its codes, emoji legends and (hashed) links. Review before promoting it.",
        "category": "network-page",
        "status": "experimental",
        "severity": "high",
        "applies_to": ["profile", "post", "message"],
        "author": "Himaya hub (draft)",
        "modified": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "terms": terms,
        "condition": f"({' or '.join(parts)}) and not awareness",
        "explain": EXPLAIN,
        "falsepositives": ["Prevention posts that quote the network's codes (excluded by the awareness lexicon)."],
        "tests": {"positive": [], "negative": []},
    }
    return rule, positives


def _benign_candidates(rules_root: Path, info: dict) -> list[dict]:
    """Benign items, the closest to the network first (sharing a code word, an emoji, a place)."""
    hints = {"code", "kod", "الكود", "page", "groupe"}
    hints |= {i["value"].split("=")[0] for i in info["indicators"] if i["kind"] in ("legend", "emoji")}
    hints |= {i["value"] for i in info["indicators"] if i["kind"] == "place"}
    items = []
    for path in sorted((rules_root / "benign").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                if item.get("kind") != "thread" and item.get("text"):
                    items.append(item)
    return sorted(items, key=lambda it: (-sum(h in it["text"].lower() for h in hints), it["id"]))


def check(rule: dict, rules_root: Path) -> tuple[list[str], list[str]]:
    """(errors, test failures) of the draft beside the project's lexicons, as the CLI checks it."""
    from himaya.core.rules import RuleError, load_ruleset
    from himaya.core.rules.testing import run_tests

    folder = Path(tempfile.mkdtemp(prefix="himaya-draft-"))
    try:
        shutil.copytree(rules_root / "lexicons", folder / "lexicons")
        (folder / "network-page").mkdir()
        (folder / "network-page" / f"{rule['id'].lower()}.yaml").write_text(to_yaml(rule), "utf-8")
        try:
            ruleset = load_ruleset(folder)
        except RuleError as exc:
            return [str(exc)], []
        return [], run_tests(ruleset)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _matches(rule: dict, rules_root: Path, texts: list[str]) -> list[bool]:
    from himaya.core.matcher import Index
    from himaya.core.rules import load_ruleset

    folder = Path(tempfile.mkdtemp(prefix="himaya-draft-"))
    try:
        shutil.copytree(rules_root / "lexicons", folder / "lexicons")
        (folder / "draft.yaml").write_text(to_yaml(rule), "utf-8")
        index = Index(load_ruleset(folder).rules)
        out = []
        for text in texts:
            verdict = index.scan(text, "post")
            out.append(any(m.rule == rule["id"] for m in (*verdict.matches, *verdict.experimental)))
        return out
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def to_yaml(rule: dict) -> str:
    return yaml.safe_dump(rule, allow_unicode=True, sort_keys=False, width=110)


def draft_rule(db, network_id: int, actor: str, rules_root: Path | None = None, ip=None) -> dict:
    from himaya.core.scanner import default_rules_path

    rules_root = Path(rules_root or default_rules_path())
    info = detail(db, network_id, timeline=0)
    if info is None:
        raise DraftError("no such network", "not_found")
    rule, positives = build(info, network_id)
    link_texts = [i["display"] for i in info["indicators"] if i["kind"] in ("invite", "page") and not i["common"]
                  and not i["value"].startswith("url:")]
    # keep the positives the rule really matches, and benign items it does not
    hits = _matches(rule, rules_root, positives)
    rule["tests"]["positive"] = [{"text": t, "kind": "post"} for t, hit in zip(positives, hits) if hit]
    candidates = _benign_candidates(rules_root, info)[:60]
    quiet = _matches(rule, rules_root, [c["text"] for c in candidates])
    rule["tests"]["negative"] = [{"text": c["text"], "kind": c.get("kind", "post")}
                                 for c, hit in zip(candidates, quiet) if not hit][:MAX_NEGATIVES]
    links_seen = sum(_matches(rule, rules_root, link_texts)) if link_texts and "link" in rule["terms"] else 0
    errors, failures = check(rule, rules_root)
    checks = {"errors": errors, "failures": failures, "positives": len(rule["tests"]["positive"]),
              "negatives": len(rule["tests"]["negative"]), "dropped_positives": len(positives) - sum(hits),
              "links": len(link_texts), "links_matched": links_seen}
    ok = not errors and not failures and checks["positives"] >= 1 and checks["negatives"] >= 3
    text = to_yaml(rule)
    drafts = db.t["drafts"]
    with db.write() as conn:
        draft_id = conn.execute(drafts.insert().values(
            network_id=network_id, rule_id=rule["id"], actor=actor, created_at=utc_now(), yaml=text, ok=ok,
            checks=json.dumps(checks))).inserted_primary_key[0]
        audit.log(conn, db, actor, "rule.drafted", target=str(network_id), ip=ip,
                  detail={"draft": draft_id, "rule": rule["id"], "ok": ok})
    return {"id": draft_id, "rule_id": rule["id"], "yaml": text, "ok": ok, "checks": checks,
            "network_id": network_id}


def get_draft(db, draft_id: int) -> dict | None:
    drafts = db.t["drafts"]
    with db.read() as conn:
        row = conn.execute(sa.select(drafts).where(drafts.c.id == draft_id)).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["checks"] = json.loads(out["checks"])
    return out
