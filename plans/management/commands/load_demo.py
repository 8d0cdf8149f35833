from django.conf import settings
from django.core.management.base import BaseCommand

from plans.demo import SIGN_INS, load_demo


class Command(BaseCommand):
    help = (
        "Create the five demo programmes from the source documents, in flight today, with a "
        "realistic history, and one sign-in per role. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        self.stdout.write("Loading the demo programmes:")
        load_demo(log=self.stdout.write)
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for each: {settings.DEMO_PASSWORD}):")
        width = max(len(sign_in.username) for sign_in in SIGN_INS)
        for sign_in in SIGN_INS:
            who = f" ({sign_in.person_name})" if sign_in.person_name else ""
            self.stdout.write(f"  {sign_in.username:<{width}} {sign_in.role}{who}")
