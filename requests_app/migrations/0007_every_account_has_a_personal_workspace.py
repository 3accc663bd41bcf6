"""Accounts made before every account got one (createsuperuser, the admin) get their
personal workspace now, as new accounts do through requests_app/signals.py."""

from django.conf import settings
from django.db import migrations
from django.utils.text import slugify


def give_workspaces(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Workspace = apps.get_model("requests_app", "Workspace")
    Membership = apps.get_model("requests_app", "Membership")
    owners = Membership.objects.filter(role="owner", workspace__is_personal=True).values("user_id")
    for user in User.objects.exclude(pk__in=owners).order_by("pk").iterator():
        base = slugify(user.username)[:200] or "workspace"
        slug, number = base, 2
        while Workspace.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        workspace = Workspace.objects.create(name=f"{user.username}'s workspace", slug=slug, is_personal=True)
        Membership.objects.create(workspace=workspace, user=user, role="owner")


class Migration(migrations.Migration):
    dependencies = [
        ("requests_app", "0006_search_trigram_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(give_workspaces, migrations.RunPython.noop)]
