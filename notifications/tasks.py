from django_tasks import task


@task()
def deliver_notifications(ids: list[int]) -> int:
    """Send notifications through the external channels (email, webhook)."""
    from .backends import external_backends
    from .models import Notification

    sent = 0
    channels = external_backends()
    for notification in Notification.objects.filter(pk__in=ids).select_related("recipient", "case"):
        for channel in channels:
            channel.deliver(notification)
            sent += 1
    return sent
