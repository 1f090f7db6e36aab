"""Tables the shared library keeps in each service's own schema."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class IdempotencyKey(models.Model):
    """The first answer to a create request sent with an ``Idempotency-Key``."""

    caller = models.CharField(max_length=255)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "idempotency_keys"
        constraints = [
            models.UniqueConstraint(
                fields=["caller", "key"], name="idempotency_key_per_caller"
            ),
        ]

    def __str__(self):
        return f"{self.caller}: {self.key}"
