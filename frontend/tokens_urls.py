"""Pages of tokens: the signed-in person's API tokens."""

from django.urls import path

from frontend import tokens

urlpatterns = [
    path("account/tokens/", tokens.tokens, name="tokens"),
    path("account/tokens/<uuid:token_id>/revoke/", tokens.token_revoke, name="token-revoke"),
]
