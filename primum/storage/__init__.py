"""All SQL in Primum lives here: the connection, migrations and one repository per feature."""

from primum.storage.database import HEAD_VERSION, Database, DatabaseError, discover_migrations
from primum.storage.guild_settings import GuildSettingsRepository

__all__ = ["HEAD_VERSION", "Database", "DatabaseError", "GuildSettingsRepository", "discover_migrations"]
