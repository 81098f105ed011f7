"""Media people send: downloading from each provider, storing blobs, transcribing voice notes."""
