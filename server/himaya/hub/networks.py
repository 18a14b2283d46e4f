"""Networks: pages joined by what they share.

Every report is about a page (its address, canonical per platform) and carries
indicators (indicators.py). Pages that share an indicator that is not common
(a code, an admin's handle, an invite link, a phone number, an emoji legend, a
sister page) belong to one network; common indicators (the platform's domain,
a bare emoji, a place name) never join pages alone, and neither does an
indicator found on more than ``FANOUT`` pages (a handle everyone writes).

On receipt (inside the intake transaction) a report's page and indicators are
stored and networks are joined incrementally; ``rebuild()`` recomputes every
network from the stored links in memory (a union-find) and keeps staff
decisions: merges made by hand stay, and a split marks the indicators it cut
as not joining::

    attach(conn, db, report_pk, record, severity_rank, received_at)   # intake
    rebuild(db)                                                      # after a split, or on demand
    ranked(db)[:10]                                                  # the networks page
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

import sqlalchemy as sa

from himaya.core.evidence import sha256_hex
from himaya.hub import audit
from himaya.hub.db import utc_now
from himaya.hub.indicators import COMMON_KINDS, extract, page_key

FANOUT = 25            # an indicator on more pages than this is treated as common
NAME_KINDS = ("title", "sister")  # join each other only: a sister named -> the page of that name
NETWORK_STATUSES = ("open", "watching", "reported", "closed")


class NetworkError(ValueError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def _upsert_ignore(conn, db, table, rows) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on both databases (concurrent intakes race here)."""
    if not rows:
        return
    if db.dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(table).on_conflict_do_nothing(), rows)


def own_page(record: dict) -> tuple[str, str, str]:
    """(key, platform, display) of the page a report is about; a chat or post without a page
    address gets a key of its own (its address hashed)."""
    url = (record.get("page") or {}).get("url") or ""
    key = page_key(url)
    if key:
        return key
    from himaya.core.links import parse_link

    link = parse_link(url)
    site = link.registrable if link else "other"
    return f"url:{sha256_hex(url.encode('utf-8'))[:24]}", site, url[:300]


def attach(conn, db, report_pk: int, record: dict, severity_rank: int, received_at: str) -> tuple[int, bool]:
    """Store the report's page and indicators and join networks.

    Returns (network id, whether an indicator just passed ``FANOUT`` pages: it stops joining, and
    the pages it joined before must be regrouped by ``rebuild()`` once this transaction commits)."""
    pages, inds, reports = db.t["pages"], db.t["indicators"], db.t["reports"]
    key, platform, display = own_page(record)
    found = extract(record)
    now = received_at
    # the report's page, and every sister page it names
    sister = [i for i in found if i.kind == "page" and i.value != key]
    page_rows = [{"key": key, "platform": platform, "display": display, "first_seen": now, "last_seen": now,
                  "reports": 0}]
    page_rows += [{"key": i.value, "platform": i.value.split(":", 1)[0], "display": i.display, "first_seen": now,
                   "last_seen": now, "reports": 0} for i in sister]
    _upsert_ignore(conn, db, pages, page_rows)
    ids = dict(conn.execute(sa.select(pages.c.key, pages.c.id).where(
        pages.c.key.in_([r["key"] for r in page_rows]))).all())
    page_id = ids[key]
    conn.execute(pages.update().where(pages.c.id == page_id).values(
        last_seen=now, reports=pages.c.reports + 1))
    conn.execute(reports.update().where(reports.c.id == report_pk).values(page_id=page_id))
    # indicators: every page has its own "page" indicator, so naming a page joins it
    if not any(i.kind == "page" and i.value == key for i in found):
        from himaya.hub.indicators import Indicator

        found.append(Indicator("page", key, display))
    _upsert_ignore(conn, db, inds, [{"kind": i.kind, "value": i.value, "display": i.display,
                                     "common": i.common, "pages": 0} for i in found])
    wanted = {(i.kind, i.value) for i in found}
    rows = [r for r in conn.execute(sa.select(inds.c.id, inds.c.kind, inds.c.value, inds.c.common).where(
        inds.c.kind.in_({k for k, _ in wanted}), inds.c.value.in_({v for _, v in wanted})))
        if (r.kind, r.value) in wanted]
    ind_ids = {(r.kind, r.value): r for r in rows}
    _upsert_ignore(conn, db, db.t["report_indicators"],
                   [{"report_pk": report_pk, "indicator_id": r.id} for r in rows])
    links = [(page_id, r.id) for r in rows]
    links += [(ids[i.value], ind_ids[("page", i.value)].id) for i in sister]  # the sister's own page indicator
    flipped = _link_pages(conn, db, links)
    # which networks does this join?
    live = {r.id: r for r in conn.execute(sa.select(inds.c.id, inds.c.kind, inds.c.value).where(
        inds.c.id.in_([r.id for r in rows]), inds.c.common == sa.false()))}
    joining = [i for i, r in live.items() if r.kind not in NAME_KINDS]
    members = {page_id, *(ids[i.value] for i in sister)}
    pi = db.t["page_indicators"]
    if joining:
        members |= {r[0] for r in conn.execute(sa.select(pi.c.page_id).where(pi.c.indicator_id.in_(joining)))}
    # a page named as a sister joins the pages whose own name it is (and others naming it);
    # two pages that merely have the same name do not join
    named = {r.value for r in live.values() if r.kind == "sister"}
    titled = {r.value for r in live.values() if r.kind == "title"}
    # one query per lookup, each on the (kind, value) index (an OR of both would scan)
    for kinds, values in ((NAME_KINDS, named), (("sister",), titled)):
        if values:
            members |= {r[0] for r in conn.execute(sa.select(pi.c.page_id).select_from(
                pi.join(inds, inds.c.id == pi.c.indicator_id)).where(
                inds.c.kind.in_(kinds), inds.c.value.in_(values), inds.c.common == sa.false()))}
    return _join(conn, db, members, severity_rank, received_at, page_id), flipped


def _link_pages(conn, db, links) -> bool:
    pi, inds = db.t["page_indicators"], db.t["indicators"]
    links = sorted(set(links))
    existing = set()
    if links:
        existing = {(r[0], r[1]) for r in conn.execute(sa.select(pi.c.page_id, pi.c.indicator_id).where(
            pi.c.page_id.in_({p for p, _ in links}), pi.c.indicator_id.in_({i for _, i in links})))}
    new = [link for link in links if link not in existing]
    if not new:
        return False
    _upsert_ignore(conn, db, pi, [{"page_id": p, "indicator_id": i} for p, i in new])
    by_count: dict[int, list[int]] = defaultdict(list)
    for ind_id, n in Counter(i for _, i in new).items():
        by_count[n].append(ind_id)
    for n, ind_ids in by_count.items():  # one statement in the usual case (each indicator once)
        conn.execute(inds.update().where(inds.c.id.in_(ind_ids)).values(pages=inds.c.pages + n))
    # an indicator on too many pages is something everyone writes: it stops joining
    flipped = conn.execute(inds.update().where(inds.c.id.in_([i for _, i in new]), inds.c.pages > FANOUT,
                                               inds.c.common == sa.false())
                           .values(common=True, common_reason="fanout")).rowcount
    return bool(flipped)


def _join(conn, db, members: set[int], severity_rank: int, received_at: str, page_id: int) -> int:
    pages, networks = db.t["pages"], db.t["networks"]
    current = {r[0] for r in conn.execute(sa.select(pages.c.network_id).where(
        pages.c.id.in_(members), pages.c.network_id.is_not(None)).distinct())}
    now = utc_now()
    if current:
        target = min(current)
    else:
        target = conn.execute(networks.insert().values(status="open", pages=0, reports=0, severity_rank=0,
                                                       created_at=now, updated_at=now)).inserted_primary_key[0]
    others = sorted(current - {target})
    conn.execute(pages.update().where(pages.c.id.in_(members), sa.or_(
        pages.c.network_id.is_(None), pages.c.network_id != target)).values(network_id=target))
    if others:
        conn.execute(pages.update().where(pages.c.network_id.in_(others)).values(network_id=target))
        conn.execute(networks.update().where(networks.c.id.in_(others)).values(merged_into=target, pages=0,
                                                                                 reports=0, updated_at=now))
        refresh_stats(conn, db, [target])
    else:
        n_pages = conn.execute(sa.select(sa.func.count()).select_from(pages).where(
            pages.c.network_id == target)).scalar()
        conn.execute(networks.update().where(networks.c.id == target).values(
            pages=n_pages, reports=networks.c.reports + 1,
            severity_rank=sa.case((networks.c.severity_rank < severity_rank, severity_rank),
                                  else_=networks.c.severity_rank),
            last_report_at=sa.case((sa.or_(networks.c.last_report_at.is_(None),
                                           networks.c.last_report_at < received_at), received_at),
                                   else_=networks.c.last_report_at),
            updated_at=now))
    return target


def refresh_stats(conn, db, network_ids=None) -> None:
    """Recount pages, reports, last report and highest severity (all networks, or these)."""
    pages, reports, networks = db.t["pages"], db.t["reports"], db.t["networks"]
    pq = sa.select(pages.c.network_id, sa.func.count()).group_by(pages.c.network_id)
    rq = (sa.select(pages.c.network_id, sa.func.count(), sa.func.max(reports.c.received_at),
                    sa.func.max(reports.c.severity_rank))
          .select_from(reports.join(pages, pages.c.id == reports.c.page_id)).group_by(pages.c.network_id))
    if network_ids is not None:
        # a few networks: their pages first (index on network_id), then those pages' reports
        # (index on page_id), so neither database walks every report
        member_pages = sa.select(pages.c.id).where(pages.c.network_id.in_(network_ids)).scalar_subquery()
        pq = pq.where(pages.c.network_id.in_(network_ids))
        rq = rq.where(reports.c.page_id.in_(member_pages), pages.c.network_id.in_(network_ids))
    n_pages = dict(conn.execute(pq).all())
    stats = {r[0]: r[1:] for r in conn.execute(rq)}
    ids = network_ids if network_ids is not None else [r[0] for r in conn.execute(
        sa.select(networks.c.id).where(networks.c.merged_into.is_(None)))]
    rows = []
    for nid in ids:
        count, last, sev = stats.get(nid, (0, None, 0))
        rows.append({"b_id": nid, "pages": n_pages.get(nid, 0), "reports": count, "last": last,
                     "sev": sev or 0})
    if rows:
        conn.execute(networks.update().where(networks.c.id == sa.bindparam("b_id")).values(
            pages=sa.bindparam("pages"), reports=sa.bindparam("reports"), last_report_at=sa.bindparam("last"),
            severity_rank=sa.bindparam("sev")), rows)


def forget(conn, db, page_ids) -> None:
    """After reports are deleted: drop what only they said (a page's links to indicators no
    remaining report carries, indicators nothing carries any more, pages nothing names)."""
    pages, pi, ri, inds, reports = (db.t[n] for n in ("pages", "page_indicators", "report_indicators",
                                                       "indicators", "reports"))
    page_ids = sorted(set(page_ids))
    if not page_ids:
        return
    own = dict(conn.execute(sa.select(pages.c.id, inds.c.id).select_from(
        pages.join(inds, sa.and_(inds.c.kind == "page", inds.c.value == pages.c.key)))
        .where(pages.c.id.in_(page_ids))).all())
    for page_id in page_ids:
        keep = {r[0] for r in conn.execute(sa.select(ri.c.indicator_id).select_from(
            ri.join(reports, reports.c.id == ri.c.report_pk)).where(reports.c.page_id == page_id))}
        if page_id in own:
            keep.add(own[page_id])
        dropped = [r[0] for r in conn.execute(sa.select(pi.c.indicator_id).where(pi.c.page_id == page_id))
                   if r[0] not in keep]
        if dropped:
            conn.execute(pi.delete().where(pi.c.page_id == page_id, pi.c.indicator_id.in_(dropped)))
            conn.execute(inds.update().where(inds.c.id.in_(dropped)).values(pages=inds.c.pages - 1))
    # pages no report is about and no other page's report names
    named = sa.select(pi.c.page_id).where(pi.c.indicator_id.in_(
        sa.select(inds.c.id).where(inds.c.kind == "page"))).group_by(pi.c.page_id).having(sa.func.count() > 1)
    orphan_pages = [r[0] for r in conn.execute(sa.select(pages.c.id).where(
        pages.c.id.in_(page_ids), pages.c.reports <= 0, pages.c.id.not_in(named)))]
    if orphan_pages:
        conn.execute(pi.delete().where(pi.c.page_id.in_(orphan_pages)))
        conn.execute(pages.delete().where(pages.c.id.in_(orphan_pages)))
    # indicators nothing carries any more: their values (numbers, handles) leave the database
    conn.execute(inds.delete().where(
        inds.c.id.not_in(sa.select(pi.c.indicator_id)), inds.c.id.not_in(sa.select(ri.c.indicator_id))))


# -- the whole graph in memory ----------------------------------------------------------

class _UnionFind:
    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = parent.setdefault(x, x)
        while root != parent[root]:
            root = parent[root]
        while x != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra < rb:
                ra, rb = rb, ra
            self.parent[ra] = rb


def rebuild(db) -> dict:
    """Recompute every network from the stored links, keeping ids where pages already are.

    Returns ``{"pages", "links", "networks", "changed"}``."""
    pages, pi, inds, networks = db.t["pages"], db.t["page_indicators"], db.t["indicators"], db.t["networks"]
    with db.write() as conn:
        conn.execute(inds.update().where(inds.c.pages > FANOUT, inds.c.common == sa.false())
                     .values(common=True, common_reason="fanout"))
        current = dict(conn.execute(sa.select(pages.c.id, pages.c.network_id)).all())
        joining = sa.select(inds.c.id).where(inds.c.common == sa.false(), inds.c.kind.not_in(NAME_KINDS))
        by_indicator: dict[int, int] = {}
        uf = _UnionFind()
        links = 0
        for page_id, ind_id in conn.execute(sa.select(pi.c.page_id, pi.c.indicator_id)
                                            .where(pi.c.indicator_id.in_(joining))):
            links += 1
            first = by_indicator.setdefault(ind_id, page_id)
            if first != page_id:
                uf.union(first, page_id)
        names: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"title": [], "sister": []})
        for page_id, kind, value in conn.execute(
                sa.select(pi.c.page_id, inds.c.kind, inds.c.value).select_from(
                    pi.join(inds, inds.c.id == pi.c.indicator_id))
                .where(inds.c.kind.in_(NAME_KINDS), inds.c.common == sa.false())):
            names[value][kind].append(page_id)
        for held in names.values():
            if held["sister"]:  # named as a sister: joins the namers and the pages of that name
                group = held["sister"] + held["title"]
                links += len(group)
                for page_id in group[1:]:
                    uf.union(group[0], page_id)
        overrides = db.t["network_overrides"]
        for a, b in conn.execute(sa.select(overrides.c.page_a, overrides.c.page_b)
                                 .where(overrides.c.kind == "merge")):
            uf.union(a, b)
        components: dict[int, list[int]] = defaultdict(list)
        for page_id in current:
            components[uf.find(page_id)].append(page_id)
        # each component keeps the network most of its pages are in (the lowest id on a tie);
        # components left without one get new networks, made in one batch
        taken, assign, changed, orphans = set(), {}, [], []
        now = utc_now()
        for members in sorted(components.values(), key=len, reverse=True):
            votes = Counter(current[p] for p in members if current[p] is not None)
            choice = next((nid for nid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
                           if nid not in taken), None)
            if choice is None:
                orphans.append(members)
                continue
            taken.add(choice)
            for p in members:
                assign[p] = choice
        fresh = _new_network_ids(conn, db, len(orphans))
        if fresh:
            conn.execute(networks.insert(), [{"id": nid, "status": "open", "pages": 0, "reports": 0,
                                              "severity_rank": 0, "created_at": now, "updated_at": now}
                                             for nid in fresh])
        for nid, members in zip(fresh, orphans):
            taken.add(nid)
            for p in members:
                assign[p] = nid
        changed = [{"b_id": p, "nid": nid} for p, nid in assign.items() if current[p] != nid]
        if changed:
            conn.execute(pages.update().where(pages.c.id == sa.bindparam("b_id"))
                         .values(network_id=sa.bindparam("nid")), changed)
        live = conn.execute(sa.select(networks.c.id).where(networks.c.merged_into.is_(None))).scalars().all()
        gone = [nid for nid in live if nid not in taken]
        for start in range(0, len(gone), 500):
            conn.execute(networks.update().where(networks.c.id.in_(gone[start:start + 500]))
                         .values(merged_into=0, pages=0, reports=0, updated_at=now))
        refresh_stats(conn, db)
    return {"pages": len(current), "links": links, "networks": len(taken), "changed": len(changed)}


def _new_network_ids(conn, db, n: int) -> list[int]:
    """``n`` fresh network ids: PostgreSQL's sequence, or past the highest id on SQLite (whose
    writer holds the database's write lock for this whole transaction)."""
    if n == 0:
        return []
    if db.dialect == "postgresql":
        return [r[0] for r in conn.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence('networks', 'id')) FROM generate_series(1, %(n)s)", {"n": n})]
    top = conn.execute(sa.select(sa.func.coalesce(sa.func.max(db.t["networks"].c.id), 0))).scalar()
    return list(range(top + 1, top + 1 + n))


# -- what staff see and do --------------------------------------------------------------

def ranked(db, limit: int = 100, min_pages: int = 2, days: int = 30) -> list[dict]:
    """Networks by rank: 2 points a page, 3 a severity level, and for recent activity 10 when the
    last report is under a week old, 5 under ``days`` days. One scan of ``networks``
    (no join); then the reports of the last ``days`` days counted for the networks shown only."""
    pages, reports, networks = db.t["pages"], db.t["reports"], db.t["networks"]
    week, cutoff = utc_now(-timedelta(days=7)), utc_now(-timedelta(days=days))
    score = (2 * networks.c.pages + 3 * networks.c.severity_rank
             + sa.case((networks.c.last_report_at >= week, 10), (networks.c.last_report_at >= cutoff, 5), else_=0))
    query = (sa.select(networks, score.label("score"))
             .where(networks.c.merged_into.is_(None), networks.c.pages >= min_pages)
             .order_by(score.desc(), networks.c.id.desc()).limit(limit))
    with db.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(query)]
        recent = {}
        for start in range(0, len(rows), 500):
            ids = [r["id"] for r in rows[start:start + 500]]
            recent.update(conn.execute(
                sa.select(pages.c.network_id, sa.func.count())
                .select_from(reports.join(pages, pages.c.id == reports.c.page_id))
                .where(pages.c.network_id.in_(ids), reports.c.received_at >= cutoff)
                .group_by(pages.c.network_id)).all())
    for row in rows:
        row["recent"] = recent.get(row["id"], 0)
    return rows


def resolve(db, network_id: int) -> int | None:
    """A merged network's id leads to the one it was merged into."""
    networks = db.t["networks"]
    seen = set()
    with db.read() as conn:
        while network_id not in seen:
            seen.add(network_id)
            row = conn.execute(sa.select(networks.c.id, networks.c.merged_into)
                               .where(networks.c.id == network_id)).first()
            if row is None:
                return None
            if not row.merged_into:
                return row.id if row.merged_into is None else None
            network_id = row.merged_into
    return None


def detail(db, network_id: int, timeline: int = 200) -> dict | None:
    """Members, shared indicators, neighbourhoods and the timeline of reports of one network."""
    pages, pi, inds, reports, networks = (db.t[n] for n in ("pages", "page_indicators", "indicators", "reports",
                                                              "networks"))
    with db.read() as conn:
        net = conn.execute(sa.select(networks).where(networks.c.id == network_id)).first()
        if net is None:
            return None
        members = [dict(r._mapping) for r in conn.execute(
            sa.select(pages).where(pages.c.network_id == network_id).order_by(pages.c.reports.desc(), pages.c.id)
            .limit(500))]
        member_ids = [m["id"] for m in members]
        pairs = conn.execute(
            sa.select(pi.c.page_id, inds.c.id, inds.c.kind, inds.c.value, inds.c.display, inds.c.common)
            .select_from(pi.join(inds, inds.c.id == pi.c.indicator_id))
            .where(pi.c.page_id.in_(member_ids or [0]))).all()
        events = [dict(r._mapping) for r in conn.execute(
            sa.select(reports.c.id, reports.c.received_at, reports.c.status, reports.c.severity, reports.c.page_id,
                      reports.c.title, reports.c.url)
            .where(reports.c.page_id.in_(member_ids or [0]))
            .order_by(reports.c.received_at.desc()).limit(timeline))]
    by_indicator: dict[int, dict] = {}
    for page_id, ind_id, kind, value, display, common in pairs:
        entry = by_indicator.setdefault(ind_id, {"id": ind_id, "kind": kind, "value": value, "display": display,
                                                 "common": common or kind in COMMON_KINDS, "pages": set()})
        entry["pages"].add(page_id)
    shared = sorted((i for i in by_indicator.values() if not i["common"] and len(i["pages"]) >= 2
                     and i["kind"] not in ("page", *NAME_KINDS)), key=lambda i: (-len(i["pages"]), i["kind"], i["value"]))
    places = sorted((i for i in by_indicator.values() if i["kind"] == "place"), key=lambda i: -len(i["pages"]))
    codes = [i for i in by_indicator.values() if i["kind"] in ("code", "legend", "sister")]
    return {"network": dict(net._mapping), "members": members, "indicators": list(by_indicator.values()),
            "shared": shared, "places": places, "codes": sorted(codes, key=lambda i: -len(i["pages"])),
            "timeline": events}


def graph(info: dict, max_nodes: int = 600) -> dict:
    """Nodes and edges for the browser (cytoscape's JSON): pages, and the indicators joining them."""
    nodes, edges = [], []
    for m in info["members"][:max_nodes // 2]:
        nodes.append({"data": {"id": f"p{m['id']}", "label": m["display"], "type": "page", "reports": m["reports"]}})
    keep = {f"p{m['id']}" for m in info["members"][:max_nodes // 2]}
    for ind in sorted(info["indicators"], key=lambda i: -len(i["pages"])):
        if (ind["kind"] in ("page", *NAME_KINDS) or (ind["common"] and ind["kind"] != "place")
                or len(nodes) >= max_nodes):
            continue
        nid = f"i{ind['id']}"
        nodes.append({"data": {"id": nid, "label": ind["display"], "type": ind["kind"]}})
        for page_id in sorted(ind["pages"]):
            if f"p{page_id}" in keep:
                edges.append({"data": {"id": f"{nid}-p{page_id}", "source": nid, "target": f"p{page_id}"}})
    # sister pages named in words: the namer and the page of that name
    by_name: dict[str, dict[str, set]] = defaultdict(lambda: {"title": set(), "sister": set()})
    for ind in info["indicators"]:
        if ind["kind"] in NAME_KINDS:
            by_name[ind["value"]][ind["kind"]] |= ind["pages"]
    for value, held in sorted(by_name.items()):
        for a in sorted(held["sister"]):
            for b in sorted(held["title"] - {a}):
                if f"p{a}" in keep and f"p{b}" in keep:
                    edges.append({"data": {"id": f"n{a}-{b}-{len(edges)}", "source": f"p{a}", "target": f"p{b}",
                                           "type": "sister"}})
    # sister pages: a page indicator joins the page that named it
    for ind in info["indicators"]:
        if ind["kind"] != "page":
            continue
        owners = sorted(ind["pages"])
        for a in owners[1:]:
            if f"p{owners[0]}" in keep and f"p{a}" in keep:
                edges.append({"data": {"id": f"s{ind['id']}-{a}", "source": f"p{owners[0]}", "target": f"p{a}",
                                       "type": "sister"}})
    return {"nodes": nodes, "edges": edges}


def merge(db, into: int, other: int, actor: str, ip=None) -> int:
    """Join two networks by hand (kept by rebuild); audited."""
    if into == other:
        raise NetworkError("a network cannot be merged with itself", "same")
    pages, networks = db.t["pages"], db.t["networks"]
    with db.write() as conn:
        live = {r[0] for r in conn.execute(sa.select(networks.c.id).where(
            networks.c.id.in_([into, other]), networks.c.merged_into.is_(None)))}
        if live != {into, other}:
            raise NetworkError("no such network", "not_found")
        a = conn.execute(sa.select(sa.func.min(pages.c.id)).where(pages.c.network_id == into)).scalar()
        b = conn.execute(sa.select(sa.func.min(pages.c.id)).where(pages.c.network_id == other)).scalar()
        if a is not None and b is not None:
            conn.execute(db.t["network_overrides"].insert().values(kind="merge", page_a=a, page_b=b, actor=actor,
                                                                  at=utc_now()))
        conn.execute(pages.update().where(pages.c.network_id == other).values(network_id=into))
        conn.execute(networks.update().where(networks.c.id == other).values(merged_into=into, pages=0, reports=0,
                                                                            updated_at=utc_now()))
        refresh_stats(conn, db, [into])
        audit.log(conn, db, actor, "network.merge", target=str(into), ip=ip, detail={"into": into, "merged": other})
    return into


def split(db, network_id: int, page_ids: list[int], actor: str, ip=None) -> int:
    """Move pages out into a new network. The indicators they shared with the rest stop joining
    (staff judged them not meaningful) and hand merges across the cut are dropped; audited."""
    pages, pi, inds, networks = db.t["pages"], db.t["page_indicators"], db.t["indicators"], db.t["networks"]
    overrides = db.t["network_overrides"]
    with db.write() as conn:
        members = set(conn.execute(sa.select(pages.c.id).where(pages.c.network_id == network_id)).scalars())
        moving = set(page_ids) & members
        if not moving or moving == members:
            raise NetworkError("choose some, not all, of the network's pages", "bad_split")
        staying = members - moving
        side = defaultdict(set)
        for page_id, ind_id in conn.execute(sa.select(pi.c.page_id, pi.c.indicator_id)
                                            .where(pi.c.page_id.in_(members))):
            side[ind_id].add("m" if page_id in moving else "s")
        cut = sorted(i for i, sides in side.items() if sides == {"m", "s"})
        if cut:
            conn.execute(inds.update().where(inds.c.id.in_(cut)).values(common=True, common_reason="split"))
        conn.execute(overrides.delete().where(sa.or_(
            sa.and_(overrides.c.page_a.in_(moving), overrides.c.page_b.in_(staying)),
            sa.and_(overrides.c.page_a.in_(staying), overrides.c.page_b.in_(moving)))))
        now = utc_now()
        new = conn.execute(networks.insert().values(status="open", pages=0, reports=0, severity_rank=0,
                                                    created_at=now, updated_at=now)).inserted_primary_key[0]
        conn.execute(pages.update().where(pages.c.id.in_(moving)).values(network_id=new))
        refresh_stats(conn, db, [network_id, new])
        audit.log(conn, db, actor, "network.split", target=str(network_id), ip=ip,
                  detail={"from": network_id, "new": new, "pages": sorted(moving), "indicators_cut": cut})
    rebuild(db)  # the rest may now fall apart into several networks too
    return resolve(db, new) or new


def set_status(db, network_id: int, status: str, actor: str, ip=None) -> None:
    if status not in NETWORK_STATUSES:
        raise NetworkError("unknown status", "bad_status")
    networks = db.t["networks"]
    with db.write() as conn:
        conn.execute(networks.update().where(networks.c.id == network_id).values(status=status,
                                                                                 updated_at=utc_now()))
        audit.log(conn, db, actor, "network.status", target=str(network_id), ip=ip, detail={"status": status})


def lines(db) -> list[dict]:
    """``himaya hub networks --json``: one network a line (id, pages, indicators, reports)."""
    out = []
    for row in ranked(db, limit=1_000_000, min_pages=1):
        info = detail(db, row["id"], timeline=0)
        out.append({"id": row["id"], "status": row["status"], "score": row["score"],
                    "pages": [m["key"] for m in info["members"]],
                    "indicators": sorted(f"{i['kind']}:{i['value']}" for i in info["shared"]),
                    "reports": row["reports"], "last_report_at": row["last_report_at"]})
    return out

