from django.core.management.base import BaseCommand

from accounts import outbox


class Command(BaseCommand):
    help = "Send again the Celery tasks that could not be queued (Redis was down)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="also rows younger than 30 s")

    def handle(self, *args, **options):
        older = outbox.RESEND_AFTER * 0 if options["all"] else outbox.RESEND_AFTER
        sent = outbox.resend(older_than=older)
        left = outbox.TaskOutbox.objects.filter(sent_at__isnull=True).count()
        self.stdout.write(f"{sent} tasks sent, {left} still waiting")
