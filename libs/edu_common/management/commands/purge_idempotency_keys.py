"""Delete Idempotency-Key records older than the 24 hours they are honoured."""

from django.core.management.base import BaseCommand

from edu_common.idempotency import purge_expired_keys


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {purge_expired_keys()} expired key(s).")
