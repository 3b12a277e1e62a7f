from __future__ import annotations

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create an analyst account (or reset its password with --update)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="Read from a prompt when not given.")
        parser.add_argument("--staff", action="store_true", help="May use the admin site.")
        parser.add_argument("--update", action="store_true", help="Reset an existing password.")

    def handle(self, *args, username: str, email: str, password: str | None, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is not None and not options["update"]:
            raise CommandError(f"User {username!r} exists already (use --update to reset).")
        if password is None:
            password = getpass.getpass(f"Password for {username}: ")
        if user is None:
            user = User(username=username, email=email)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user.set_password(password)
        user.is_staff = user.is_superuser = options["staff"]
        user.save()
        self.stdout.write(f"User {username!r} saved.")
