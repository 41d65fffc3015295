"""A message that opens by addressing someone (``<@id> ...``) is scored on what it says.

Why: the model reads a leading mention as "@user" and scores the sentence after it lower than the
same sentence alone ("<@id> Nobody likes you." 0.77, "Nobody likes you." 0.95), yet every cut-off
was chosen on messages without one, and on Discord a reply often opens with the mention. Mentions
inside the message stay (as "@user"): there they are part of the sentence.
"""

from __future__ import annotations

import re

_LEADING_MENTIONS = re.compile(r"\A\s*(?:<@!?\d+>[\s,:;-]*)+(?=\S)")


def drop_leading_address(text: str) -> str:
    """``text`` without the user mentions it opens with, when something follows them."""
    return _LEADING_MENTIONS.sub("", text)
