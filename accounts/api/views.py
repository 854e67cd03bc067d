from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, views
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.response import Response

from accounts.filtersets import UserFilterSet
from accounts.models import User
from jiceng.api.viewsets import HistoryMixin, ScopedModelViewSet

from .serializers import TokenRequestSerializer, TokenResponseSerializer, UserSerializer


class UserViewSet(HistoryMixin, ScopedModelViewSet):
    """Accounts whose home place lies in the caller's data scope."""

    model = User
    serializer_class = UserSerializer
    filterset_class = UserFilterSet

    def base_queryset(self):
        return User.objects.select_related("org_unit", "department").prefetch_related("scope_units")

    @extend_schema(responses=UserSerializer, description="The signed-in user.")
    @action(detail=False, methods=["get"], permission_classes=[permissions.IsAuthenticated])
    def me(self, request):
        return Response(UserSerializer(request.user, context={"request": request}).data)


class TokenView(views.APIView):
    """Exchange a username and password for an API token (mobile clients). Lockout applies."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]

    def get_authenticate_header(self, request):
        return "Token"  # a failed login is 401, and says which scheme to use

    @extend_schema(request=TokenRequestSerializer, responses=TokenResponseSerializer)
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise AuthenticationFailed(_("Wrong username or password, or the account is locked."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "user": UserSerializer(user, context={"request": request}).data})
