"""``python -m bot`` is the same as the ``hansard-bot`` command."""

from bot.cli import main

main()
