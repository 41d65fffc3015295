# mypy: disable-error-code="union-attr"
"""The be-kind service end to end without Discord: fake port, temp database, fake clock, FakeScorer."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from primum.domain.policy import Level
from primum.domain.scored import ScoredMessage
from primum.inference.fake import FakeScorer
from primum.inference.protocol import KindnessScore, Overloaded
from primum.runtime.clock import FakeClock
from primum.runtime.events import EventSink
from primum.services.kindness import KindnessService, MessageFacts
from primum.services.kindness_port import DeliveryFailed, DmClosed, Place
from primum.settings import KindnessSettings
from primum.storage import Database, GuildSettingsRepository
from primum.storage.kindness import KindnessRepository, NudgeRecord

G, GENERAL, VENTING, A, B, OWNER = 1, 10, 11, 500, 501, 900
UNKIND = "Did they even teach you pharmacology?"
KIND = "I read the trial differently; the NNT was 40."


@dataclass
class FakePort:
    dm_closed: set[int] = field(default_factory=set)
    fail_dm: int = 0  # transient failures before a DM succeeds
    lose_reply: int = 0  # DMs that are delivered but whose reply is lost (a 5xx or a crash after the send)
    sent: dict[int, str] = field(default_factory=dict)  # nudge id -> 'dm' | 'channel', as Discord holds them
    dms: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    modlog: list[str] = field(default_factory=list)
    edits: list[tuple[int, str]] = field(default_factory=list)

    def place(self, guild_id: int, channel_id: int, message_id: int) -> Place:
        return Place("Physicians", f"#c{channel_id}", f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}")

    async def send_nudge_dm(self, nudge: NudgeRecord, content: str) -> None:
        if nudge.author_id in self.dm_closed:
            raise DmClosed("closed")
        if self.fail_dm:
            self.fail_dm -= 1
            raise DeliveryFailed("429 Too Many Requests")
        self.dms.append((nudge.author_id, content))
        self.sent[nudge.id] = "dm"
        if self.lose_reply:
            self.lose_reply -= 1
            raise DeliveryFailed("502 Bad Gateway")

    async def send_nudge_note(self, nudge: NudgeRecord, content: str) -> None:
        self.notes.append((nudge.channel_id, content))
        self.sent[nudge.id] = "channel"

    async def find_sent_nudge(self, nudge: NudgeRecord) -> str | None:
        return self.sent.get(nudge.id)

    async def delete_message(self, channel_id: int, message_id: int) -> bool:
        self.deleted.append(message_id)
        return True

    async def send_dm(self, user_id: int, content: str, attachment: str | None = None) -> bool:
        if user_id in self.dm_closed:
            return False
        self.dms.append((user_id, content + (attachment or "")))
        return True

    async def find_dm(self, user_id: int, after: datetime, content: str) -> bool:
        return any(u == user_id and sent.startswith(content) for u, sent in self.dms)

    async def post_modlog(self, guild_id: int, content: str) -> tuple[int, int] | None:
        self.modlog.append(content)
        return 99, len(self.modlog)

    async def find_modlog_post(self, guild_id: int, after: datetime, marker: str) -> tuple[int, int] | None:
        found = [number for number, post in enumerate(self.modlog, start=1) if marker in post]
        return (99, found[0]) if found else None

    async def edit_modlog(self, channel_id: int, message_id: int, content: str) -> None:
        self.edits.append((message_id, content))


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "k.sqlite3")
    try:
        yield database
    finally:
        await database.close()


def make_service(db: Database, clock: FakeClock, scorer=None, **settings) -> tuple[KindnessService, FakePort]:
    port = FakePort()
    service = KindnessService(
        repo=KindnessRepository(db), guild_settings=GuildSettingsRepository(db),
        settings=KindnessSettings(**settings), scorer=scorer or FakeScorer(), clock=clock,
        events=EventSink(clock=clock),
        port=port, retry_delays_s=(0.0, 0.0, 0.0), overload_delays_s=(0.0, 0.0),
    )
    return service, port


@pytest.fixture
async def env(db):
    clock = FakeClock()
    service, port = make_service(db, clock)
    await service.scorer.start()
    return service, port, clock


_next_id = iter(range(10_000, 99_999))


def facts(clock: FakeClock, *, channel: int = GENERAL, author: int = A, message_id: int | None = None,
          roles: frozenset[int] = frozenset(), parents: tuple[int, ...] = ()) -> MessageFacts:
    return MessageFacts(G, channel, message_id or next(_next_id), author, clock.now(), parent_ids=parents,
                        role_ids=roles)


async def test_kind_message_is_scored_and_left_alone(env) -> None:
    service, port, clock = env
    seen: list[ScoredMessage] = []
    service.on_scored = seen.append
    handled = await service.handle_message(facts(clock), KIND)
    assert handled.nudge is None and handled.decision.action.value == "none"
    assert len(seen) == 1 and not seen[0].nudged and port.dms == []
    assert service.events.of_type("nudge") == []


async def test_unkind_message_is_nudged_by_dm_once_then_revised_by_an_edit(env) -> None:
    service, port, clock = env
    msg = facts(clock)
    handled = await service.handle_message(msg, UNKIND)
    assert handled.nudge is not None and handled.scored.nudged
    assert len(port.dms) == 1 and "belittling" in port.dms[0][1] and str(msg.message_id) in port.dms[0][1]
    assert "Debate is welcome" in port.dms[0][1] and "act maliciously" not in port.dms[0][1]
    assert "it stays up and nothing happens to you for it" in port.dms[0][1]  # what keeping it means
    # an edit that is still unkind: no second nudge, outcome still open
    clock.advance(30)
    again = await service.handle_message(msg, UNKIND + " Seriously.", edited=True)
    assert again.nudge is None and again.decision.reason.value == "already_nudged" and again.outcome is None
    assert len(port.dms) == 1
    # an edit below the threshold within the window: revised
    clock.advance(30)
    revised = await service.handle_message(msg, KIND, edited=True)
    assert revised.outcome is not None and revised.outcome.value == "revised"
    [event] = service.events.of_type("nudge_outcome")
    assert event["outcome"] == "revised" and event["message_id"] == msg.message_id
    assert "text" not in event and UNKIND not in str(service.events.events)


async def test_one_nudge_per_author_per_window(env) -> None:
    service, _port, clock = env
    first = await service.handle_message(facts(clock), UNKIND)
    clock.advance(60)
    second = await service.handle_message(facts(clock), "you idiot")
    assert first.nudge is not None and second.nudge is None
    assert second.decision.reason.value == "rate_limited" and second.scored.author_nudges_recent == 1
    clock.advance(minutes=10)
    third = await service.handle_message(facts(clock), "you idiot")
    assert third.nudge is not None


async def test_dm_closed_stays_private_no_channel_note(env) -> None:
    service, port, clock = env
    port.dm_closed.add(A)
    handled = await service.handle_message(facts(clock), UNKIND)
    assert port.dms == [] and port.notes == []  # nothing public points at the member's message
    assert (await service.repo.nudge(handled.nudge.id)).delivery == "failed"  # kept on their /standing
    assert service.events.of_type("nudge_delivery")[0]["via"] == "dm_closed"


async def test_a_429_during_a_nudge_is_retried_not_lost(env) -> None:
    service, port, clock = env
    port.fail_dm = 2
    handled = await service.handle_message(facts(clock), UNKIND)
    assert len(port.dms) == 1
    stored = await service.repo.nudge(handled.nudge.id)
    assert stored.delivery == "dm" and stored.attempts == 3


async def test_a_nudge_whose_reply_was_lost_is_found_not_sent_again(env) -> None:
    service, port, clock = env
    port.lose_reply = 1
    handled = await service.handle_message(facts(clock), UNKIND)
    assert len(port.dms) == 1
    stored = await service.repo.nudge(handled.nudge.id)
    assert stored.delivery == "dm" and stored.attempts == 1
    assert service.events.of_type("nudge_delivery")[-1]["reconciled"] is True


async def test_the_sweep_reconciles_a_nudge_sent_by_a_process_that_died_before_recording_it(env, db) -> None:
    service, port, clock = env
    handled = await service.handle_message(facts(clock), UNKIND)
    nudge_id = handled.nudge.id
    # The killed process had counted its attempt and sent the DM, but never recorded the delivery.
    await db.execute("UPDATE kindness_nudges SET delivery = 'pending', delivered_at = NULL WHERE id = ?", (nudge_id,))
    restarted, _ = make_service(db, clock)
    restarted.port = port
    clock.advance(60)
    await restarted.sweep()
    assert len(port.dms) == 1 and (await restarted.repo.nudge(nudge_id)).delivery == "dm"


async def test_a_nudge_attempted_but_never_sent_is_sent_after_a_restart(env, db) -> None:
    service, port, clock = env
    port.fail_dm = 10
    handled = await service.handle_message(facts(clock), UNKIND)
    assert port.dms == [] and (await service.repo.nudge(handled.nudge.id)).attempts > 0
    port.fail_dm = 0
    clock.advance(60)
    await service.sweep()
    assert len(port.dms) == 1


async def test_undelivered_nudge_is_retried_by_the_sweep(env) -> None:
    service, port, clock = env
    port.fail_dm = 10
    handled = await service.handle_message(facts(clock), UNKIND)
    assert port.dms == [] and (await service.repo.nudge(handled.nudge.id)).delivery == "pending"
    port.fail_dm = 0
    clock.advance(60)
    await service.sweep()
    assert len(port.dms) == 1 and (await service.repo.nudge(handled.nudge.id)).delivery == "dm"


async def test_exempt_channels_and_roles_are_not_scored(env) -> None:
    service, port, clock = env
    await service.policies.set_exempt(G, "channel", VENTING, True, actor_id=OWNER)
    await service.policies.set_exempt(G, "role", 77, True, actor_id=OWNER)
    calls = service.scorer.calls
    assert (await service.handle_message(facts(clock, channel=VENTING), UNKIND)).skipped == "exempt_channel"
    assert (await service.handle_message(facts(clock, channel=5, parents=(VENTING,)), UNKIND)).skipped == \
        "exempt_channel"
    assert (await service.handle_message(facts(clock, roles=frozenset({77})), UNKIND)).skipped == "exempt_role"
    assert service.scorer.calls == calls and port.dms == []


@pytest.mark.parametrize(
    ("channel_level", "category_level", "channel", "nudged"),
    [
        (Level(0.9), None, VENTING, False),  # belittling 0.78 < 0.9 in #venting
        (Level(0.9), None, GENERAL, True),  # still 0.7 elsewhere
        (Level(0.9), Level(0.75), VENTING, True),  # the category override beats the channel
    ],
)
async def test_per_channel_and_category_thresholds(env, channel_level, category_level, channel, nudged) -> None:
    service, _port, clock = env
    await service.policies.set_threshold(G, "nudge", channel_level, actor_id=OWNER, channel_id=VENTING)
    if category_level is not None:
        await service.policies.set_threshold(G, "nudge", category_level, actor_id=OWNER, category="belittling")
    handled = await service.handle_message(facts(clock, channel=channel), UNKIND)
    assert (handled.nudge is not None) is nudged


async def test_deletion_is_withdrawn_and_silence_is_kept_even_after_a_restart(db) -> None:
    clock = FakeClock()
    service, _port = make_service(db, clock)
    await service.scorer.start()
    withdrawn = await service.handle_message(facts(clock), UNKIND)
    kept = await service.handle_message(facts(clock, author=B), "you idiot")
    clock.advance(60)
    assert (await service.handle_deleted(withdrawn.nudge.message_id)).value == "withdrawn"
    # restart: a new service on the same database resolves the due nudge
    clock.advance(minutes=31)
    fresh, _ = make_service(db, clock)
    resolved = await fresh.sweep()
    assert [n.id for n in resolved] == [kept.nudge.id]
    assert (await fresh.repo.nudge(kept.nudge.id)).outcome == "kept"
    assert await fresh.sweep() == []
    assert [e["outcome"] for e in fresh.events.of_type("nudge_outcome")] == ["kept"]


async def test_hide_deletes_returns_text_and_posts_a_case_without_text(db) -> None:
    clock = FakeClock()
    service, port = make_service(db, clock, hide_threshold=0.9)
    await service.scorer.start()
    msg = facts(clock)
    handled = await service.handle_message(msg, "I will end your career")
    assert handled.decision.action.value == "hide" and port.deleted == [msg.message_id]
    assert port.dms and "I will end your career" in port.dms[0][1]
    assert len(port.modlog) == 1 and "threat" in port.modlog[0] and "end your career" not in port.modlog[0]
    assert service.events.of_type("hide")[0]["returned"] is True
    assert await service.handle_deleted(msg.message_id) is None  # our own deletion is not a withdrawal


async def test_hide_with_closed_dms_keeps_the_text_for_the_author_and_opt_in_modlog_text(db) -> None:
    clock = FakeClock()
    service, port = make_service(db, clock, hide_threshold=0.9)
    await service.scorer.start()
    await service.policies.set_modlog_text(G, 1, actor_id=OWNER)
    port.dm_closed.add(A)
    long_text = "watch your back " + "ẑ̷̢a̶l̸g̵o̷ " * 400
    await service.handle_message(facts(clock), long_text)
    data = await service.records.user_data(G, A)
    assert sorted(t.purpose for t in data.texts) == ["modlog", "return"]
    assert "watch your back" in port.modlog[0] and len(port.modlog[0]) <= 2000
    clock.advance(days=1)
    await service.sweep()
    assert port.edits and "redacted" in port.edits[0][1]
    assert [t.purpose for t in (await service.records.user_data(G, A)).texts] == ["return"]


async def test_buttons_and_mistake_reports(env) -> None:
    service, _port, clock = env
    handled = await service.handle_message(facts(clock), UNKIND)
    assert not (await service.respond(handled.nudge.id, B, "mistake")).ok  # only the author
    assert (await service.respond(handled.nudge.id, A, "mistake")).ok
    assert (await service.respond(handled.nudge.id, A, "mistake")).ok  # idempotent
    view = await service.records.stats(G)
    assert view.stats.total.nudges == 1 and view.stats.total.reports == 1 and view.open_reports == 1
    assert len(service.events.of_type("nudge_report")) == 1


async def test_forget_removes_everything(env) -> None:
    service, _port, clock = env
    await service.handle_message(facts(clock), UNKIND)
    assert len((await service.records.user_data(G, A)).nudges) == 1
    assert await service.records.forget(G, A, actor_id=A) == 1
    assert (await service.records.user_data(G, A)).nudges == []


async def test_degraded_scorer_is_reported_once(db) -> None:
    clock = FakeClock()
    service, port = make_service(db, clock, scorer=FakeScorer(fail_to_load=True))
    await service.scorer.start()
    for _ in range(3):
        handled = await service.handle_message(facts(clock), UNKIND)
        assert handled.skipped == "scorer_unavailable"
    assert port.modlog == ["Primum's be-kind model failed to load; messages are not being scored."]


class FlakyScorer(FakeScorer):
    def __init__(self) -> None:
        super().__init__()
        self.refusals = 2

    async def score(self, texts) -> list[KindnessScore]:
        if self.refusals:
            self.refusals -= 1
            raise Overloaded("queue full")
        return await super().score(texts)


async def test_overloaded_scorer_is_waited_out(db) -> None:
    clock = FakeClock()
    service, _port = make_service(db, clock, scorer=FlakyScorer())
    await service.scorer.start()
    handled = await service.handle_message(facts(clock), UNKIND)
    assert handled.nudge is not None and service.scored_count == 1


@pytest.mark.parametrize("text", ["x" * 4000, "🙂" * 500, "ｙｏｕ ｉｄｉｏｔ", "Z̵̡̛a̶l̷g̸o̵ ̶t̷e̸x̵t̶", "\u200b"])
async def test_odd_texts_never_crash(env, text) -> None:
    service, _port, clock = env
    handled = await service.handle_message(facts(clock), text)
    assert handled.scored is not None


async def test_templates_windows_and_stats_chart(env) -> None:
    from cogs._be_kind_stats import draw_stats  # the chart the /kind stats command sends
    from primum.reporting.charts import render_async

    service, port, clock = env
    await service.policies.set_template(G, "nudge_dm", "Gentle note about {jump_url}: {category}", actor_id=OWNER)
    await service.policies.set_window(G, "outcome", timedelta(seconds=5), actor_id=OWNER)
    handled = await service.handle_message(facts(clock), UNKIND)
    assert port.dms[-1][1].startswith("Gentle note about https://discord.com/channels/")
    assert handled.nudge.deadline - handled.nudge.created_at == timedelta(seconds=5)
    png = await render_async(draw_stats, await service.records.stats(G))
    assert png.startswith(b"\x89PNG")



async def test_messages_during_loading_wait_for_the_model_and_are_not_reported(db) -> None:
    clock = FakeClock()
    service, port = make_service(db, clock)
    service.load_wait_s = 0.3
    handled = await service.handle_message(facts(clock), UNKIND)  # the scorer never started: still loading
    assert handled.skipped == "scorer_loading" and port.modlog == []


async def test_a_documented_hate_code_is_nudged_but_never_hidden_on_the_lift_alone(db) -> None:
    """The owner hides at 0.75, under the coded-hate floor: the lifted score would cross it, but
    hiding is judged on the model's own score, so the coded jab is nudged; a real threat still hides."""
    clock = FakeClock()
    service, port = make_service(db, clock, hide_threshold=0.75)
    await service.scorer.start()
    coded = await service.handle_message(facts(clock), "funny how (((they))) always end up on the board")
    assert coded.decision.action.value == "nudge" and coded.decision.category == "identity_attack"
    assert port.deleted == []
    threat = facts(clock, author=A + 1)
    assert (await service.handle_message(threat, "I will end your career")).decision.action.value == "hide"
    assert port.deleted == [threat.message_id]


async def test_an_owner_can_turn_the_documented_codes_off(db) -> None:
    clock = FakeClock()
    service, _ = make_service(db, clock)
    await service.scorer.start()
    text = "funny how (((they))) always end up on the board"
    assert (await service.handle_message(facts(clock), text)).decision.action.value == "nudge"
    await service.policies.set_coded_hate(G, False, actor_id=1)
    assert (await service.policy(G)).coded_hate is False
    off = await service.handle_message(facts(clock, author=A + 1), text)
    assert off.decision.action.value == "none"  # only the model decides: the fake scores it as kind
    await service.policies.set_coded_hate(G, True, actor_id=1)
    assert (await service.handle_message(facts(clock, author=A + 2), text)).decision.action.value == "nudge"


async def test_a_call_for_violence_against_a_group_is_nudged_as_a_threat_even_with_the_codes_list_off(db) -> None:
    """The violence list is not the codes list: an owner who turns codes off keeps it; hiding still
    needs the model."""
    clock = FakeClock()
    service, port = make_service(db, clock, hide_threshold=0.75)
    await service.scorer.start()
    await service.policies.set_coded_hate(G, False, actor_id=1)
    call = await service.handle_message(facts(clock), "honestly all the refugees should be shot")
    assert call.decision.action.value == "nudge" and call.decision.category == "threat"
    assert port.deleted == []
    denied = await service.handle_message(facts(clock, author=A + 1), "nobody thinks refugees should be shot")
    assert denied.decision.action.value == "none"
