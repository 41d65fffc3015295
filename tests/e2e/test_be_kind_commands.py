"""``/kind`` and ``/kind-settings`` against the local Discord: acknowledged first, answered after.

Discord forgets an interaction not acknowledged within 3 s. Another process holds the database's
write lock: every command must be deferred at once and answered when its write lands (reads even
before); a command whose write fails in the end, after a long wait, must say so instead of leaving
the member with "The application did not respond". Also the owners' opt-in to keeping message text with
report verdicts (``/kind-reports text``), shown in ``/kind-settings show``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from primum.demo.stack import Stack
from primum.localdiscord import ControlError
from tests.e2e.test_faults import deferred_answer
from tests.e2e.test_report_review import buttons, nudge_and_report
from tests.e2e.test_settings_display import embed_of
from tests.storage.test_database_busy import hold_write_lock

pytestmark = pytest.mark.e2e

MODERATOR, MEMBER, OWNER = "Dr. Nadia Haddad", "Dr. Amara Okafor", "Dr. Priya Raman"


async def test_kind_commands_are_acknowledged_at_once_while_the_database_is_locked(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    held = threading.Event()
    holder = hold_write_lock(stack.db_path, 4.0, held)
    await asyncio.to_thread(held.wait, 5)
    threshold = server.invoke_slash(ids.owner_id, "kind-settings threshold", {"action": "nudge", "value": "0.8"},
                                    channel_id=ids.general)
    window = server.invoke_slash(ids.owner_id, "kind-settings window", {"which": "nudge", "duration": "5m"},
                                 channel_id=ids.general)
    forget = server.invoke_slash(ids.user(MEMBER), "kind forgetme", {}, channel_id=ids.general)
    mine = server.invoke_slash(ids.user(MEMBER), "kind mydata", {}, channel_id=ids.general)
    # Reading needs no write lock: /kind mydata answers while the lock is still held.
    assert "What Primum holds about you" in await deferred_answer(stack, mine, timeout=2.0)
    for record in (threshold, window, forget):
        await server.wait_interaction_response(record, timeout=2.5)
        assert record.response_type == 5
    assert holder.is_alive()  # every command was acknowledged before its write could land
    assert "Nudge threshold for this server: **0.80**" in await deferred_answer(stack, threshold)
    assert "Nudge window: **5 minutes**" in await deferred_answer(stack, window)
    assert "Done: 0 record(s) deleted" in await deferred_answer(stack, forget)
    await asyncio.to_thread(holder.join, 10)
    assert (await stack.bot.get_cog("BeKind").service.policy(ids.guild_id)).default_nudge  # still readable


async def test_a_setting_whose_write_fails_after_a_slow_wait_says_so(stack: Stack, monkeypatch) -> None:
    ids, server = stack.seeded, stack.server
    policies = stack.bot.get_cog("BeKind").service.policies

    async def busy_then_fails(*args: object, **kwargs: object) -> bool:
        await asyncio.sleep(3.5)  # longer than Discord waits for an acknowledgement
        raise sqlite3.OperationalError("database is locked")  # what a write that gave up on the lock raises

    monkeypatch.setattr(policies, "set_exempt", busy_then_fails)
    venting = ids.channel("venting")
    record = server.invoke_slash(ids.owner_id, "kind-settings exempt", {"channel": venting}, channel_id=ids.general)
    text = await deferred_answer(stack, record, timeout=15)
    assert "not done" in text and "busy" in text
    assert venting not in (await policies.policy(ids.guild_id)).exemptions.channel_ids


async def test_owners_may_keep_the_message_text_with_report_verdicts(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    assert "not kept" in _row(await embed_of(stack, OWNER, "kind-settings show"),
                              "Text with report verdicts")
    opt_in = server.invoke_slash(ids.owner_id, "kind-reports text", {"keep": True}, channel_id=ids.general)
    assert "kept with each verdict for 7 days" in await deferred_answer(stack, opt_in)
    author = ids.physician_ids[0]
    await nudge_and_report(stack, author)
    page = server.invoke_slash(ids.user(MODERATOR), "kind-reports list", {}, channel_id=ids.general)
    await server.wait_interaction_response(page)
    fair = next(c for c in buttons(server.world.messages[page.original_message_id]) if ":fair:" in c)
    click = server.click_button(ids.user(MODERATOR), page.original_message_id, fair)
    await server.wait_interaction_response(click)
    await server.wait_for(lambda: stack.events.of_type("report_verdict"), 5, what="the verdict")
    rows = await stack.bot.db.fetch_all("SELECT author_id, text FROM calibration_texts")
    assert [(r["author_id"], r["text"]) for r in rows] == [(author, "Did they even teach you pharmacology? "
                                                                    "Read the label.")]
    assert "kept" in _row(await embed_of(stack, OWNER, "kind-settings show"),
                          "Text with report verdicts")


def _row(embed: dict, name: str) -> str:
    return next(str(f["value"]) for f in embed["fields"] if f["name"] == name)


async def test_kind_reports_commands_are_acknowledged_at_once_while_the_database_is_locked(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    held = threading.Event()
    holder = hold_write_lock(stack.db_path, 4.0, held)
    await asyncio.to_thread(held.wait, 5)
    digest = server.invoke_slash(ids.owner_id, "kind-reports digest", {"minutes": 15}, channel_id=ids.general)
    listed = server.invoke_slash(ids.user(MODERATOR), "kind-reports list", {}, channel_id=ids.general)
    await server.wait_interaction_response(listed, timeout=2.5)  # a read: answered while the lock is held
    assert "No reports are waiting for a verdict" in listed.response.content and holder.is_alive()
    await server.wait_interaction_response(digest, timeout=2.5)
    assert digest.response_type == 5 and holder.is_alive()  # deferred before its write could land
    assert "gathered for 15 minutes" in await deferred_answer(stack, digest)
    await asyncio.to_thread(holder.join, 10)


async def test_owners_may_turn_the_documented_hate_codes_off_and_members_may_not(stack: Stack) -> None:
    ids, server = stack.seeded, stack.server
    assert _row(await embed_of(stack, OWNER, "kind-settings show"), "Documented hate codes").startswith("on")
    with pytest.raises(ControlError, match="needs permissions"):  # Discord hides owners' commands from members
        server.invoke_slash(ids.user(MEMBER), "kind-settings codes", {"state": "off"}, channel_id=ids.general)
    off = server.invoke_slash(ids.owner_id, "kind-settings codes", {"state": "off"}, channel_id=ids.general)
    assert "Documented hate codes: **off**" in await deferred_answer(stack, off)
    assert (await stack.bot.get_cog("BeKind").service.policy(ids.guild_id)).coded_hate is False
    assert _row(await embed_of(stack, OWNER, "kind-settings show"), "Documented hate codes").startswith("off")
