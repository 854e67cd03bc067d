"""Delivery channels besides the in-app inbox. ``settings.NOTIFICATION_BACKENDS`` lists them."""

from __future__ import annotations

import json
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class InAppBackend:
    """The inbox itself: the row is the delivery (nothing more to do)."""

    external = False

    def deliver(self, notification) -> None:
        pass


class EmailBackend:
    external = True

    def deliver(self, notification) -> None:
        address = notification.recipient.email
        if address:
            send_mail(notification.title, f"{notification.body}\n\n{notification.url}".strip(),
                      settings.DEFAULT_FROM_EMAIL, [address])


class WebhookBackend:
    """POSTs each notification as JSON to ``settings.NOTIFICATION_WEBHOOK_URL`` (an SMS gateway, a chat bot)."""

    external = True

    def deliver(self, notification) -> None:
        url = settings.NOTIFICATION_WEBHOOK_URL
        if not url.startswith(("https://", "http://")):
            return
        payload = {
            "recipient": notification.recipient.username,
            "phone": notification.recipient.phone,
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "url": notification.url,
            "case": notification.case.number if notification.case_id else None,
        }
        body = json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            url, data=body, headers={"Content-Type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10):  # noqa: S310
            pass


def backends() -> list:
    return [import_string(path)() for path in settings.NOTIFICATION_BACKENDS]


def external_backends() -> list:
    return [backend for backend in backends() if backend.external]
