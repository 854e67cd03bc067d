"""Account pages of the web shell: profile and password change (login/logout are Django's)."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from places.models import Department, OrgUnit


@login_required
def profile(request):
    user = request.user
    if user.is_superuser:
        scope_units = OrgUnit.objects.filter(parent__isnull=True)
    else:
        scope_units = OrgUnit.objects.visible_to(user).filter(pk__in=user.scope_units.values("pk"))
    home_place = OrgUnit.objects.visible_to(user).filter(pk=user.org_unit_id).first() if user.org_unit_id else None
    department = (
        Department.objects.visible_to(user).select_related("org_unit").filter(pk=user.department_id).first()
        if user.department_id
        else None
    )
    return render(request, "accounts/profile.html", {
        "profile_user": user,
        "scope_units": scope_units.defer("geometry"),
        "everywhere": user.is_superuser,
        "home_place": home_place,
        "department": department,
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
