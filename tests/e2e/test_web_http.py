"""How the platform serves its pages over HTTP (chalice local): content types, a strict CSP,
cacheable versioned assets, and nothing outside the whitelist."""
from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

from chalicelib.routes.web import ASSET_PATHS, ASSETS, PAGES, PARTIALS, WEB_DIR, base_href


def fetch(url: str, headers: dict | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local)
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode(errors="replace")


@pytest.mark.parametrize("path", ["/", "/track", "/privacy"])
def test_pages_are_html_with_a_strict_content_security_policy(stack, path):
    status, headers, body = fetch(stack.api_url + path)

    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'none'" and csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["connect-src"] == f"'self' {stack.moto_url}"  # uploads go straight to the (moto) S3
    assert csp["frame-ancestors"] == "'none'" and csp["base-uri"] == "'self'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-cache" and headers["ETag"]
    assert '<base href="/">' in body
    assert "{{" not in body and "<!--" not in body
    current = re.findall(r'<a href="([^"]*)" aria-current="page"', body)
    assert current == {"/": ["./"], "/track": ["track"], "/privacy": ["privacy"]}[path]


@pytest.mark.parametrize("page", sorted([*PAGES.values(), *PARTIALS]))
def test_pages_hold_no_inline_script_or_style_and_load_nothing_from_elsewhere(page):
    html = (WEB_DIR / page).read_text(encoding="utf-8")
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html)
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


def test_assets_are_served_with_their_type_and_cached_for_a_year_when_versioned(stack):
    _, _, page = fetch(stack.api_url + "/")
    versioned = dict(re.findall(r"static/([a-z0-9.]+)\?v=([0-9a-f]{12})", page))
    assert set(versioned) == {"app.css", "i18n.js", "common.js", "form.js", "similar.js", "logo.svg"}
    for name, version in versioned.items():
        status, headers, _ = fetch(f"{stack.api_url}/static/{name}?v={version}")
        assert status == 200 and headers["Content-Type"] == ASSETS[name]
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["X-Content-Type-Options"] == "nosniff"

    status, headers, _ = fetch(f"{stack.api_url}/static/app.css?v=000000000000")
    assert status == 200 and headers["Cache-Control"] == "no-cache"  # an old page gets the new file, revalidated
    status, _, _ = fetch(f"{stack.api_url}/static/app.css", {"If-None-Match": headers["ETag"]})
    assert status == 304


@pytest.mark.parametrize("name", ["index.html", "secret.txt", "..%2Fapp.py", "%2e%2e%2fapp.py", "app.css%00.js"])
def test_only_whitelisted_assets_are_served(stack, name):
    status, headers, body = fetch(f"{stack.api_url}/static/{name}")
    assert status in (403, 404)
    assert "import" not in body and "<html" not in body


def test_every_translated_text_of_the_pages_has_its_english():
    script = (WEB_DIR / "i18n.js").read_text(encoding="utf-8")
    english = set(re.findall(r'^\s+"([a-z_.0-9]+)": "', script, re.M))
    for page in [*PAGES.values(), *PARTIALS]:
        text = (WEB_DIR / page).read_text(encoding="utf-8")
        keys = set(re.findall(r'data-i18n(?:-label)?="([^"]+)"', text))
        # a page's own script may add its English (I18N.extend): the list page's does
        own = "".join((WEB_DIR / ASSET_PATHS.get(n, n)).read_text(encoding="utf-8")
                      for n in re.findall(r"\{\{asset:([a-z0-9.]+\.js)\}\}", text))
        assert keys - english - set(re.findall(r'^\s+"([a-z_.0-9]+)": "', own, re.M)) == set(), page


@pytest.mark.parametrize("context,expected", [
    ({"path": "/", "resourcePath": "/"}, "/"),
    ({"path": "/track", "resourcePath": "/track"}, "/"),
    ({"path": "/api/", "resourcePath": "/"}, "/api/"),
    ({"path": "/api", "resourcePath": "/"}, "/api/"),
    ({"path": "/api/track", "resourcePath": "/track"}, "/api/"),
    ({"path": '/x"><script>/track', "resourcePath": "/track"}, "/"),
    ({}, "/"),
])
def test_the_base_href_follows_the_stage_prefix_the_browser_sees(context, expected):
    assert base_href(context) == expected
