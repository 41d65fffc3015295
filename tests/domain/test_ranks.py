"""The one rank rule (issue 16): self, peers, admins, the owner and the bot, for every pair of ranks."""

import pytest

from primum.domain.ranks import Level, Person, level_from, rank_refusal

BOT_ID = 1
OWNER = Person(2, Level.OWNER)
ADMIN, ADMIN2 = Person(3, Level.ADMIN), Person(4, Level.ADMIN)
MOD, MOD2 = Person(10, Level.MODERATOR), Person(11, Level.MODERATOR)
MEMBER = Person(20, Level.MEMBER)
BOT = Person(BOT_ID, Level.MEMBER)


@pytest.mark.parametrize(("actor", "target", "code"), [
    # members moderate nobody
    (MEMBER, Person(21), "not_moderator"),
    (MEMBER, MEMBER, "not_moderator"),
    # moderators: members only
    (MOD, MEMBER, None),
    (MOD, MOD, "target_self"),
    (MOD, MOD2, "target_peer"),
    (MOD, ADMIN, "target_higher"),
    (MOD, OWNER, "target_owner"),
    (MOD, BOT, "target_bot"),
    # administrators: members and moderators, not another administrator, never the owner
    (ADMIN, MEMBER, None),
    (ADMIN, MOD, None),
    (ADMIN, ADMIN, "target_self"),
    (ADMIN, ADMIN2, "target_peer"),
    (ADMIN, OWNER, "target_owner"),
    (ADMIN, BOT, "target_bot"),
    # the owner: anyone but themselves and Primum
    (OWNER, MEMBER, None),
    (OWNER, MOD, None),
    (OWNER, ADMIN, None),
    (OWNER, OWNER, "target_self"),
    (OWNER, BOT, "target_bot"),
])
def test_rank_rule(actor, target, code):
    refusal = rank_refusal(actor, target, BOT_ID)
    assert (refusal.code if refusal else None) == code
    if refusal is not None:
        assert refusal.message.endswith(".")


@pytest.mark.parametrize(("flags", "level"), [
    ({"is_owner": True, "is_admin": True, "is_moderator": True}, Level.OWNER),
    ({"is_owner": False, "is_admin": True, "is_moderator": False}, Level.ADMIN),
    ({"is_owner": False, "is_admin": False, "is_moderator": True}, Level.MODERATOR),
    ({"is_owner": False, "is_admin": False, "is_moderator": False}, Level.MEMBER),
])
def test_level_from(flags, level):
    assert level_from(**flags) is level
