from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider.models import EmailAddress


class Validator(OAuth2Validator):
    """Puts the user's email address, and whether it is verified, in the ID token."""

    def get_additional_claims(self, request):
        claims = {"email": request.user.email, "name": request.user.get_full_name()}
        address = EmailAddress.objects.filter(user=request.user).first()
        if address is not None and address.verified is not None:
            claims["email_verified"] = address.verified
        return claims
