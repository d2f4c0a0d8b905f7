"""The console's 404, 405 and 500 pages: the console's own layout, in the user's language.

A console path no route matched (an unknown page, a wrong method) gets the console's page; /api/ and every other
path keep the API's JSON errors. An id in a console path above what the database holds is a 404 before any query
(PostgreSQL refuses integers out of range; SQLite overflows).
"""

from __future__ import annotations

import logging

from flask import g, make_response, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, NotFound

from gateway.console import console
from gateway.console.i18n import DEFAULT_LANGUAGE, LANGUAGES, translate
from gateway.web.errors import MAX_ID, http_error_outside_routes

log = logging.getLogger(__name__)

LANGUAGE_COOKIE = "gridcast_lang"
TITLES = {
    404: "This page does not exist",
    405: "This page does not take that kind of request",
    500: "The server ran into a problem",
}
EXPLANATIONS = {
    404: "The address may be mistyped, or what it showed was removed or is outside your grids.",
    405: "Go back to the page and use its buttons and forms.",
    500: "It has been logged. Try again in a moment; if it happens again, tell your administrator.",
}


def reject_ids_out_of_range() -> None:
    """A 404 for a path id the database cannot hold (called once the route has matched)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and value > MAX_ID:
            raise NotFound()


def page_language() -> str:
    if "lang" in g:
        return g.lang
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def error_page(status: int, message: str = ""):
    """The console's page for `status`, with `message` (already translated) or the status's own explanation."""
    g.lang = page_language()
    title = translate(TITLES.get(status, "Something is not right"), g.lang)
    message = message or translate(EXPLANATIONS.get(status, ""), g.lang)
    return render_template("console/error.html", status=status, title=title, message=message), status


@console.app_errorhandler(404)
@console.app_errorhandler(405)
def unmatched_path(exc: HTTPException):
    if not request.path.startswith("/console"):
        return http_error_outside_routes(exc)
    response = make_response(*error_page(exc.code or 404))
    for name, value in exc.get_headers():
        if name.lower() == "allow":
            response.headers["Allow"] = value
    return response


@console.errorhandler(InternalServerError)
def server_error(exc: InternalServerError):
    return error_page(500)
