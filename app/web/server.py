"""The console's ASGI app: pages, the JSON API (`/api`, described at `/api/openapi.json`),
static files, error pages and the security headers every response carries."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.web.console_access import SignInRequired
from app.web.pages import (
    agent_monitor,
    agent_settings_pages,
    email_reviews,
    evals,
    handoff_queue,
    handoffs_api,
    inbound_webhook,
    jobs,
    lead_conversation,
    lead_draft,
    lead_list,
    lead_page,
    prompt_pages,
    research_batches,
    sandbox_pages,
    sign_in,
    trace_replay,
    trace_viewer,
    unsubscribe,
    user_pages,
)
from app.web.templating import STATIC_DIR, render
from core.settings import get_settings

# Inline scripts are refused, so a lead's text that slips into a page still cannot run.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(database_url: str | None = None) -> FastAPI:
    """The console over `database_url` (default: the configured database)."""
    app = FastAPI(
        title="Lead qualification console",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.database_url = database_url or get_settings().resolved_database_url
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(sign_in.router)
    app.include_router(unsubscribe.router)
    app.include_router(jobs.router)  # its lifespan fails the jobs a stopped console left
    app.include_router(research_batches.router)
    app.include_router(evals.router)
    app.include_router(inbound_webhook.router)
    app.include_router(handoff_queue.router)
    app.include_router(handoffs_api.router)
    app.include_router(lead_conversation.router)
    app.include_router(lead_draft.router)
    app.include_router(email_reviews.router)
    app.include_router(agent_settings_pages.router)
    app.include_router(prompt_pages.router)
    app.include_router(sandbox_pages.router)
    app.include_router(user_pages.router)
    app.include_router(lead_list.router)
    app.include_router(lead_page.router)
    app.include_router(agent_monitor.router)
    app.include_router(trace_viewer.router)
    app.include_router(trace_replay.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, _exc: SignInRequired) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "Sign in first."}, status_code=401)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
            )
        return render(
            request,
            "error.html",
            status_code=exc.status_code,
            status=exc.status_code,
            detail=exc.detail,
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"field": ".".join(str(part) for part in error["loc"]), "problem": error["msg"]}
            for error in exc.errors()
        ]
        if _is_api(request):
            return JSONResponse({"detail": problems}, status_code=422)
        detail = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return render(request, "error.html", status_code=422, status=422, detail=detail)

    return app


def console_app() -> FastAPI:
    """The app `uvicorn --factory app.web.server:console_app` serves."""
    return create_app()
