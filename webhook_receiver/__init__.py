"""Greenhouse webhooks into Remote onboarding, in seconds and without losing a delivery.

Verified deliveries are committed to a durable SQLite inbox before Greenhouse gets its 200; a
background worker turns them into hire events (the same shape the Harvest v3 source produces)
and hands them to the Remote destination's ``Onboarder``.

Entry points: ``build_receiver(settings)`` (``webhook_receiver.receiver``), ``create_app(...)``
(``webhook_receiver.app``), ``serve_in_thread(app)`` (``webhook_receiver.server``) and the
``hires serve`` / ``hires inbox`` commands (``webhook_receiver.cli``).
"""
