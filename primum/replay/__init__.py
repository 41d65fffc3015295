"""``primum replay``: play a channel history through the real bot and report what Primum would have done.

``loader`` reads a history (DiscordChatExporter JSON or Primum's JSONL), ``runner`` plays it on the
local Discord with an injected clock, ``report`` and ``chart`` turn the result into a transcript, JSON
and a heat chart, and ``metrics`` compares it with a calibration conversation's expectations.
"""
