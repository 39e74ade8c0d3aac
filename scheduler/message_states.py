"""The states of a message in the outbox, in a module of their own that imports nothing heavy, so
that the command line can offer them as choices without loading the database layer."""

HELD, QUEUED, SENDING, SENT, FAILED, DISCARDED = "held", "queued", "sending", "sent", "failed", "discarded"
STATES = (HELD, QUEUED, SENDING, SENT, FAILED, DISCARDED)
