"""``manage.py create_agency_user USERNAME --email … --role officer|manager``."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sme_support.roles import Role, agency_user_create


class Command(BaseCommand):
    help = "Create an officer or manager account that can sign in to the officer workspace and admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", choices=[Role.OFFICER.value, Role.MANAGER.value], required=True)
        parser.add_argument(
            "--no-password", action="store_true", help="leave the password unusable (the user resets it by email)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = None
        if not options["no_password"]:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            user = agency_user_create(
                username=options["username"], email=options["email"], role=Role(options["role"]), password=password
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {options['role']} {user.username}."))
