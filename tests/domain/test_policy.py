"""The be-kind policy as tables: thresholds, decisions, outcomes, durations, statistics, templates."""

from datetime import UTC, datetime, timedelta

import pytest

from primum.domain.durations import format_duration, parse_duration
from primum.domain.nudge_stats import NudgeFact, aggregate, week_start
from primum.domain.policy import (
    ACTIONABLE,
    Action,
    AfterNudge,
    CategoryThresholds,
    Exemptions,
    Level,
    Outcome,
    Reason,
    ThresholdError,
    ThresholdOverrides,
    classify_outcome,
    decide,
    parse_threshold,
    resolve_thresholds,
    still_over,
)
from primum.domain.templates import TemplateError, TemplateSet, default_templates, render, validate_template

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=10)
CH, THREAD_PARENT = 100, 200


def uniform(nudge: float | None, hide: float | None = None) -> dict[str, CategoryThresholds]:
    return {c: CategoryThresholds(nudge, hide) for c in ACTIONABLE}


def cats(**values: float) -> dict[str, float]:
    base = dict.fromkeys((*ACTIONABLE, "profanity"), 0.01)
    base.update(values)
    return base


OVERRIDES = ThresholdOverrides(
    guild_nudge=Level(0.6),
    channel_nudge={CH: Level(0.9), THREAD_PARENT: Level(0.8)},
    channel_hide={CH: Level(off=True)},
    guild_hide=Level(0.95),
    category_nudge={"threat": Level(0.5)},
)


@pytest.mark.parametrize(
    ("overrides", "chain", "category", "expected"),
    [
        (ThresholdOverrides(), (1,), "insult", CategoryThresholds(0.7, None)),  # defaults
        (OVERRIDES, (1,), "insult", CategoryThresholds(0.6, 0.95)),  # guild
        (OVERRIDES, (CH,), "insult", CategoryThresholds(0.9, None)),  # channel beats guild; hide off there
        (OVERRIDES, (CH,), "threat", CategoryThresholds(0.5, None)),  # category beats channel
        (OVERRIDES, (999, THREAD_PARENT), "belittling", CategoryThresholds(0.8, 0.95)),  # thread inherits parent
        (OVERRIDES, (CH, THREAD_PARENT), "insult", CategoryThresholds(0.9, None)),  # the channel itself first
    ],
)
def test_resolve_thresholds(overrides, chain, category, expected) -> None:
    resolved = resolve_thresholds(overrides, channel_ids=chain, default_nudge=0.7, default_hide=None)
    assert resolved[category] == expected


@pytest.mark.parametrize(
    ("text", "allow_off", "expected"),
    [
        ("0.8", False, Level(0.8)),
        ("75%", False, Level(0.75)),
        (" default ", False, Level()),
        ("off", True, Level(off=True)),
        ("1", True, Level(1.0)),
    ],
)
def test_parse_threshold(text, allow_off, expected) -> None:
    assert parse_threshold(text, allow_off=allow_off) == expected


@pytest.mark.parametrize(("text", "allow_off"), [("off", False), ("1.5", False), ("0", True), ("nan", True),
                                                 ("abc", True), ("0.01", False)])
def test_parse_threshold_refuses(text, allow_off) -> None:
    with pytest.raises(ThresholdError):
        parse_threshold(text, allow_off=allow_off)


@pytest.mark.parametrize(
    ("categories", "thresholds", "recent", "already", "exempt", "action", "reason", "category"),
    [
        (cats(), uniform(0.7), [], False, None, Action.NONE, Reason.BELOW_THRESHOLD, None),
        (cats(insult=0.82), uniform(0.7), [], False, None, Action.NUDGE, Reason.OVER_NUDGE, "insult"),
        (cats(insult=0.7), uniform(0.7), [], False, None, Action.NUDGE, Reason.OVER_NUDGE, "insult"),  # inclusive
        (cats(profanity=0.99), uniform(0.7), [], False, None, Action.NONE, Reason.BELOW_THRESHOLD, None),
        (cats(insult=0.82), uniform(0.7), [NOW - timedelta(minutes=5)], False, None, Action.NONE,
         Reason.RATE_LIMITED, "insult"),
        (cats(insult=0.82), uniform(0.7), [NOW - timedelta(minutes=11)], False, None, Action.NUDGE,
         Reason.OVER_NUDGE, "insult"),  # the window has passed
        (cats(insult=0.82), uniform(0.7), [], True, None, Action.NONE, Reason.ALREADY_NUDGED, "insult"),
        (cats(insult=0.95), uniform(0.7, 0.9), [NOW], True, None, Action.HIDE, Reason.OVER_HIDE, "insult"),
        (cats(insult=0.95), uniform(0.7, None), [], False, None, Action.NUDGE, Reason.OVER_NUDGE, "insult"),
        (cats(insult=0.99), uniform(0.7, 0.9), [], False, Reason.EXEMPT_ROLE, Action.NONE, Reason.EXEMPT_ROLE, None),
        # the largest margin over its own cut-off wins
        (cats(insult=0.75, threat=0.6), {**uniform(0.7), "threat": CategoryThresholds(0.5, None)}, [], False, None,
         Action.NUDGE, Reason.OVER_NUDGE, "threat"),
        (cats(insult=0.9), {**uniform(0.7), "insult": CategoryThresholds(None, None)}, [], False, None,
         Action.NONE, Reason.BELOW_THRESHOLD, None),
    ],
)
def test_decide(categories, thresholds, recent, already, exempt, action, reason, category) -> None:
    overall = max(v for k, v in categories.items() if k != "profanity")  # as the fake scorer reports it
    decision = decide(overall, categories, thresholds, recent_nudges=recent, now=NOW,
                      nudge_window=WINDOW, already_nudged=already, exempt=exempt)
    assert (decision.action, decision.reason, decision.category) == (action, reason, category)


@pytest.mark.parametrize(
    ("overall", "categories", "action", "category", "value"),
    [
        # the real model: a confident overall score with rough category scores still nudges
        (0.85, cats(insult=0.68, belittling=0.51), Action.NUDGE, "insult", 0.85),
        # a high category score under a low overall score does not (the card calibrates the overall)
        (0.4, cats(belittling=0.95), Action.NONE, None, 0.0),
        # profanity is never the category the overall score speaks for
        (0.2, cats(profanity=0.99, insult=0.05), Action.NONE, None, 0.0),
        (0.95, cats(threat=0.3, insult=0.1), Action.HIDE, "threat", 0.95),
    ],
)
def test_overall_score_decides_and_top_category_words_it(overall, categories, action, category, value) -> None:
    decision = decide(overall, categories, uniform(0.7, 0.9), recent_nudges=[], now=NOW, nudge_window=WINDOW)
    assert (decision.action, decision.category) == (action, category)
    if category is not None:
        assert decision.score == value
    assert still_over(categories, overall, uniform(0.7)) is (action is not Action.NONE)


def test_decide_without_categories_uses_overall_score() -> None:
    assert decide(0.8, {}, uniform(0.7), recent_nudges=[], now=NOW, nudge_window=WINDOW).action is Action.NUDGE
    assert still_over({}, 0.8, uniform(0.7))
    assert not still_over(cats(insult=0.3), 0.3, uniform(0.7))


@pytest.mark.parametrize(
    ("channels", "roles", "expected"),
    [((1,), (), None), ((5,), (), Reason.EXEMPT_CHANNEL), ((1, 5), (), Reason.EXEMPT_CHANNEL),
     ((1,), (7,), Reason.EXEMPT_ROLE)],
)
def test_exemptions(channels, roles, expected) -> None:
    assert Exemptions(frozenset({5}), frozenset({7})).exempt_reason(channels, roles) is expected


DEADLINE = NOW + timedelta(minutes=30)


@pytest.mark.parametrize(
    ("happened", "at", "expected"),
    [
        (AfterNudge.EDITED_BELOW, NOW + timedelta(minutes=1), Outcome.REVISED),
        (AfterNudge.EDITED_STILL_OVER, NOW + timedelta(minutes=1), None),
        (AfterNudge.DELETED, NOW + timedelta(minutes=29), Outcome.WITHDRAWN),
        (AfterNudge.DELETED, DEADLINE + timedelta(seconds=1), Outcome.KEPT),  # too late to count
        (AfterNudge.WINDOW_EXPIRED, DEADLINE - timedelta(seconds=1), None),
        (AfterNudge.WINDOW_EXPIRED, DEADLINE, Outcome.KEPT),
        (AfterNudge.WINDOW_EXPIRED, DEADLINE + timedelta(hours=5), Outcome.KEPT),  # a late sweep after a restart
    ],
)
def test_classify_outcome(happened, at, expected) -> None:
    assert classify_outcome(happened, at=at, deadline=DEADLINE) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("30s", timedelta(seconds=30)), ("10m", timedelta(minutes=10)), ("10", timedelta(minutes=10)),
     ("2 hours", timedelta(hours=2)), ("1d", timedelta(days=1)), ("1.5m", timedelta(seconds=90))],
)
def test_parse_duration(text, expected) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "ten minutes", "8d", "-5m"])
def test_parse_duration_refuses(text) -> None:
    with pytest.raises(ThresholdError):
        parse_duration(text)


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (90, "1m 30s"), (3600, "1h"), (86400 + 60, "1d 1m")])
def test_format_duration(seconds, text) -> None:
    assert format_duration(timedelta(seconds=seconds)) == text


def test_aggregate_by_channel_and_week() -> None:
    monday = datetime(2026, 1, 5, tzinfo=UTC)
    facts = [
        NudgeFact(1, monday + timedelta(hours=1), Outcome.REVISED, False),
        NudgeFact(1, monday + timedelta(days=2), Outcome.KEPT, True),
        NudgeFact(2, monday + timedelta(days=8), Outcome.WITHDRAWN, False),
        NudgeFact(2, monday + timedelta(days=9), None, False),
    ]
    stats = aggregate(facts)
    assert stats.total.nudges == 4 and stats.total.reports == 1 and stats.total.open == 1
    assert stats.total.revision_rate == pytest.approx(2 / 3)
    assert stats.by_channel[1].revision_rate == pytest.approx(0.5)
    assert list(stats.by_week) == [monday, monday + timedelta(days=7)]
    assert stats.by_channel_week[(2, monday + timedelta(days=7))].withdrawn == 1
    assert week_start(datetime(2026, 1, 11, 23, 59, tzinfo=UTC)) == monday


# --- templates -------------------------------------------------------------------------------------


def test_default_templates_load_and_render() -> None:
    defaults = default_templates()
    assert {"nudge_dm", "nudge_channel", "hide_dm", "hide_modlog", "degraded_modlog"} <= set(defaults)
    text = TemplateSet({}).render("nudge_dm", category="belittling", jump_url="https://j", channel="#g", window="30m")
    assert "belittling" in text and "https://j" in text and "Debate is welcome" in text
    assert "maliciously" not in text and "stays up" in text  # one sharp line is not malice; keeping it is fine
    assert "{" not in text


@pytest.mark.parametrize(
    ("name", "text"),
    [("nudge_dm", "{text}"), ("nudge_dm", "{category.__class__}"), ("nudge_dm", "{category!r}"),
     ("nudge_dm", "{category:>10}"), ("nudge_dm", "{"), ("nudge_dm", "  "), ("nope", "hi"),
     ("nudge_dm", "x" * 1501)],
)
def test_bad_templates_are_refused(name, text) -> None:
    with pytest.raises(TemplateError):
        validate_template(name, text)


def test_owner_template_overrides_and_bad_stored_template_falls_back() -> None:
    assert TemplateSet({"nudge_channel": "Be kind in {channel} {{ok}}"}).render("nudge_channel", channel="#x") == \
        "Be kind in #x {ok}"
    assert TemplateSet({"nudge_channel": "{evil.attr}"}).get("nudge_channel") == default_templates()["nudge_channel"]
    assert render("{a} and {b}", {"a": "1"}) == "1 and "


@pytest.mark.parametrize(
    ("categories", "earlier", "action", "reason"),
    [
        # the window must not swallow escalation: a more serious kind is nudged again
        (cats(threat=0.85), ["insult"], Action.NUDGE, Reason.ESCALATED),
        (cats(identity_attack=0.85), ["belittling"], Action.NUDGE, Reason.ESCALATED),
        # the same or a lesser kind waits for the window (de-escalation still sees it)
        (cats(insult=0.95), ["insult"], Action.NONE, Reason.RATE_LIMITED),
        (cats(belittling=0.95), ["threat"], Action.NONE, Reason.RATE_LIMITED),
        (cats(threat=0.85), ["insult", "threat"], Action.NONE, Reason.RATE_LIMITED),
        (cats(threat=0.85), [], Action.NONE, Reason.RATE_LIMITED),  # categories unknown: as before
    ],
)
def test_a_more_serious_kind_inside_the_window_is_nudged_again(categories, earlier, action, reason) -> None:
    overall = max(categories.values())
    decision = decide(overall, categories, uniform(0.7), recent_nudges=[NOW - timedelta(minutes=2)], now=NOW,
                      nudge_window=WINDOW, recent_categories=earlier)
    assert (decision.action, decision.reason) == (action, reason)


def test_hiding_is_judged_on_the_model_s_own_score_when_a_rule_lifted_it():
    from primum.domain.policy import CategoryThresholds

    thresholds = {c: CategoryThresholds(nudge=0.7, hide=0.75) for c in ("insult", "belittling", "identity_attack",
                                                                        "threat")}
    lifted = {"identity_attack": 0.77, "insult": 0.1, "belittling": 0.1, "threat": 0.1}
    now = datetime(2026, 3, 1, tzinfo=UTC)
    kwargs = {"recent_nudges": (), "now": now, "nudge_window": timedelta(minutes=30)}
    assert decide(0.77, lifted, thresholds, **kwargs).action.value == "hide"  # without the basis
    own = (0.2, {"identity_attack": 0.2, "insult": 0.1, "belittling": 0.1, "threat": 0.1})
    decision = decide(0.77, lifted, thresholds, hide_basis=own, **kwargs)
    assert decision.action.value == "nudge" and decision.category == "identity_attack"
    strong = (0.8, {"identity_attack": 0.8, "insult": 0.1, "belittling": 0.1, "threat": 0.1})
    assert decide(0.8, lifted, thresholds, hide_basis=strong, **kwargs).action.value == "hide"
