"""Background jobs of the smart intake (run by ``manage.py db_worker``)."""

from django_tasks import task


@task()
def retrain(actor_id: int | None = None) -> dict:
    """Train a new version of each router from the closed cases (scheduled or asked for by an admin)."""
    from .actions import retrain_all

    return retrain_all(actor_id=actor_id)


@task()
def route_case(case_id: int) -> str:
    """Store the router's suggestions for a newly reported case and dispatch it when the router is sure
    enough."""
    from .actions import route_new_case

    return route_new_case(case_id)


@task()
def refresh_suggestions(kind: str | None = None) -> int:
    """Recompute the stored suggestions of the cases waiting for dispatch (another version became active)."""
    from .actions import refresh_suggestions as refresh

    return refresh(kind)
