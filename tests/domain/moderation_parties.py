"""The people and cases the moderation domain tests share (plain values, no Discord)."""

from datetime import UTC, datetime

from primum.domain.cases import Case, CaseKind, CaseStatus
from primum.domain.moderation_rules import Party, Rank

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
BOT = Party(1, Rank.MEMBER, top_role_position=4, is_bot=True)
OWNER = Party(2, Rank.OWNER, top_role_position=5, is_owner=True)
ADMIN = Party(3, Rank.OWNER, top_role_position=5)
MOD = Party(10, Rank.MODERATOR, top_role_position=3)
MOD2 = Party(11, Rank.MODERATOR, top_role_position=3)
MEMBER = Party(20, Rank.MEMBER, top_role_position=2, is_verified_physician=True)
NEWBIE = Party(21, Rank.MEMBER, top_role_position=1)
OTHER_BOT = Party(30, Rank.MEMBER, top_role_position=1, is_bot=True)
HIGH = Party(40, Rank.MEMBER, top_role_position=4)  # at the bot's level


def case(id_=1, *, kind=CaseKind.HIDE, target=MEMBER.user_id, actor=MOD.user_id, status=CaseStatus.ACTIVE,
         amends=None, root=None, details=None):
    return Case(id_, 99, kind, target, actor, "reason", None, None, details or {}, status, False, amends, root, T0)

#: The moderator and the member, as ids.
M, T = MOD.user_id, MEMBER.user_id
