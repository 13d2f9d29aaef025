"""Operating the bot: the /admin commands, their rendering, imports from Discord and on a schedule."""
