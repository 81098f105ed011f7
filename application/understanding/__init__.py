"""What the bot makes of free text: rules first, then a local model, then (optionally) a remote one."""
