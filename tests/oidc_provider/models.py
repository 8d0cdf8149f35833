from django.conf import settings
from django.db import models


class EmailAddress(models.Model):
    """Whether the provider vouches for a user's address: true, false, or nothing said (as
    Microsoft Entra ID, which sends no `email_verified`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    verified = models.BooleanField(null=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.verified}"
