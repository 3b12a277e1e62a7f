from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from config.demo import demo_project_create
from transcripts.models import Project


class Command(BaseCommand):
    help = "Create the demo analyst account and the demo project (once; re-running is harmless)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo-analyst")

    def handle(self, *args, username: str, password: str, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save()
        if not Project.objects.filter(memberships__user=user).exists():
            project = demo_project_create(user=user)
            self.stdout.write(f"Demo project {project.name!r} created.")
        if created:
            self.stdout.write(f"Demo login: username {username!r}, password {password!r}")
        else:
            self.stdout.write(f"Demo login: username {username!r} (password unchanged)")
