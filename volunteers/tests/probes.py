"""Community-B records for the scope walk and the tests, made by staff_b (community staff of B)."""

from datetime import timedelta

from django.utils import timezone


def activity_of(world):
    from volunteers.actions import create_activity
    from volunteers.models import Activity

    found = Activity.objects.filter(place=world.community_b).first()
    if found:
        return found
    starts = timezone.now() + timedelta(days=2)
    return create_activity(world.users["staff_b"], place=world.community_b, title="银闸社区助老活动",
                           starts_at=starts, ends_at=starts + timedelta(hours=2), venue="银闸活动室", capacity=3)


def organisation_of(world):
    from volunteers.actions import create_organisation
    from volunteers.models import Organisation

    return Organisation.objects.filter(place=world.community_b).first() or create_organisation(
        world.users["staff_b"], place=world.community_b, name="银闸社工站", kind="social_work")


def project_of(world):
    from volunteers.actions import create_project
    from volunteers.models import Project

    today = timezone.localdate()
    return Project.objects.filter(place=world.community_b).first() or create_project(
        world.users["staff_b"], organisation=organisation_of(world), place=world.community_b, title="银闸助老项目",
        starts_on=today, ends_on=today + timedelta(days=300), budget=1000)


def team_of(world):
    from volunteers.actions import create_team
    from volunteers.models import Team

    return Team.objects.filter(place=world.community_b).first() or create_team(
        world.users["staff_b"], place=world.community_b, name="银闸志愿服务队")


def volunteer_of(world):
    from accounts.models import Role
    from jiceng.testing import make_user
    from volunteers.actions import register_volunteer
    from volunteers.models import Volunteer

    found = Volunteer.objects.filter(place=world.community_b).first()
    if found:
        return found
    user = make_user("vol_b", Role.VOLUNTEER, [world.community_b], phone="13800002222")
    return register_volunteer(user, skills=["repair"])
