"""What Primum draws and summarises for people: charts and the weekly report."""
