"""Every error Dépêche raises, on one tree the runner acts on with ``except``.

    DepecheError
    ├── TryLater          try again later; ``retry_after``: seconds the other side asked for
    │   ├── FeedError         a feed that could not be read (its poll backs off)
    │   ├── ModelError        the model could not be reached or kept refusing (bot.writer.llm)
    │   ├── ServiceDown       a dependency is down, its breaker open (bot.breaker)
    │   │   └── DatabaseUnavailable (bot.store.db)
    │   ├── BudgetReached     the day's quota or budget is spent (not an attempt: it waits)
    │   ├── HostUnresolved    a host that did not resolve (a DNS hiccup)
    │   ├── FetchUnavailable  timeout, network error, 408/429/5xx (bot.net.http)
    │   └── PublishLater      the site is down or answered oddly: the story is sent again
    ├── GiveUpStory       this story will not get through: it is `failed` at once
    │   ├── AnswerError       the model's answer is not a draft (sent back to the model)
    │   ├── ModelRefused      the model server refused this request (bot.writer.llm)
    │   ├── AddressRefused    a private, loopback or metadata address
    │   ├── BodyRejected      a body too large, corrupt or in an unknown encoding
    │   ├── FetchRefused      4xx, bad URL, redirect loop (bot.net.http)
    │   └── PublishRefused    the site refused this post
    ├── StopTarget        the target refuses us (credentials, rights, missing mu-plugin):
    │   ├── PublishStopped    no other story would fare better; publishing stops until restart
    │   │   └── OutboxUnwritable  the outbox folder cannot be written (bot.publish.outbox)
    │   └── ModelStopped      a wrong model setup (URL, model, key): writing stops
    │
    │   and, apart from any story's fate:
    ├── ConfigError       a wrong bot.toml or environment: one line naming the key (exit 2)
    ├── OperatorFault     what an operator fixes, with its exit code (bot.faults): the
    │                     database faults of bot.store.db, OutboxUnwritable
    ├── AlreadyRunning    another process holds this SQLite database (nothing to do)
    └── LeaseLost         another worker took the story over: this one's result is dropped

The classes named with a module live there, beside what builds their message
(FetchError, the base of FetchUnavailable and FetchRefused, in bot.net.http: it
needs that module's URL cleaner; the model's errors carry the server's classified
answer); every other class is here.

Foreign exceptions (httpx, openai, xmlrpc, OSError...) are mapped onto this tree
once, where they are caught: the fetcher, the model client and the WordPress
transports' factories. An exception off the tree that still reaches the runner
is a bug; it is that story's failed attempt (`unexpected`), never the end of the run.
"""

from __future__ import annotations


class DepecheError(Exception):
    """The base of every error Dépêche raises; the message is one line for a human."""


class TryLater(DepecheError):
    """A later attempt may succeed. ``retry_after``: seconds the other side asked us
    to wait (Retry-After), None when it did not say."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class GiveUpStory(DepecheError):
    """Trying this story again would give the same answer: it is given up."""


class StopTarget(DepecheError):
    """The target refuses the bot itself: no story should be sent to it until restart."""


class ConfigError(DepecheError):
    """A wrong configuration: the message is one line naming the key."""


class AlreadyRunning(DepecheError):
    """Another Dépêche holds this SQLite database."""


class LeaseLost(DepecheError):
    """Another worker took the story over (this one's lease had run out): this one's
    result is dropped, and the other worker's stands."""


class FeedError(TryLater):
    """A feed that could not be read: the message says why, in one line."""


class BudgetReached(TryLater):
    """A limit of the day is reached: the story waits in `new` for the next day, and
    this is not one of its attempts."""


class AnswerError(GiveUpStory):
    """The answer is not a usable draft; the message is sent back to the model as is."""


class HostUnresolved(TryLater):
    """A host that cannot be resolved now: DNS failures are often passing."""


class AddressRefused(GiveUpStory):
    """A host that resolves to an address the bot must not reach."""


class BodyRejected(GiveUpStory):
    """The body is too large, corrupt or in an encoding we do not decode."""


class PublishError(DepecheError):
    """A publish that did not land; its subclass says what the runner does next."""


class PublishLater(PublishError, TryLater):
    """The site is down, timed out or answered oddly: the story stays written."""


class PublishRefused(PublishError, GiveUpStory):
    """The site refused this post: sending it again would not help."""


class PublishStopped(PublishError, StopTarget):
    """The site refuses the bot (credentials, rights, mu-plugin): stop publishing to it."""


class PostTouched(PublishRefused):
    """A revision's update found the post no longer as required (an editor edited or
    published it meanwhile): the post is left as it is."""


def asked_wait(error: BaseException) -> float | None:
    """For call_with_retries: the wait a TryLater error asked for, if any."""
    return error.retry_after if isinstance(error, TryLater) else None


def unexpected(error: BaseException) -> str:
    """One line for an error off the tree: its type and the first line of its message."""
    first_line = next(iter(str(error).splitlines()), "")
    return f"unexpected error: {type(error).__name__}" + (f": {first_line}" if first_line else "")
