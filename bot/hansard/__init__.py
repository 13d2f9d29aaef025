"""/hansard: search, ask, member, bill, contribution, about and help (cog, rendering, buttons)."""
