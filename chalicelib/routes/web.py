"""The public pages (report form, tracking page) and their assets, served by the API itself.

Files come from web/ next to chalicelib/ (infra's package step copies it into vendor/, which lands
at the package root in Lambda). Only the names listed below are served. Pages carry a strict CSP
(no inline script or style) and reference assets by content hash, so assets can be cached for a
year and a release is visible at once.
"""
from __future__ import annotations

import hashlib
import html
import json
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from chalice import Blueprint, Response

import chalicelib
from chalicelib.http import guarded

bp = Blueprint(__name__)

WEB_DIR = Path(chalicelib.__file__).resolve().parent.parent / "web"

PAGES = {"index": "index.html", "track": "track.html", "console": "console/console.html", "privacy": "privacy.html",
         "reports": "reports.html"}
ASSETS = {
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "i18n.js": "text/javascript; charset=utf-8",
    "common.js": "text/javascript; charset=utf-8",
    "form.js": "text/javascript; charset=utf-8",
    "track.js": "text/javascript; charset=utf-8",
    "logo.svg": "image/svg+xml; charset=utf-8",
    "reports.js": "text/javascript; charset=utf-8",
    "similar.js": "text/javascript; charset=utf-8",
    "leaflet.js": "text/javascript; charset=utf-8",
    "leaflet.css": "text/css; charset=utf-8",
}
# Assets that live in a subfolder of web/ (the staff console's own files).
ASSET_PATHS = {"console.js": "console/console.js", "console.css": "console/console.css",
               "leaflet.js": "leaflet/leaflet.js", "leaflet.css": "leaflet/leaflet.css"}
# Parts every page shares, pasted in where a page says {{include:NAME}}.
PARTIALS = ("_head.html", "_header.html", "_footer.html")
_INCLUDE = re.compile(r"\{\{include:([a-z_.]+)\}\}\n?")
_PLACEHOLDER = re.compile(r"\{\{(base|asset:([a-z0-9.]+)|current:([a-z]+)|notice:([a-z_]+))\}\}")
_LEADING_COMMENT = re.compile(r"\A<!--.*?-->\n", re.S)
_SAFE_PATH = re.compile(r"^/[A-Za-z0-9._~/-]*$")

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=()",
}
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@lru_cache(maxsize=32)
def _read(name: str, mtime_ns: int) -> tuple[str, str]:
    """(text, short content hash); keyed by mtime so an edited file is picked up locally."""
    text = (WEB_DIR / name).read_text(encoding="utf-8")
    return text, hashlib.sha256(text.encode()).hexdigest()[:12]


def _file(name: str) -> tuple[str, str]:
    return _read(name, (WEB_DIR / name).stat().st_mtime_ns)


@lru_cache(maxsize=1)
def _upload_origin() -> str:
    """The S3 endpoint the browser uploads to; allowed by connect-src and nothing else."""
    from chalicelib.adapters.attachments import S3Files

    return S3Files().origin()


def content_security_policy(connect: str | None = None, img: str | None = None) -> str:
    """`img`: one more image origin (the list page's map tiles, when configured)."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{' ' + img if img else ''}; "
        f"connect-src 'self' {connect or _upload_origin()}; form-action 'self'; base-uri 'self'; "
        "frame-ancestors 'none'; manifest-src 'self'"
    )


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def console_config() -> dict:
    """What the console needs to sign in at Cognito from the browser (passwords never reach us)."""
    from chalicelib.config import settings

    from chalicelib.domain.worklist import QUEUE_STATUSES

    s = settings()
    return {"region": s.region, "user_pool_id": s.user_pool_id, "client_id": s.user_pool_client_id,
            "cognito_endpoint": s.cognito_endpoint, "queue_statuses": list(QUEUE_STATUSES)}


def base_href(context: dict | None) -> str:
    """The path the browser sees for the API root ("/api/" behind API Gateway's stage, "/" under
    chalice local or a custom domain), so relative links work with or without a trailing slash."""
    ctx = context or {}
    path, resource = ctx.get("path") or "/", ctx.get("resourcePath") or "/"
    if resource != "/":
        if not path.endswith(resource):
            return "/"
        path = path[: len(path) - len(resource)]
    base = path.rstrip("/") + "/"
    return base if _SAFE_PATH.match(base) else "/"


def _not_modified(etag: str) -> bool:
    given = (bp.current_request.headers or {}).get("if-none-match", "")
    return etag in [tag.strip() for tag in given.split(",")]


def _respond(body: str, content_type: str, etag: str, cache: str, extra: dict | None = None) -> Response:
    headers = {**SECURITY_HEADERS, "Content-Type": content_type, "Cache-Control": cache, "ETag": etag,
               **(extra or {})}
    if _not_modified(etag):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=body, status_code=200, headers=headers)


def _partial(match: re.Match) -> str:
    name = match.group(1)
    if name not in PARTIALS:
        raise KeyError(f"{name} is not in PARTIALS")
    return _LEADING_COMMENT.sub("", _file(name)[0])


def render_page(page: str, context: dict | None) -> tuple[str, str]:
    text = _INCLUDE.sub(_partial, _file(PAGES[page])[0])
    base = html.escape(base_href(context), quote=True)

    def fill(match: re.Match) -> str:
        if match.group(1) == "base":
            return base
        if match.group(3):
            return ' aria-current="page"' if match.group(3) == page else ""
        if match.group(4):
            return html.escape(_notice_values()[match.group(4)])
        name = match.group(2)
        if name not in ASSETS:
            raise KeyError(f"{PAGES[page]} references {name}, which is not in ASSETS")
        return f"static/{name}?v={_file(ASSET_PATHS.get(name, name))[1]}"

    body = _PLACEHOLDER.sub(fill, text)
    return body, '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'


def _notice_values() -> dict[str, str]:
    """What the consent text and /privacy state, from the settings the retention job reads."""
    from chalicelib.config import notice

    n = notice()
    return {"consent_version": n.consent_version, "retention_months": str(n.retention_months_after_closing),
            "spam_days": str(n.spam_retention_days)}


def _page(page: str, connect: str | None = None) -> Response:
    body, etag = render_page(page, bp.current_request.context)
    return _respond(body, "text/html; charset=utf-8", etag, REVALIDATE,
                    {"Content-Security-Policy": content_security_policy(connect)})


def page_response(page: str, vary: str | None = None, fill: dict[str, str] | None = None,
                  img: str | None = None) -> Response:
    """A page answered by another blueprint's route (GET /reports gives a browser its list page),
    with settings pasted in where it says {{setting:NAME}} (escaped) and one more image origin."""
    body, _ = render_page(page, bp.current_request.context)
    for name, value in (fill or {}).items():
        body = body.replace("{{setting:" + name + "}}", html.escape(value, quote=True))
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
    headers = {"Content-Security-Policy": content_security_policy(None, img)}
    if vary:
        headers["Vary"] = vary
    return _respond(body, "text/html; charset=utf-8", etag, REVALIDATE, headers)


@bp.route("/", methods=["GET"])
@guarded
def index_page():
    return _page("index")


@bp.route("/track", methods=["GET"])
@guarded
def track_page():
    return _page("track")


@bp.route("/privacy", methods=["GET"])
@guarded
def privacy_page():
    """The privacy notice (UU PDP): purpose, who sees what, retention, rights; linked from every footer."""
    return _page("privacy")


@bp.route("/console", methods=["GET"])
@guarded
def console_page():
    """The staff console: it talks to Cognito (sign-in) and to the staff API, and to nothing else
    (attachment links open in a new tab)."""
    return _page("console", _origin_of(console_config()["cognito_endpoint"]))


@bp.route("/console/config.json", methods=["GET"])
@guarded
def console_config_file():
    body = json.dumps(console_config(), sort_keys=True)
    etag = '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'
    return _respond(body, "application/json", etag, REVALIDATE)


@bp.route("/static/{name}", methods=["GET"])
@guarded(check_path=False)  # any name not in ASSETS is the documented plain-text 404
def static_asset(name):
    if name not in ASSETS:
        return Response(body="Not found", status_code=404,
                        headers={**SECURITY_HEADERS, "Content-Type": "text/plain; charset=utf-8"})
    text, digest = _file(ASSET_PATHS.get(name, name))
    version = (bp.current_request.query_params or {}).get("v")
    return _respond(text, ASSETS[name], f'"{digest}"', IMMUTABLE if version == digest else REVALIDATE)
