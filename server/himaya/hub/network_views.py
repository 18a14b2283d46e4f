"""Staff pages for networks and drafted rules; the published bundles as the companions'
update address (``/updates/``)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, send_from_directory, url_for

from himaya.hub import audit, drafts, i18n, networks
from himaya.hub.staff import need

bp = Blueprint("networks", __name__)


def _t(key, **v):
    return i18n.text(g.lang, key, **v)


@bp.get("/networks")
@need("networks")
def index():
    show_all = request.args.get("all") == "1"
    rows = networks.ranked(g.hub.db, limit=200, min_pages=1 if show_all else 2)
    return render_template("networks.html", rows=rows, show_all=show_all)


@bp.get("/networks/<int:nid>")
@need("networks")
def network(nid):
    live = networks.resolve(g.hub.db, nid)
    if live is None:
        abort(404)
    if live != nid:
        return redirect(url_for("networks.network", nid=live))
    info = networks.detail(g.hub.db, nid)
    audit.record(g.hub.db, g.user["name"], "network.view", target=str(nid), ip=request.remote_addr)
    others = [r for r in networks.ranked(g.hub.db, limit=100, min_pages=1) if r["id"] != nid]
    return render_template("network.html", info=info, net=info["network"], others=others,
                           statuses=networks.NETWORK_STATUSES)


@bp.get("/networks/<int:nid>/graph.json")
@need("networks")
def graph_json(nid):
    info = networks.detail(g.hub.db, nid, timeline=0)
    if info is None:
        abort(404)
    return jsonify(networks.graph(info))


@bp.post("/networks/<int:nid>/merge")
@need("networks")
def merge(nid):
    other = request.form.get("other", "")
    if not other.isdigit():
        abort(400)
    try:
        networks.merge(g.hub.db, nid, int(other), g.user["name"], ip=request.remote_addr)
        flash(_t("saved"))
    except networks.NetworkError:
        abort(404)
    return redirect(url_for("networks.network", nid=nid))


@bp.post("/networks/<int:nid>/split")
@need("networks")
def split(nid):
    pages = [int(p) for p in request.form.getlist("page") if p.isdigit()]
    try:
        new = networks.split(g.hub.db, nid, pages, g.user["name"], ip=request.remote_addr)
    except networks.NetworkError:
        flash(_t("bad_request"))
        return redirect(url_for("networks.network", nid=nid))
    flash(_t("saved"))
    return redirect(url_for("networks.network", nid=new))


@bp.post("/networks/<int:nid>/status")
@need("networks")
def status(nid):
    try:
        networks.set_status(g.hub.db, nid, request.form.get("status", ""), g.user["name"], ip=request.remote_addr)
    except networks.NetworkError:
        abort(400)
    flash(_t("saved"))
    return redirect(url_for("networks.network", nid=nid))


@bp.post("/networks/<int:nid>/draft")
@need("drafts")
def draft(nid):
    try:
        made = drafts.draft_rule(g.hub.db, nid, g.user["name"], g.hub.settings.get("rules"), ip=request.remote_addr)
    except drafts.DraftError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(_t("draft_nothing"))
        return redirect(url_for("networks.network", nid=nid))
    return redirect(url_for("networks.draft_view", draft_id=made["id"]))


@bp.get("/drafts/<int:draft_id>")
@need("drafts")
def draft_view(draft_id):
    found = drafts.get_draft(g.hub.db, draft_id)
    if found is None:
        abort(404)
    return render_template("draft.html", d=found)


@bp.get("/drafts/<int:draft_id>.yaml")
@need("drafts")
def draft_yaml(draft_id):
    found = drafts.get_draft(g.hub.db, draft_id)
    if found is None:
        abort(404)
    return Response(found["yaml"], mimetype="text/yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{found["rule_id"].lower()}.yaml"'})


@bp.get("/updates/<path:name>")
def updates(name):
    """The published bundle folder (docs/PUBLISHING.md): the companions' ``update-url``.

    Static files only; companions verify every signature and hash themselves."""
    folder = g.hub.settings.get("bundles")
    if not folder:
        abort(404)
    response = send_from_directory(folder, name, max_age=3600 if name.startswith("by-hash/") else 60)
    response.headers["Cache-Control"] = ("public, max-age=31536000, immutable" if name.startswith("by-hash/")
                                         else "public, max-age=60")
    return response
