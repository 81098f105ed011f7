"""Chat providers' payloads, signatures and reply formats, mapped onto the channel-neutral turn."""
