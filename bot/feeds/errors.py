class FeedError(Exception):
    """A feed that could not be read: the message says why, in one line."""

    def __init__(self, reason: str, *, retry_after: float | None = None):
        super().__init__(reason)
        self.retry_after = retry_after
