"""Every REST request's way through the server: record, parse, validate, fault, authorise, handle, answer.

Order matters and mirrors what a client can observe from Discord: the request is logged first;
an OpenAPI violation is a 400 (in strict mode) before anything else; a scripted fault replaces
the answer; then the token is checked and the route's handler runs. A handler bug is answered
with a 400 (never a 5xx, which discord.py would retry) and recorded as a problem.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from primum.localdiscord.errors import DiscordError
from primum.localdiscord.models import RequestRecord, SpecViolation, UploadedFile
from primum.localdiscord.spec import PathMatcher

from .base import Reply, Req, RouteTable

if TYPE_CHECKING:
    from primum.localdiscord.server import LocalDiscord

_log = logging.getLogger(__name__)

#: Interaction callbacks and webhooks are authorised by their token in the path, not by the bot token.
_UNAUTHENTICATED = re.compile(r"^/(interactions/[^/]+/[^/]+/callback|webhooks/[^/]+/[^/]+(/.*)?)$")


def respond(status: int, body: Any, route: str | None, extra: Mapping[str, str] | None = None) -> web.Response:
    """A JSON (or 204) response with Discord's rate-limit headers; the bucket is per route."""
    bucket = hashlib.md5((route or "?").encode(), usedforsecurity=False).hexdigest()[:16]
    headers = {
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "4",
        "X-RateLimit-Reset": f"{time.time() + 1:.3f}",
        "X-RateLimit-Reset-After": "1.000",
        "X-RateLimit-Bucket": bucket,
    }
    headers.update(extra or {})
    if status == 204 or body is None:
        return web.Response(status=204, headers=headers)
    data = json.dumps(body, separators=(",", ":")).encode()
    return web.Response(status=status, body=data, content_type="application/json", headers=headers)


async def read_body(request: web.Request) -> tuple[Any, list[UploadedFile], bool]:
    """The JSON body (or multipart ``payload_json``), the uploaded files, and whether a body was sent."""
    ctype = request.content_type
    if ctype.startswith("multipart/"):
        payload: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                continue
            data = await part.read()
            name = part.name or ""
            if name == "payload_json":
                payload = json.loads(data)
            else:
                files.append(UploadedFile(name, part.filename, part.headers.get("Content-Type"), bytes(data)))
        return payload, files, payload is not None
    raw = await request.read()
    if not raw:
        return None, [], False
    if ctype == "application/json":
        return json.loads(raw), [], True
    raise DiscordError(400, 50035, f"Unsupported Content-Type {ctype!r}")


class _Scripted(Exception):
    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers


class RestPipeline:
    """The aiohttp handlers for ``/api/v10/...`` and for uploaded files."""

    def __init__(self, server: LocalDiscord, table: RouteTable) -> None:
        self.s = server
        self.table = table
        self._matcher = PathMatcher([tpl for _, tpl in table.routes])

    async def handle_api(self, request: web.Request) -> web.Response:
        """Answer one REST request the way Discord would."""
        s = self.s
        path = "/" + request.match_info["tail"]
        method = request.method
        query = dict(request.query)
        reason_raw = request.headers.get("X-Audit-Log-Reason")
        record = RequestRecord(len(s.requests), method, path, None, query, None, [],
                               unquote(reason_raw) if reason_raw else None, time.monotonic())
        s.requests.append(record)
        route: str | None = None
        extra: dict[str, str] = {}
        try:
            try:
                body, files, has_body = await read_body(request)
            except (ValueError, UnicodeDecodeError):
                raise DiscordError(400, 50109, "The request body contains invalid JSON.") from None
            record.json, record.files = body, files
            found = self._matcher.match(path)
            route = found[0] if found else None
            spec_route, problems = self._check_spec(method, path, query, body, has_body)
            route = spec_route or route
            if problems and s.strict:
                raise DiscordError(400, 50035, "Invalid Form Body", {
                    "_spec": {"_errors": [{"code": "OPENAPI_VIOLATION", "message": p} for p in problems]}})
            record.route = route
            failure = s.faults.take_failure(method, path)
            if failure is not None:
                result, extra = failure.response()
                raise _Scripted(failure.status, result, extra)
            if not _UNAUTHENTICATED.match(path) and request.headers.get("Authorization") != f"Bot {s.token}":
                raise DiscordError(401, 0, "401: Unauthorized")
            handler = self.table.routes.get((method, found[0])) if found else None
            if handler is None or found is None:
                s.unhandled.append(f"{method} {path}")
                _log.warning("local Discord has no handler for %s %s", method, path)
                raise DiscordError(404, 0, "404: Not Found")
            req = Req(method, path, found[1], query, body, files, record.reason, record)
            result = await handler(req)
            status = 200
            if isinstance(result, Reply):
                status, result = result.status, result.body
            elif result is None:
                status = 204
        except _Scripted as scripted:
            status, result, extra = scripted.status, scripted.body, scripted.headers
        except DiscordError as err:
            status, result = err.status, err.body()
        except Exception as exc:  # a bug here must not look like a Discord 5xx (those are retried)
            s.internal_errors.append(f"{method} {path}: {exc!r}")
            _log.exception("local Discord crashed on %s %s", method, path)
            status, result = 400, {"message": f"localdiscord internal error: {exc!r}", "code": 0}
        record.status = status
        record.response = result
        delay = s.faults.take_delay(method, path)
        if delay:
            await asyncio.sleep(delay)  # the request has taken effect; only the answer is late
        return respond(status, result, route, extra)

    def _check_spec(self, method: str, path: str, query: dict[str, str], body: Any, has_body: bool
                    ) -> tuple[str | None, list[str]]:
        """The spec's route template and the request's problems against it (each recorded and logged)."""
        spec = self.s.spec
        if spec is None:
            return None, []
        spec_route, problems = spec.check(method, path, query, body, has_body)
        for problem in problems:
            violation = SpecViolation(method, path, spec_route, problem)
            self.s.spec_violations.append(violation)
            _log.warning("OpenAPI violation: %s", violation)
        return spec_route, problems

    async def serve_attachment(self, request: web.Request) -> web.Response:
        """An uploaded file's bytes (attachment URLs point here)."""
        att = self.s.files.get(int(request.match_info["attachment_id"]))
        if att is None:
            raise web.HTTPNotFound()
        return web.Response(body=att.data, content_type=att.content_type or "application/octet-stream")
