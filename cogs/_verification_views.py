"""Verification's Discord UI: persistent buttons (custom_id based, re-registered on start) and modals.

Every button has a fixed ``custom_id`` and ``timeout=None`` so a click still works after a restart:
the cog registers one instance of each view with ``bot.add_view`` in ``cog_load``. Review buttons
find their request through the message they sit on (``review_message_id`` in the database); the
e-mail buttons find the clicking member's open request. The views only forward: the member's steps
to ``cog.members`` (:mod:`cogs._verification_member`), the moderators' to ``cog.review``
(:mod:`cogs._verification_review`). A click or a form that fails after it was acknowledged is
answered as failed (:class:`cogs._interactions.AnsweringView`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from cogs._interactions import AnsweringModal, AnsweringView

if TYPE_CHECKING:
    from cogs.verification import Verification

PREFIX = "primum:verification:"
START_ID = PREFIX + "start"
APPROVE_ID = PREFIX + "approve"
DENY_ID = PREFIX + "deny"
MORE_ID = PREFIX + "more"
EMAIL_ID = PREFIX + "email"
CODE_ID = PREFIX + "code"
FORM_ID = PREFIX + "form"
DENY_FORM_ID = PREFIX + "deny_form"
MORE_FORM_ID = PREFIX + "more_form"
EMAIL_FORM_ID = PREFIX + "email_form"
CODE_FORM_ID = PREFIX + "code_form"
ASK_ID = PREFIX + "ask"
ASK_FORM_ID = PREFIX + "ask_form"


class VerifyButtonView(AnsweringView):
    """The pinned "Verify" button in #verify."""

    def __init__(self, cog: Verification) -> None:
        super().__init__(timeout=None)
        self.cog = cog

    @discord.ui.button(label="Verify", style=discord.ButtonStyle.primary, custom_id=START_ID, emoji="🩺")
    async def start(self, interaction: discord.Interaction[Any], button: discord.ui.Button[VerifyButtonView]) -> None:
        """Open the verification form."""
        await self.cog.members.open_form(interaction)

    @discord.ui.button(label="Ask the moderators", style=discord.ButtonStyle.secondary, custom_id=ASK_ID)
    async def ask(self, interaction: discord.Interaction[Any], button: discord.ui.Button[VerifyButtonView]) -> None:
        """Send a request the registry check refused to a human."""
        await self.cog.members.open_ask(interaction)


class AskView(AnsweringView):
    """Under a refusal: the way to a human review (the same button as on the pinned message)."""

    def __init__(self, cog: Verification) -> None:
        super().__init__(timeout=None)
        self.cog = cog

    @discord.ui.button(label="Ask the moderators", style=discord.ButtonStyle.primary, custom_id=ASK_ID)
    async def ask(self, interaction: discord.Interaction[Any], button: discord.ui.Button[AskView]) -> None:
        """Open the short form for the moderators."""
        await self.cog.members.open_ask(interaction)


class AskModal(AnsweringModal, title="Ask the moderators"):
    """What the moderators should know (shown on the review card, never stored)."""

    note: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        custom_id="note", label="What should the moderators know?", style=discord.TextStyle.paragraph,
        placeholder="e.g. I am a PGY-2 in internal medicine; my NPPES specialty is out of date.", min_length=3,
        max_length=900)

    def __init__(self, cog: Verification) -> None:
        super().__init__(custom_id=ASK_FORM_ID, timeout=900)
        self.cog = cog

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Forward to the cog."""
        await self.cog.members.submit_ask(interaction, self.note.value)


class VerifyModal(AnsweringModal, title="Physician verification"):
    """Full name, NPI, specialty, state: checked against the public NPI Registry."""

    full_name: discord.ui.TextInput[VerifyModal] = discord.ui.TextInput(
        custom_id="full_name", label="Full name (as registered)", placeholder="e.g. Amara N. Okafor-Reyes",
        max_length=100)
    npi: discord.ui.TextInput[VerifyModal] = discord.ui.TextInput(
        custom_id="npi", label="NPI (10 digits)", placeholder="e.g. 1234567893", max_length=16)
    specialty: discord.ui.TextInput[VerifyModal] = discord.ui.TextInput(
        custom_id="specialty", label="Specialty", placeholder="e.g. Internal Medicine", max_length=80, required=False)
    state: discord.ui.TextInput[VerifyModal] = discord.ui.TextInput(
        custom_id="state", label="State of practice", placeholder="e.g. NY", max_length=30, required=False)

    def __init__(self, cog: Verification) -> None:
        super().__init__(custom_id=FORM_ID, timeout=900)
        self.cog = cog

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the typed values to the cog (they are shown to reviewers, never stored)."""
        await self.cog.members.submit_form(interaction, self.full_name.value, self.npi.value, self.specialty.value,
                                   self.state.value)


class ReviewView(AnsweringView):
    """Approve / Deny / Ask for more on each review card in the review queue."""

    def __init__(self, cog: Verification) -> None:
        super().__init__(timeout=None)
        self.cog = cog

    @discord.ui.button(label="Approve", style=discord.ButtonStyle.success, custom_id=APPROVE_ID)
    async def approve(self, interaction: discord.Interaction[Any], button: discord.ui.Button[ReviewView]) -> None:
        """Grant the Verified Physician role."""
        await self.cog.review.approve(interaction)

    @discord.ui.button(label="Deny", style=discord.ButtonStyle.danger, custom_id=DENY_ID)
    async def deny(self, interaction: discord.Interaction[Any], button: discord.ui.Button[ReviewView]) -> None:
        """Ask for the (required) reason, then deny."""
        await self.cog.review.open_reason(interaction, deny=True)

    @discord.ui.button(label="Ask for more", style=discord.ButtonStyle.secondary, custom_id=MORE_ID)
    async def more(self, interaction: discord.Interaction[Any], button: discord.ui.Button[ReviewView]) -> None:
        """Ask the member a question by DM."""
        await self.cog.review.open_reason(interaction, deny=False)


class ReasonModal(AnsweringModal):
    """The reason for a denial, or the question for the member (required either way)."""

    def __init__(self, cog: Verification, *, deny: bool, message_id: int) -> None:
        super().__init__(title="Deny verification" if deny else "Ask the member for more",
                         custom_id=DENY_FORM_ID if deny else MORE_FORM_ID, timeout=900)
        self.cog = cog
        self.deny = deny
        self.message_id = message_id
        self.reason: discord.ui.TextInput[ReasonModal] = discord.ui.TextInput(
            custom_id="reason",
            label="Reason (sent to the member)" if deny else "What do you need? (sent to the member)",
            style=discord.TextStyle.paragraph, min_length=3, max_length=1000)
        self.add_item(self.reason)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Forward to the cog."""
        await self.cog.review.submit_reason(interaction, deny=self.deny, message_id=self.message_id,
                                     reason=self.reason.value)


class EmailView(AnsweringView):
    """Shown to the member (ephemeral) when the guild binds identity by an institutional e-mail."""

    def __init__(self, cog: Verification) -> None:
        super().__init__(timeout=None)
        self.cog = cog

    @discord.ui.button(label="Email me a code", style=discord.ButtonStyle.primary, custom_id=EMAIL_ID)
    async def email(self, interaction: discord.Interaction[Any], button: discord.ui.Button[EmailView]) -> None:
        """Ask for the institutional address."""
        await interaction.response.send_modal(EmailModal(self.cog))

    @discord.ui.button(label="Enter code", style=discord.ButtonStyle.secondary, custom_id=CODE_ID)
    async def code(self, interaction: discord.Interaction[Any], button: discord.ui.Button[EmailView]) -> None:
        """Ask for the six-digit code."""
        await interaction.response.send_modal(CodeModal(self.cog))


class EmailModal(AnsweringModal, title="Institutional e-mail"):
    """The address the code goes to (only its domain is kept)."""

    address: discord.ui.TextInput[EmailModal] = discord.ui.TextInput(
        custom_id="address", label="Institutional e-mail address", placeholder="name@hospital.org", max_length=200)

    def __init__(self, cog: Verification) -> None:
        super().__init__(custom_id=EMAIL_FORM_ID, timeout=900)
        self.cog = cog

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Forward to the cog."""
        await self.cog.members.submit_email(interaction, self.address.value)


class CodeModal(AnsweringModal, title="Verification code"):
    """The six-digit code from the e-mail."""

    code: discord.ui.TextInput[CodeModal] = discord.ui.TextInput(
        custom_id="code", label="Six-digit code", placeholder="123456", min_length=6, max_length=9)

    def __init__(self, cog: Verification) -> None:
        super().__init__(custom_id=CODE_FORM_ID, timeout=900)
        self.cog = cog

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Forward to the cog."""
        await self.cog.members.submit_code(interaction, self.code.value)
