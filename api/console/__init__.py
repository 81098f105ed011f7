"""The operators' web console at `/console`: transcripts, what needs attention, analytics,
projections, and answering a person; server-rendered, with its assets in the package."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from api.console.views import (
    HERE,
    PREFIX,
    SECURITY_HEADERS,
    CsrfRefusedError,
    SignInRequiredError,
    render,
    router,
    sessions_of,
)


async def _sign_in_required(request: Request, _exc: Exception) -> Response:
    # Pages send the browser to the form; data (a CSV, a fragment polled by a script) gets a 401.
    if request.method == "GET" and not request.url.path.endswith((".csv", "/status")):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(
            f"{PREFIX}/login?next={quote(target, safe='')}",
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )
    return PlainTextResponse("sign in to the console first", status_code=401, headers=SECURITY_HEADERS)


async def _csrf_refused(request: Request, _exc: Exception) -> HTMLResponse:
    session = sessions_of(request).read(request.cookies.get("convo_console"))
    return render(
        request,
        "refused.html",
        403,
        session=session,
        title="Refused",
        message="This form did not come from a page of this console (or it expired). Nothing was done: "
        "go back, reload the page and try again.",
    )


def install_console(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(SignInRequiredError, _sign_in_required)
    app.add_exception_handler(CsrfRefusedError, _csrf_refused)
