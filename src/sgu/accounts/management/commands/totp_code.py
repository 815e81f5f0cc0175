"""`python manage.py totp_code EMAIL`: the code the person's authenticator app shows now.
For the demo accounts and local development: it reads the stored secret, which whoever can
run manage.py could read from the database anyway."""

from django.core.management.base import BaseCommand, CommandError

from sgu.accounts import totp
from sgu.accounts.models import TwoFactorDevice


class Command(BaseCommand):
    help = "Imprime el código de verificación en dos pasos vigente de una cuenta (demostración)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        device = TwoFactorDevice.objects.filter(user__email__iexact=email.strip()).first()
        if device is None:
            raise CommandError(f"{email} no tiene configurada la verificación en dos pasos.")
        self.stdout.write(totp.now_code(device.secret))
