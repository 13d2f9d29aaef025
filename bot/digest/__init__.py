"""Scheduled digests: the /digest commands, their rendering, the delivery clock, the terminal commands."""
