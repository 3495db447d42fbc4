"""Security headers on every response, with a Content-Security-Policy that Dash allows.

No script runs unless it comes from this server or is one of Dash's own inline start-up
scripts, allowed by hash (:meth:`dash.Dash.csp_hashes`); our client-side callbacks live
in ``dashboard/assets/*.js``. Styles may be inline: plotly.js and Dash's components set
``style`` attributes. MapLibre (plotly's ``map`` traces) starts its workers from
``blob:`` URLs, and draws images from ``data:``/``blob:``. No page may be framed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Flask
from werkzeug.wrappers import Response

__all__ = ["content_security_policy", "init_headers"]


STATIC_HEADERS: dict[str, str] = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """Return the policy string, allowing the given inline-script hashes.

    Examples
    --------
    >>> policy = content_security_policy(["'sha256-abc='"])
    >>> "script-src 'self' 'sha256-abc='" in policy, "frame-ancestors 'none'" in policy
    (True, True)
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "child-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def init_headers(server: Flask, *, script_hashes: Callable[[], Sequence[str]]) -> None:
    """Add the headers to every response of ``server`` (errors and static files too).

    ``script_hashes`` returns the hashes of the inline scripts the page carries; Dash adds
    one of its own (the page-title callback of ``use_pages``) on its first request, so
    the policy is built per response (hashing a few short strings).
    """

    @server.after_request
    def _security_headers(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = content_security_policy(script_hashes())
        for name, value in STATIC_HEADERS.items():
            resp.headers.setdefault(name, value)
        return resp
