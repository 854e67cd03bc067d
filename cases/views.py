from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.scope import get_visible_or_404

from .models import Case


@login_required
def case_detail(request, pk):
    case = get_visible_or_404(Case, request.user, pk=pk)
    return render(request, "cases/detail.html", {"case": case})
