"""WhatsApp Cloud API: its webhooks, the kinds of messages it carries, media, replies and refusals."""
