# mypy: disable-error-code="union-attr"
"""The conversation-level policy in the be-kind service: flags, threat alerts, observe mode, sanction DMs.

Fake Discord ports, a temp database, a fake clock and the keyword FakeScorer.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from primum.domain.observe import Verdict, examples
from primum.domain.scored import ScoredMessage
from primum.inference.fake import FakeScorer
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.cases import CaseLog
from primum.services.conversation import ConversationPolicy
from primum.services.kindness import KindnessService, MessageFacts
from primum.services.kindness_port import DmClosed, Place
from primum.services.observe import ObserveService
from primum.services.sanctions import SanctionNotices
from primum.settings import KindnessSettings
from primum.storage import Database, GuildSettingsRepository
from primum.storage.cases import CaseRepository
from primum.storage.kindness import KindnessRepository, NudgeRecord
from primum.storage.policy import PolicyRepository

G, GENERAL, A, B, MOD = 1, 10, 500, 501, 900
_ids = iter(range(20_000, 99_999))


@dataclass
class Port:
    """Be-kind's, observe mode's and the sanction notices' Discord side, as lists."""

    dm_closed: set[int] = field(default_factory=set)
    dms: list[tuple[int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    modlog: list[str] = field(default_factory=list)
    reports: list[tuple[str, int]] = field(default_factory=list)
    owner_notes: list[str] = field(default_factory=list)

    def place(self, guild_id: int, channel_id: int, message_id: int) -> Place:
        return Place("Physicians", f"#c{channel_id}", f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}")

    async def send_nudge_dm(self, nudge: NudgeRecord, content: str) -> None:
        if nudge.author_id in self.dm_closed:
            raise DmClosed("closed")
        self.dms.append((nudge.author_id, content))

    async def send_nudge_note(self, nudge: NudgeRecord, content: str) -> None:
        self.notes.append(content)

    async def delete_message(self, channel_id: int, message_id: int) -> bool:
        return True

    async def send_dm(self, user_id: int, content: str, attachment: str | None = None) -> bool:
        if user_id in self.dm_closed:
            return False
        self.dms.append((user_id, content))
        return True

    async def post_modlog(self, guild_id: int, content: str) -> tuple[int, int] | None:
        self.modlog.append(content)
        return 99, len(self.modlog)

    async def edit_modlog(self, channel_id: int, message_id: int, content: str) -> None:
        return None

    # observe mode
    async def post_report(self, guild_id: int, content: str, report_id: int) -> tuple[int, int] | None:
        self.reports.append((content, report_id))
        return 99, 1000 + report_id

    async def tell_owner(self, guild_id: int, content: str) -> bool:
        self.owner_notes.append(content)
        return True

    # sanction notices
    async def dm(self, user_id: int, content: str) -> bool:
        return await self.send_dm(user_id, content)

    def names(self, guild_id: int, channel_id: int | None) -> tuple[str, str]:
        return "Physicians", f"#c{channel_id}"


@dataclass
class Env:
    service: KindnessService
    observe: ObserveService
    port: Port
    clock: FakeClock
    db: Database
    scored: list[ScoredMessage]

    async def say(self, text: str, *, author: int = A, edited_id: int | None = None, moderators: bool = False):
        facts = MessageFacts(G, GENERAL, edited_id or next(_ids), author, self.clock.now(),
                             mentions_moderators=moderators)
        return await self.service.handle_message(facts, text, edited=edited_id is not None)


def build(db: Database, clock: FakeClock, *, hide: float | None = None, days: int = 7) -> Env:
    port = Port()
    events = EventSink(clock=clock)
    guild_settings = GuildSettingsRepository(db)
    observe = ObserveService(guild_settings, PolicyRepository(db), clock, events, new_server_days=days, port=port)
    service = KindnessService(
        repo=KindnessRepository(db), guild_settings=guild_settings, settings=KindnessSettings(hide_threshold=hide),
        scorer=FakeScorer(hide=hide), clock=clock, events=events, port=port, retry_delays_s=(0.0,),
        overload_delays_s=(0.0,),
        conversation=ConversationPolicy(PolicyRepository(db), events, observe),
    )
    scored: list[ScoredMessage] = []
    service.on_scored = scored.append
    return Env(service, observe, port, clock, db, scored)


@pytest.fixture
async def env(tmp_path: Path):
    db = await Database.open(tmp_path / "c.sqlite3")
    clock = FakeClock()
    built = build(db, clock)
    await built.service.scorer.start()
    yield built
    await db.close()


async def test_rate_limited_messages_are_still_flagged_for_de_escalation(env) -> None:
    first = await env.say("you idiot")
    env.clock.advance(60)
    second = await env.say("you moron")
    assert first.nudge is not None and second.nudge is None  # one nudge per window …
    assert second.scored.flagged is True and second.scored.threshold == 0.7  # … but it still counts
    civil = await env.say("I read the trial differently")
    assert civil.scored.flagged is False


async def test_an_insult_turning_into_a_threat_is_nudged_again_and_alerts_the_mods(env) -> None:
    await env.say("you idiot")
    env.clock.advance(60)
    threat = await env.say("watch your back")
    assert threat.nudge is not None and threat.decision.reason.value == "escalated"
    [alert] = env.port.modlog
    assert "Possible threat" in alert and f"<@{A}>" in alert and "Hiding is off" in alert
    assert "watch your back" not in alert  # no message text
    # an edit of the same message never alerts twice
    await env.say("watch your back!!", edited_id=threat.scored.message_id)
    assert len(env.port.modlog) == 1


async def test_a_message_only_ranked_a_threat_is_nudged_without_alerting_the_mods(env) -> None:
    """The threat category ranks first but the model is not sure it is one (0.85 < 0.9): the author
    gets the private nudge, and no moderator is told a member posted a possible threat."""
    uncertain = await env.say("careful what you post")
    assert uncertain.nudge is not None and uncertain.decision.category == "threat"
    assert env.port.modlog == [] and env.service.events.of_type("threat_alert") == []
    sure = await env.say("watch your back", author=B)
    assert sure.nudge is not None
    [alert] = env.port.modlog
    assert "Possible threat" in alert and f"<@{B}>" in alert


async def test_a_call_for_violence_against_a_group_alerts_the_mods_though_the_lift_is_under_the_alert_score(
    env,
) -> None:
    """The fake's lists floor (0.77) is under the 0.8 alert score: a listed call alerts all the same,
    and a kind line that quotes it to report it alerts nobody."""
    await env.say('someone wrote "refugees should be shot", reported to the mods')
    assert env.port.modlog == []
    call = await env.say("honestly refugees should be shot")
    assert call.nudge is not None and call.nudge.score < 0.8
    [alert] = env.port.modlog
    assert "Possible threat" in alert and "refugees" not in alert  # no message text


async def test_telling_a_member_to_kill_themselves_is_nudged_and_alerts_the_mods(env) -> None:
    """The told-to-die list lifts as a threat, like the group-violence one: nudged, and the mods
    hear of it though hiding is off; a member reporting it is neither."""
    await env.say("he told me to kys, reported to the mods")
    assert env.port.modlog == []
    order = await env.say("kys")
    assert order.nudge is not None and order.decision.category == "threat"
    [alert] = env.port.modlog
    assert "Possible threat" in alert and "kys" not in alert  # no message text


async def test_a_hidden_threat_is_not_alerted_twice(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "h.sqlite3")
    try:
        built = build(db, FakeClock(), hide=0.9)
        await built.service.scorer.start()
        await built.say("I will end your career")
        assert len(built.port.modlog) == 1 and "hidden" in built.port.modlog[0]  # the hide's case, not an alert
        assert built.service.events.of_type("threat_alert") == []
    finally:
        await db.close()


async def test_the_nudge_seen_time_and_a_disputed_nudge_reach_de_escalation(env) -> None:
    first = await env.say("you idiot")
    env.clock.advance(60)
    later = await env.say("you clown")
    assert later.scored.nudge_seen_at == first.nudge.created_at  # delivered at once by the fake port
    await env.service.respond(first.nudge.id, A, "mistake")
    env.clock.advance(60)
    disputed = await env.say("you moron")
    assert disputed.scored.disputed is True


async def test_a_closed_dm_gives_no_grace_period_start(env) -> None:
    env.port.dm_closed.add(A)
    await env.say("you idiot")
    env.clock.advance(60)
    later = await env.say("you moron")
    assert later.scored.nudge_seen_at is None  # never read: never a cooldown
    assert env.port.notes == []


@pytest.mark.parametrize(
    ("text", "moderators", "expected"),
    [
        ("whoa… both of you please stop", False, True),
        ("this is way over the line. reporting to the mods", False, True),
        ("can someone look at this", True, True),
        ("you idiot", False, False),
    ],
)
async def test_counterspeech_is_marked(env, text, moderators, expected) -> None:
    handled = await env.say(text, moderators=moderators)
    assert handled.scored.counterspeech is expected


# --- observe mode -----------------------------------------------------------------------------------


async def test_observe_mode_reports_instead_of_nudging_and_stores_the_verdict(env) -> None:
    await env.observe.set_mode(G, True, actor_id=MOD)
    handled = await env.say("Did they even teach you pharmacology?")
    assert handled.nudge is None and env.port.dms == []  # nothing happens to the member
    assert handled.scored.observe is True
    [(content, report_id)] = env.port.reports
    assert "would have sent **a private nudge**" in content and "pharmacology" not in content
    ok, _ = await env.observe.verdict(report_id, Verdict.WRONG, moderator_id=MOD)
    assert ok
    [report] = await env.observe.repo.labelled(G)
    assert (report.verdict, report.action, report.text) == ("wrong", "nudge", None)
    assert [(e.label, e.category) for e in examples(
        [(r.action, r.score, r.category, r.verdict, r.model_version) for r in [report]])] == [(0, "belittling")]


async def test_observe_mode_keeps_text_only_when_the_owner_opts_in(env) -> None:
    await env.observe.set_mode(G, True, actor_id=MOD)
    await env.observe.set_keep_text(G, True, actor_id=MOD)
    await env.say("you idiot")
    [(content, report_id)] = env.port.reports
    assert "you idiot" in content
    assert (await env.observe.repo.report(report_id)).text == "you idiot"
    assert await env.service.records.forget(G, A, actor_id=A) >= 1
    assert await env.observe.repo.report(report_id) is None


async def test_observe_mode_per_channel_beats_the_server(env) -> None:
    await env.observe.set_mode(G, True, actor_id=MOD)
    await env.observe.set_mode(G, False, actor_id=MOD, channel_id=GENERAL)
    handled = await env.say("you idiot")
    assert handled.nudge is not None and env.port.reports == []


async def test_observe_mode_still_applies_the_per_author_window(env) -> None:
    await env.observe.set_mode(G, True, actor_id=MOD)
    await env.say("you idiot")
    env.clock.advance(60)
    second = await env.say("you moron")
    assert len(env.port.reports) == 1 and second.decision.reason.value == "rate_limited"
    assert second.scored.nudge_seen_at is not None  # a would-nudge starts the grace period, as a nudge would


async def test_a_new_server_is_observed_for_a_week_and_the_owner_is_told(env) -> None:
    until = await env.observe.on_guild_join(G, "Physicians")
    assert until == env.clock.now() + timedelta(days=7)
    assert "7 days" in env.port.owner_notes[0]
    assert await env.observe.observing(G, (GENERAL,))
    # restart-safe: a fresh service reads the trial from the database
    fresh = ObserveService(env.observe.guild_settings, PolicyRepository(env.db), env.clock, env.service.events)
    assert await fresh.observing(G, (GENERAL,))
    assert await env.observe.on_guild_join(G, "Physicians") is None  # rejoining does not restart it
    env.clock.advance(timedelta(days=7, seconds=1).total_seconds())
    assert not await fresh.observing(G, (GENERAL,))


async def test_an_owner_can_end_the_trial_early(env) -> None:
    await env.observe.on_guild_join(G, "Physicians")
    await env.observe.set_mode(G, False, actor_id=MOD)
    handled = await env.say("you idiot")
    assert handled.nudge is not None


# --- sanction notices -----------------------------------------------------------------------------


async def test_every_cooldown_reaches_the_member_with_its_case_number(env) -> None:
    cases = CaseLog(env.db, env.clock)
    notices = SanctionNotices(CaseRepository(env.db), env.observe.guild_settings, env.service.events, env.port)
    case = await cases.record(G, "cooldown", B, None, "kept posting unkind messages after a private nudge",
                              duration_s=600, details={"channel_id": GENERAL})
    assert await notices.notify(case.id) == "dm"
    [(user, text)] = env.port.dms
    assert user == B and f"case #{case.number}" in text and f"/appeal case:{case.number}" in text
    assert "kept posting unkind messages" in text and "10m cooldown" in text
    assert await notices.notify(case.id) == "skipped"  # never twice


async def test_a_closed_dm_tells_the_moderators_not_the_channel(env) -> None:
    env.port.dm_closed.add(B)
    cases = CaseLog(env.db, env.clock)
    notices = SanctionNotices(CaseRepository(env.db), env.observe.guild_settings, env.service.events, env.port)
    case = await cases.record(G, "hide", B, None, "be-kind model: threat (score 0.97 ≥ hide threshold 0.90)",
                              details={"channel_id": GENERAL})
    assert await notices.notify(case.id) == "closed"
    [note] = env.port.modlog
    assert f"case #{case.number}" in note and "DMs are closed" in note and "nothing was posted" in note
    assert env.port.notes == []


async def test_a_moderators_hide_is_dmed_by_the_moderation_cog_not_twice(env) -> None:
    cases = CaseLog(env.db, env.clock)
    notices = SanctionNotices(CaseRepository(env.db), env.observe.guild_settings, env.service.events, env.port)
    case = await cases.record(G, "hide", B, MOD, "personal attack", details={"channel_id": GENERAL})
    assert await notices.notify(case.id) == "skipped"
