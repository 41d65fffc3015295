"""The public transparency line is redacted."""

import pytest

from primum.domain.cases import Case, CaseKind, CaseStatus
from primum.domain.moderation_policy import ModerationPolicy
from primum.domain.transparency import format_duration, transparency_entry
from tests.domain.moderation_parties import MOD, T0, T


@pytest.mark.parametrize(("seconds", "text"), [(None, ""), (0, "0 s"), (90, "1 min 30 s"), (3600, "1 h"),
                                               (90_061, "1 d 1 h")])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(("actor", "show", "name", "who"), [
    (None, False, None, "Primum (automatic)"),
    (MOD.user_id, False, "Dr. Nadia Haddad", "a moderator"),
    (MOD.user_id, True, "Dr. Nadia Haddad", "Dr. Nadia Haddad"),
    (MOD.user_id, True, None, "a moderator"),
])
def test_transparency_is_redacted(actor, show, name, who):
    row = Case(7, 99, CaseKind.COOLDOWN, T, actor, "private reason text", None, 600, {"rule": "be-kind"},
               CaseStatus.ACTIVE, False, None, None, T0)
    line = transparency_entry(row, ModerationPolicy(show_moderator_names=show), name).line()
    assert line == f"Case #7 · Cooldown · rule: be-kind · duration: 10 min · by {who}"
    assert "private reason" not in line and str(T) not in line
