"""Services: feature logic between the cogs (Discord) and the domain and storage layers."""
