"""The runtime: the injected clock, the restart-safe scheduler, tracked tasks, event sink, logging."""
