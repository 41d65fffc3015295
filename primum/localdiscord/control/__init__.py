"""The control API of the local Discord: what tests and demos make people (and faults) do.

Each module is one mixin of :class:`~primum.localdiscord.server.LocalDiscord`; :mod:`.base`
declares the state they share.
"""
