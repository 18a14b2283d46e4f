"""The hub's application factory: intake API + staff web app over one database.

    app = create_app({"HOME": "/srv/himaya-hub"})                  # hub.json decides the database
    app = create_app({"HOME": home, "DB": "postgresql://hub@127.0.0.1/hub", "SECURE_COOKIES": False})

Config keys (all optional): ``HOME``, ``DB`` (URL or a ``Database``),
``SECURE_COOKIES`` (default the ``secure-cookies`` setting, true),
``FAMILY_RATE`` ((count, seconds)), ``RULES`` (rules folder), ``TESTING``.
Pages are server-rendered (Jinja, no JavaScript framework); every answer carries
a strict Content-Security-Policy and loads nothing from another origin.
"""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from flask import Flask, abort, g, jsonify, render_template, request

from himaya.hub import auth, i18n, settings as settings_mod
from himaya.hub.db import Database
from himaya.hub.intake import CODE_HEADER, Intake, RateLimiter
from himaya.hub.rulebook import Rulebook

SESSION_COOKIE = "himaya_hub_session"
LOGIN_COOKIE = "himaya_hub_login"
LANG_COOKIE = "himaya_hub_lang"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


class Hub:
    """What the views share."""

    def __init__(self, home: Path, settings: dict, db: Database, secure_cookies: bool, family_rate):
        self.home, self.settings, self.db = home, settings, db
        self.secure_cookies = secure_cookies
        self.rulebook = Rulebook(settings.get("rules"))
        self.intake = Intake(db, self.rulebook, RateLimiter(*family_rate), on_stored=self._indicators)
        self.rebuild_due = threading.Event()
        self._rebuild_lock = threading.Lock()

    def _indicators(self, conn, report_pk, payload, columns, received_at):
        from himaya.hub import networks

        _, flipped = networks.attach(conn, self.db, report_pk, payload["record"], columns["severity_rank"],
                                     received_at)
        if flipped:
            self.rebuild_due.set()

    def after_intake(self) -> None:
        """An indicator became common: regroup the pages it had joined (rare, once per indicator)."""
        if self.rebuild_due.is_set():
            from himaya.hub import networks

            with self._rebuild_lock:
                if self.rebuild_due.is_set():
                    self.rebuild_due.clear()
                    networks.rebuild(self.db)

    def retention_days(self) -> int:
        value = self.db.get_meta("retention-days")
        return int(value) if value else int(self.settings["retention-days"])


def create_app(config: dict | None = None) -> Flask:
    config = dict(config or {})
    testing = bool(config.get("TESTING"))
    if config.get("DEBUG") and not testing:
        raise RuntimeError("DEBUG is refused outside tests: it would expose the debugger")
    home = settings_mod.hub_home(config.get("HOME"))
    settings = settings_mod.load(home)
    if config.get("RULES"):
        settings["rules"] = str(config["RULES"])
    db = config.get("DB")
    if not isinstance(db, Database):
        db = Database.open(db or settings["db"])
    secure = config.get("SECURE_COOKIES", settings["secure-cookies"])
    hub = Hub(home, settings, db, bool(secure), tuple(config.get("FAMILY_RATE") or settings["family-rate"]))

    app = Flask("himaya.hub", static_folder=str(Path(__file__).parent / "static"), static_url_path="/static",
                template_folder=str(Path(__file__).parent / "templates"))
    app.config.update(TESTING=testing, DEBUG=False, PROPAGATE_EXCEPTIONS=False,
                      MAX_CONTENT_LENGTH=int(settings["max-report-bytes"]), SEND_FILE_MAX_AGE_DEFAULT=3600)
    app.debug = False
    # Flask's own signed cookie carries only one-shot notices ("Saved."); the
    # staff session is the server-side one in auth.py.
    secret = db.get_meta("flask-secret")
    if not secret:
        secret = secrets.token_hex(32)
        db.set_meta("flask-secret", secret)
    app.secret_key = secret
    app.config.update(SESSION_COOKIE_NAME="himaya_hub_notice", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_SECURE=bool(secure))
    app.json.ensure_ascii = False
    app.extensions["hub"] = hub

    if settings.get("behind-proxy"):
        # One proxy in front (Caddy, nginx): the client's address for rate limits and the
        # public scheme and host for the Origin check come from its X-Forwarded-* headers.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    _hooks(app, hub)
    from himaya.hub import api, staff

    app.register_blueprint(api.bp)
    app.register_blueprint(staff.bp)
    try:
        from himaya.hub import network_views
    except ImportError:  # pragma: no cover - the networks part is optional at import time
        network_views = None
    if network_views is not None:
        app.register_blueprint(network_views.bp)
    return app


def _hooks(app: Flask, hub: Hub) -> None:
    @app.before_request
    def load_user():
        g.hub = hub
        g.lang = _lang()
        g.user, g.csrf = None, None
        if request.path.startswith("/api/") or request.path.startswith("/static/") or request.path.startswith("/updates/"):
            return None
        found = auth.session_user(hub.db, request.cookies.get(SESSION_COOKIE),
                                  int(hub.settings["session-minutes"]))
        if found:
            g.user, g.csrf = found
        if request.method == "POST":
            origin = request.headers.get("Origin")
            if origin and origin != request.host_url.rstrip("/"):
                abort(403)
            given = request.form.get("csrf")
            expected = g.csrf if request.endpoint != "staff.login" else request.cookies.get(LOGIN_COOKIE)
            if not auth.csrf_ok(expected, given):
                abort(403, "csrf")
        return None

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        # same-origin, not no-referrer: with no-referrer Chromium sends `Origin: null` on form posts
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def helpers():
        return {"t": lambda key, **v: i18n.text(g.lang, key, **v), "lang": g.lang, "dir": i18n.direction(g.lang),
                "user": g.user, "csrf": g.csrf, "has_networks": "networks.index" in app.view_functions, "can": lambda perm: auth.can(g.user, perm), "langs": i18n.LANGS}

    for code in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, _error_page)


def _lang() -> str:
    wanted = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    return wanted if wanted in i18n.LANGS else i18n.pick(request.headers.get("Accept-Language"))


def _error_page(error):
    code = getattr(error, "code", 500) or 500
    names = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 413: "too_large",
             429: "rate_limited", 500: "internal"}
    if request.path.startswith("/api/"):
        return jsonify(error=names.get(code, "error"), detail=None), code
    key = "csrf" if getattr(error, "description", None) == "csrf" else {403: "forbidden", 404: "not_found"}.get(
        code, "bad_request")
    if not hasattr(g, "lang"):
        g.lang, g.user, g.csrf = i18n.DEFAULT, None, None
    return render_template("error.html", message=i18n.text(g.lang, key), code=code), code


def new_login_token() -> str:
    return secrets.token_urlsafe(24)


__all__ = ["create_app", "CODE_HEADER", "SESSION_COOKIE"]
