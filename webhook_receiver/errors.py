"""Errors of the webhook receiver, sorted by what the caller does about them.

```
WebhookError
├── ReceiverConfigError   fatal: the config file or environment is wrong; fix it and restart
│   └── InboxMissingError the inbox file named for `hires inbox` does not exist
├── InboxUnavailableError transient: inbox cannot be written; answer non-200 so Greenhouse
│                         retries the delivery later
└── DeliveryError         per delivery: this one payload cannot become a hire event; it is
                          marked failed with the reason and the others go on
```

Failures raised by the Harvest client or the Remote destination while a delivery is processed
are not wrapped: the worker treats any of them as transient and retries from the inbox.
"""

from __future__ import annotations


class WebhookError(Exception):
    """Base of every error the webhook receiver raises on purpose."""


class ReceiverConfigError(WebhookError):
    """The receiver's configuration is unusable; the message names the key to change."""


class InboxMissingError(ReceiverConfigError):
    """A command that only tends the inbox was pointed at a file that does not exist."""


class InboxUnavailableError(WebhookError):
    """The durable inbox could not be written, so a delivery must not be acknowledged."""


class DeliveryError(WebhookError):
    """One delivery's payload is unusable; the message names the delivery and the field."""
