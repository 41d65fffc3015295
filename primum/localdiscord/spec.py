"""Validation of the bot's REST requests against Discord's official OpenAPI description.

The spec is ~1 MB and its request schemas reference each other heavily, so the document is
loaded once per process, and a jsonschema validator is built lazily per operation and cached.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

_log = logging.getLogger(__name__)

ENV_VAR = "PRIMUM_DISCORD_OPENAPI"
_DOC_URI = "urn:discord-openapi"
_SPEC_RELATIVE = Path("shared") / "discord-api-spec" / "openapi.json"


def default_spec_path() -> Path | None:
    """``$PRIMUM_DISCORD_OPENAPI`` or the first ``shared/discord-api-spec`` next to a parent dir."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / _SPEC_RELATIVE
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class PathTemplate:
    """A route template compiled to a regex; literal segments win over parameters."""

    template: str
    regex: re.Pattern[str]
    params: tuple[str, ...]
    rank: tuple[int, ...]

    @classmethod
    def compile(cls, template: str) -> PathTemplate:
        parts = template.strip("/").split("/")
        pattern = []
        params = []
        rank = []
        for part in parts:
            m = re.fullmatch(r"\{(\w+)\}", part)
            if m:
                params.append(m.group(1))
                pattern.append(r"([^/]+)")
                rank.append(1)
            else:
                pattern.append(re.escape(part))
                rank.append(0)
        return cls(template, re.compile("^/" + "/".join(pattern) + "$"), tuple(params), tuple(rank))

    def match(self, path: str) -> dict[str, str] | None:
        m = self.regex.match(path)
        return dict(zip(self.params, m.groups(), strict=True)) if m else None


class PathMatcher:
    """Finds the most specific template for a concrete path."""

    def __init__(self, templates: list[str]) -> None:
        self._templates = sorted((PathTemplate.compile(t) for t in templates), key=lambda t: t.rank)

    def match(self, path: str) -> tuple[str, dict[str, str]] | None:
        for tpl in self._templates:
            params = tpl.match(path)
            if params is not None:
                return tpl.template, params
        return None


def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date-time")(_date_time)


@lru_cache(maxsize=4)
def _load(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        doc: dict[str, Any] = json.load(fh)
    schemas = doc.get("components", {}).get("schemas", {})
    if "SnowflakeType" in schemas:
        # Discord accepts snowflakes as JSON integers as well as strings, and discord.py relies
        # on it (e.g. message_reference.message_id); the spec only describes the string form.
        schemas["SnowflakeType"] = {"anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]}
    return doc


def _pointer(*parts: str) -> str:
    return "/" + "/".join(quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)


_SPECS: dict[str, OpenApiSpec] = {}


class OpenApiSpec:
    """Route matching and request validation for one OpenAPI document."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.doc = _load(str(path))
        self.paths: dict[str, dict[str, Any]] = self.doc["paths"]
        self.matcher = PathMatcher(list(self.paths))
        resource: Resource[Any] = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_DOC_URI, resource)
        self._validators: dict[tuple[str, ...], jsonschema.protocols.Validator] = {}

    @classmethod
    def load(cls, path: Path | str | None = None) -> OpenApiSpec | None:
        """Load from ``path`` or the default location; None (with a warning) if absent."""
        found = Path(path) if path is not None else default_spec_path()
        if found is None or not found.is_file():
            _log.warning("Discord OpenAPI spec not found (%s); request validation is disabled", found)
            return None
        key = str(found.resolve())
        if key not in _SPECS:  # validators are cached on the instance, so share it per process
            _SPECS[key] = cls(found)
        return _SPECS[key]

    def _validator(self, *pointer: str) -> jsonschema.protocols.Validator:
        key = tuple(pointer)
        validator = self._validators.get(key)
        if validator is None:
            schema = {"$ref": _DOC_URI + "#" + _pointer(*pointer)}
            validator = jsonschema.Draft202012Validator(
                schema, registry=self._registry, format_checker=_FORMATS
            )
            self._validators[key] = validator
        return validator

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            ref: str = node["$ref"]
            node = self.doc
            for part in ref.lstrip("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def check(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
        has_body: bool,
    ) -> tuple[str | None, list[str]]:
        """Return (matched template, problems) for one request."""
        found = self.matcher.match(path)
        if found is None:
            return None, ["route is not in Discord's API"]
        template, path_params = found
        item = self.paths[template]
        op = item.get(method.lower())
        if op is None:
            return template, [f"method {method} is not defined for {template}"]
        problems: list[str] = []
        params = {(p["name"], p["in"]): p for p in [*item.get("parameters", []), *op.get("parameters", [])]}
        for name, value in path_params.items():
            spec = params.get((name, "path"))
            if spec is not None:
                problems += self._check_value(f"path parameter {name}", spec.get("schema", {}), value)
        body_props = self._body_properties(op)
        for name, value in query.items():
            spec = params.get((name, "query"))
            if spec is not None:
                problems += self._check_value(f"query parameter {name}", spec.get("schema", {}), value)
            elif name in body_props:
                # Discord still honours some body fields in the query string (e.g. ban's
                # delete_message_seconds, which discord.py sends that way).
                problems += self._check_value(f"query parameter {name}", body_props[name], value)
            else:
                problems.append(f"unknown query parameter {name!r}")
        if has_body:
            content = (op.get("requestBody") or {}).get("content") or {}
            if "application/json" not in content:
                problems.append("operation takes no JSON request body")
            else:
                validator = self._validator(
                    "paths", template, method.lower(), "requestBody", "content", "application/json", "schema"
                )
                for err in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))[:5]:
                    where = "/".join(str(p) for p in err.absolute_path) or "<body>"
                    problems.append(f"body {where}: {err.message[:300]}")
        return template, problems

    def _body_properties(self, op: dict[str, Any]) -> dict[str, Any]:
        content = (op.get("requestBody") or {}).get("content") or {}
        schema = self._resolve((content.get("application/json") or {}).get("schema"))
        if isinstance(schema, dict):
            props = schema.get("properties")
            if isinstance(props, dict):
                return props
        return {}

    def _param_validator(self, schema_json: str) -> jsonschema.protocols.Validator:
        key = ("param", schema_json)
        validator = self._validators.get(key)
        if validator is None:
            schema = json.loads(schema_json)
            ref = schema.get("$ref")
            if isinstance(ref, str) and ref.startswith("#"):
                schema = {"$ref": _DOC_URI + ref}
            validator = jsonschema.Draft202012Validator(
                schema, registry=self._registry, format_checker=_FORMATS
            )
            self._validators[key] = validator
        return validator

    def _check_value(self, what: str, schema: dict[str, Any], raw: str) -> list[str]:
        resolved = self._resolve(schema)
        types = resolved.get("type") if isinstance(resolved, dict) else None
        type_list = types if isinstance(types, list) else [types]
        value: Any = raw
        if "integer" in type_list:
            try:
                value = int(raw)
            except ValueError:
                return [f"{what}={raw!r} is not an integer"]
        elif "boolean" in type_list:
            lowered = raw.lower()
            if lowered not in ("true", "false", "1", "0"):
                return [f"{what}={raw!r} is not a boolean"]
            value = lowered in ("true", "1")
        validator = self._param_validator(json.dumps(schema, sort_keys=True))
        return [f"{what}: {e.message}" for e in validator.iter_errors(value)]
