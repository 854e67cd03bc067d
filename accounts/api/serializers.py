from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from accounts.scope import covers
from places.models import Department, OrgUnit


class UserSerializer(serializers.ModelSerializer):
    org_unit = serializers.SlugRelatedField(slug_field="code", queryset=OrgUnit.objects.all(), allow_null=True)
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), allow_null=True, required=False
    )
    scope_units = serializers.SlugRelatedField(slug_field="code", many=True, queryset=OrgUnit.objects.all())
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})

    class Meta:
        model = User
        fields = [
            "id", "username", "full_name", "role", "role_display", "phone", "org_unit", "department",
            "scope_units", "is_active", "last_login", "password",
        ]
        read_only_fields = ["last_login"]

    def _check_place(self, unit):
        if unit is not None and not covers(self.context["request"].user, unit.path):
            raise serializers.ValidationError(_("Place %(code)s not found.") % {"code": unit.code})
        return unit

    def validate_org_unit(self, unit):
        return self._check_place(unit)

    def validate_scope_units(self, units):
        for unit in units:
            self._check_place(unit)
        return units

    def validate_department(self, department):
        if department is not None:
            self._check_place(department.org_unit)
        return department

    def validate(self, attrs):
        password = attrs.get("password")
        if password:
            candidate = User(**{k: v for k, v in attrs.items() if k in ("username", "full_name")})
            try:
                password_validation.validate_password(password, candidate)
            except Exception as exc:  # django ValidationError
                raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        elif self.instance is None:
            raise serializers.ValidationError({"password": _("A new account needs a password.")})
        return attrs

    def create(self, validated_data):
        password = validated_data.pop("password")
        user = super().create(validated_data)
        user.set_password(password)
        user.save(update_fields=["password"])
        return user

    def update(self, instance, validated_data):
        password = validated_data.pop("password", None)
        user = super().update(instance, validated_data)
        if password:
            user.set_password(password)
            user.save(update_fields=["password"])
        return user


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    user = UserSerializer()
