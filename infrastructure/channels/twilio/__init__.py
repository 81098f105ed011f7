"""Twilio (WhatsApp and SMS): its signed webhooks, the kinds of messages it carries, and media."""
