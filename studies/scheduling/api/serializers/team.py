"""Invitations to a study's team. The link's secret never appears here: only the e-mail has it."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from studies.common.api.schema import NamedChoiceField
from studies.common.roles import Role
from studies.scheduling.api.serializers.shared import TeamMemberOutputSerializer
from studies.scheduling.models import Invitation


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = NamedChoiceField(Role)


class InvitationOutputSerializer(serializers.ModelSerializer):
    study = serializers.UUIDField(source="study_id", read_only=True)
    role = NamedChoiceField(Role, read_only=True)
    invited_by = serializers.CharField(
        source="invited_by.username",
        allow_null=True,
        read_only=True,
        help_text=_("Username of who sent it; null once that account is deleted."),
    )

    class Meta:
        model = Invitation
        fields = ["id", "study", "email", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = fields


class InvitationAcceptInputSerializer(serializers.Serializer):
    token = serializers.CharField(
        max_length=200,
        trim_whitespace=True,
        help_text=_("The secret at the end of the invitation link: /invitations/<token>/."),
    )


class InvitationAcceptOutputSerializer(serializers.Serializer):
    study = serializers.UUIDField(source="invitation.study_id")
    membership = TeamMemberOutputSerializer()
    joined = serializers.BooleanField(
        help_text=_("False when you were on the team already: your role stays as it was.")
    )
