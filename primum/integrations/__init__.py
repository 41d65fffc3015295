"""Outside services a feature talks to: the NPPES registry (and its local stand-in) and SMTP mail."""
