"""The guard's parts on their own: strict JSON, token buckets, origins.

The threat table through the whole application is in test_security.py.
"""

from __future__ import annotations

import json

import pytest

from himaya.companion.guard import FORBIDDEN, UNAUTHORIZED, BadJSON, Guard, GuardSettings, TokenBuckets, parse_strict


@pytest.mark.parametrize("raw, why", [
    (b'{"text": "\xff\xfe"}', "UTF-8"),
    (b'\xef\xbb\xbf{"a": 1}', "byte order mark"),
    (b'{"a": NaN}', "NaN"),
    (b'{"a": Infinity}', "Infinity"),
    (b'{"a": -Infinity}', "-Infinity"),
    (b'{"a": 1, "a": 2}', "duplicate"),
    (b'{"a": [[[[[[[[1]]]]]]]]}', "nesting"),
    (b'[' * 100_000 + b']' * 100_000, "nesting"),
    (b'{"a":' * 50_000 + b'1' + b'}' * 50_000, "nesting"),
    (b"", "empty"),
    (b"null", "object"),
    (b"[1, 2]", "object"),
    (b'"text"', "object"),
    (b'{"text": "\\ud800"}', "surrogate"),
    (b'{"text": "a\\udc00b"}', "surrogate"),
    (b'{"text": "a\\u0000b"}', "control"),
    (b'{"text": "bell\\u0007"}', "control"),
    (b'{"text": "c1\\u0085"}', "control"),
    (b'{"text": "del\\u007f"}', "control"),
    (b'{"k\\u0001": 1}', "key"),
    (b'{"text": "raw \x01 control"}', "control"),
    (b'{"n": ' + b"9" * 5000 + b"}", "limit"),
    (b'{"a": 1} {"b": 2}', "Extra data"),
    (b"{'a': 1}", "Expecting"),
])
def test_strict_parser_refuses(raw, why):
    with pytest.raises(BadJSON) as caught:
        parse_strict(raw)
    assert why.lower() in str(caught.value).lower()


def test_strict_parser_accepts_real_text():
    body = {"kind": "message", "text": "t'as quel âge ? وين تسكن \u200b\t\n ok \ufeff", "n": [1, 2.5, None, True]}
    assert parse_strict(json.dumps(body, ensure_ascii=False).encode()) == body
    assert parse_strict(json.dumps(body).encode()) == body  # \u escapes too


def test_error_messages_never_quote_the_input():
    secret = "quote-me-not-7731"
    for raw in (b'{"a": "' + secret.encode() + b'" oops}', b'{"' + secret.encode() + b'\\u0001": 1}'):
        with pytest.raises(BadJSON) as caught:
            parse_strict(raw)
        assert secret not in str(caught.value)


def test_token_bucket_refills_and_says_how_long_to_wait():
    buckets = TokenBuckets(rate=2, burst=3)
    assert [buckets.take("a", now=10.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a", now=10.0) == pytest.approx(0.5)
    assert buckets.take("b", now=10.0) == 0.0  # another client has its own bucket
    assert buckets.take("a", now=10.6) == 0.0  # refilled


def test_token_bucket_memory_is_bounded():
    buckets = TokenBuckets(rate=1, burst=1)
    for i in range(TokenBuckets.MAX_KEYS * 2):
        buckets.take(f"client-{i}", now=0.0)
    assert len(buckets._state) <= TokenBuckets.MAX_KEYS


def _call(guard, **environ):
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/scan", "HTTP_HOST": "127.0.0.1:5000",
            "REMOTE_ADDR": "127.0.0.1", "wsgi.input": None}
    base.update(environ)
    seen = {}

    def start_response(status, headers):
        seen["status"] = int(status.split()[0])
        seen["headers"] = dict(headers)

    body = b"".join(guard(base, start_response))
    _call.headers = seen.get("headers", {})
    return seen.get("status"), body


def _inner(environ, start_response):
    start_response("200 OK", [])
    return [b"inner"]


@pytest.mark.parametrize("origin, token, expected", [
    (None, "tok", 200),
    ("chrome-extension://abcdefghijklmnopabcdefghijklmnop", "tok", 200),
    ("chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba", "tok", 403),  # not configured
    ("chrome-extension://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP", "tok", 403),
    ("moz-extension://0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "tok", 200),
    ("moz-extension://0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", None, 401),
    ("moz-extension://evil.example", "tok", 403),
    ("https://www.facebook.com", "tok", 403),
    ("null", "tok", 403),
    ("http://127.0.0.1:5000", "tok", 403),
    (None, "tok ", 401),
    (None, "t\u00e9k", 401),
    (None, None, 401),
])
def test_origin_and_token(origin, token, expected):
    guard = Guard(_inner, GuardSettings(port=5000, token="tok", extension_ids={"abcdefghijklmnopabcdefghijklmnop"}))
    env = {}
    if origin:
        env["HTTP_ORIGIN"] = origin
    if token:
        env["HTTP_X_HIMAYA_TOKEN"] = token
    status, body = _call(guard, **env)
    assert status == expected
    assert body == {200: b"inner", 401: UNAUTHORIZED, 403: FORBIDDEN}[expected]


def test_rate_limit_answers_429_with_retry_after():
    guard = Guard(_inner, GuardSettings(port=5000, token="tok", rate=(1.0, 2.0)))
    statuses = [_call(guard, HTTP_X_HIMAYA_TOKEN="tok")[0] for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert _call.headers["Retry-After"] == "1"


@pytest.mark.parametrize("path, cap", [("/api/v1/scan", 256 * 1024), ("/api/v1/scan/batch", 2 * 1024 * 1024)])
def test_a_body_without_length_is_cut_at_the_routes_cap_while_reading(path, cap):
    """API.md guard 5: a chunked body has no Content-Length; the guard reads at most cap + 1
    bytes and answers 413, so an endless body never reaches the JSON parser or fills memory."""
    import io

    guard = Guard(_inner, GuardSettings(port=5000, token="tok"))
    body = b'{"text": "' + b"a" * cap + b'"}'
    stream = io.BytesIO(body)
    status, answer = _call(guard, REQUEST_METHOD="POST", PATH_INFO=path, HTTP_X_HIMAYA_TOKEN="tok",
                           CONTENT_TYPE="application/json", HTTP_TRANSFER_ENCODING="chunked", **{"wsgi.input": stream})
    assert status == 413 and json.loads(answer)["error"] == "too_large"
    assert stream.tell() == cap + 1
    small = io.BytesIO(b'{"text": "a"}')
    assert _call(guard, REQUEST_METHOD="POST", PATH_INFO=path, HTTP_X_HIMAYA_TOKEN="tok",
                 CONTENT_TYPE="application/json", **{"wsgi.input": small})[0] == 200
