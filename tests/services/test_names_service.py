"""NameBook: what the bot saw, read back for reports; live names win over remembered ones."""

from pathlib import Path

from primum.runtime.clock import FakeClock
from primum.services.names import NameBook, with_live_names
from primum.storage import Database
from primum.storage.names import KnownNames


async def test_seen_names_come_back_and_live_names_win(tmp_path: Path):
    db = await Database.open(tmp_path / "n.sqlite3")
    try:
        book = NameBook(db, FakeClock())
        await book.saw_channels(1, [(100, "general"), (101, "old-name")])
        await book.saw_moderators(1, [(7, "Dr. Nadia Haddad"), (8, "Dr. Marcus Reid")])
        known = await book.names(1)
        assert known == KnownNames({100: "general", 101: "old-name"}, {7: "Dr. Nadia Haddad", 8: "Dr. Marcus Reid"})
        merged = with_live_names(known, channels={101: "new-name"}, members={7: "Nadia", 9: "Dr. Amara Okafor"})
        assert merged.channels == {100: "general", 101: "new-name"}
        assert merged.members == {7: "Nadia", 8: "Dr. Marcus Reid", 9: "Dr. Amara Okafor"}
        assert await book.names(2) == KnownNames()
    finally:
        await db.close()
