"""The be-kind messages: defaults from ``config/templates.toml``, owner overrides, safe rendering.

Owners may rewrite every message Primum sends on its behalf. Templates are checked when they are
saved (only known ``{placeholders}``, no attribute access or format specs, a length limit), and
rendered by substitution only, never ``str.format`` on owner text, so a template cannot reach
into Python objects.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TEMPLATES_FILE = Path(__file__).resolve().parents[2] / "config" / "templates.toml"

CREED = "It's OK to disagree. It's not OK to belittle, gaslight or act maliciously."

#: Template name -> the placeholders it may use.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "nudge_dm": frozenset({"creed", "category", "jump_url", "channel", "guild", "window"}),
    "nudge_channel": frozenset({"creed", "category", "channel", "guild", "window"}),
    "hide_dm": frozenset({"creed", "category", "jump_url", "channel", "guild", "text"}),
    "hide_modlog": frozenset({"category", "channel", "guild", "score"}),
    "degraded_modlog": frozenset({"guild"}),
    "heat_notice": frozenset({"creed", "channel", "guild"}),
    "thread_suggestion": frozenset({"members", "channel", "guild"}),
    "pileon_notice": frozenset({"creed", "channel", "guild"}),
    "sanction_dm": frozenset({"what", "reason", "case", "guild", "channel", "until"}),
    "sanction_closed_modlog": frozenset({"member", "what", "case"}),
    "threat_modlog": frozenset({"member", "channel", "jump_url", "score", "category", "note"}),
    "observe_modlog": frozenset({"action", "member", "channel", "jump_url", "score", "category", "threshold"}),
    "observe_welcome": frozenset({"guild", "days", "until"}),
}

#: What each category is called in a message to a member.
CATEGORY_LABELS: dict[str, str] = {
    "insult": "an insult",
    "belittling": "belittling",
    "identity_attack": "an attack on someone's identity",
    "threat": "a threat",
    "profanity": "profanity",
}

#: Discord's message limit is 2,000 characters; leave room for the substituted values.
MAX_TEMPLATE_LENGTH = 1_500


class TemplateError(ValueError):
    """A template cannot be used; the message names the problem and the allowed placeholders."""


@cache
def default_templates(path: Path = TEMPLATES_FILE) -> dict[str, str]:
    """The shipped defaults, validated once (a broken config file stops the bot at start-up)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    table = data.get("templates", {})
    missing = set(PLACEHOLDERS) - set(table)
    if missing:
        raise TemplateError(f"{path} lacks templates: {', '.join(sorted(missing))}")
    result: dict[str, str] = {}
    for name, text in table.items():
        if name not in PLACEHOLDERS:
            raise TemplateError(f"{path}: unknown template {name!r}; known: {', '.join(sorted(PLACEHOLDERS))}")
        result[name] = validate_template(name, str(text))
    return result


def category_label(category: str | None) -> str:
    """A member-facing name for a category ("belittling", "an insult")."""
    if category is None:
        return "unkind"
    return CATEGORY_LABELS.get(category, category.replace("_", " "))


def validate_template(name: str, text: str) -> str:
    """Return the cleaned template or raise :class:`TemplateError` saying what is wrong."""
    if name not in PLACEHOLDERS:
        raise TemplateError(f"unknown template {name!r}; known: {', '.join(sorted(PLACEHOLDERS))}")
    cleaned = text.strip()
    if not cleaned:
        raise TemplateError("a template cannot be empty")
    if len(cleaned) > MAX_TEMPLATE_LENGTH:
        raise TemplateError(f"a template may have at most {MAX_TEMPLATE_LENGTH} characters (this has {len(cleaned)})")
    allowed = PLACEHOLDERS[name]
    try:
        parsed = list(string.Formatter().parse(cleaned))
    except ValueError as error:
        raise TemplateError(f"braces do not match ({error}); write {{{{ and }}}} for literal braces") from None
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if field not in allowed or spec or conversion:
            shown = "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise TemplateError(
                f"{shown} is not a placeholder of {name}; use: "
                + ", ".join("{" + p + "}" for p in sorted(allowed))
            )
    return cleaned


def render(template: str, values: Mapping[str, str]) -> str:
    """Substitute ``{placeholders}`` in a validated template; missing values render empty."""
    out: list[str] = []
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is not None:
            out.append(values.get(field, ""))
    return "".join(out)


@dataclass(frozen=True)
class TemplateSet:
    """The templates a guild uses: its overrides over the defaults."""

    overrides: Mapping[str, str]

    def get(self, name: str) -> str:
        """The guild's template, or the default when it has none (or a stored one went bad)."""
        text = self.overrides.get(name)
        if text is not None:
            try:
                return validate_template(name, text)
            except TemplateError:
                pass
        return default_templates()[name]

    def render(self, name: str, **values: str) -> str:
        """Render one template with the creed filled in unless given."""
        values.setdefault("creed", CREED)
        return render(self.get(name), values)
