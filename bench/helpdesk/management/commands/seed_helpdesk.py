"""Seed django-helpdesk like SWS's benchmark city: N tickets over one queue per station, two staff a queue.

    python -m django seed_helpdesk --tickets 2000 --queues 249 --open 1800 --history-days 30

`--open` tickets are open (status Open, one in five Reopened), received in the last 60 days (as SWS's open
requests are: bench/run.py's city), four in five assigned to one of their queue's two staff; the rest
resolved or closed, spread over the whole history. Each ticket has its first follow-up, as one created
through helpdesk's forms would. Plus `bench-staff`, a staff user who sees every queue (per-queue
permissions are off, helpdesk's default). Bulk inserts, 5,000 rows at a time, progress shown.
"""

import datetime
import random
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

BATCH = 5000
STAFF_PASSWORD = "bench-helpdesk-2026"


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, required=True)
        parser.add_argument("--queues", type=int, default=249)
        parser.add_argument("--open", type=int, default=None, help="open tickets (default 5 %%)")
        parser.add_argument("--history-days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, tickets, queues, open, history_days, seed, **options):
        from helpdesk.models import FollowUp, Queue, Ticket

        rng = random.Random(seed)
        n_open = min(tickets, open if open is not None else tickets // 20)
        User = get_user_model()
        now = timezone.now()
        with transaction.atomic():
            staff, _ = User.objects.get_or_create(
                username="bench-staff", defaults={"is_staff": True, "email": "staff@example.org"}
            )
            staff.set_password(STAFF_PASSWORD)
            staff.save()
            Queue.objects.bulk_create(
                [
                    Queue(title=f"社工站 {i:03d}", slug=f"station-{i:03d}", allow_email_submission=False)
                    for i in range(queues)
                ]
            )
            queue_ids = list(Queue.objects.order_by("pk").values_list("pk", flat=True))
            User.objects.bulk_create(
                [
                    User(username=f"worker-{q}-{k}", is_staff=True, email=f"w{q}-{k}@example.org")
                    for q in queue_ids
                    for k in (1, 2)
                ]
            )
            workers = {}
            for pk, username in User.objects.filter(username__startswith="worker-").values_list(
                "pk", "username"
            ):
                workers.setdefault(int(username.split("-")[1]), []).append(pk)
        self.stdout.write(f"{len(queue_ids)} queues, {sum(map(len, workers.values()))} staff; tickets:")

        # Ticket's created/modified are auto_now(_add): off, so the seeded dates stay.
        for name in ("created", "modified"):
            field = Ticket._meta.get_field(name)
            field.auto_now = field.auto_now_add = False
        span = datetime.timedelta(days=history_days)
        recent = datetime.timedelta(days=min(60, history_days))
        made = 0
        while made < tickets:
            batch = []
            for i in range(made, min(tickets, made + BATCH)):
                queue = queue_ids[i % len(queue_ids)]
                is_open = i < n_open
                created = now - (recent if is_open else span) * rng.random()
                if is_open:
                    status = Ticket.REOPENED_STATUS if rng.random() < 0.2 else Ticket.OPEN_STATUS
                    assignee = rng.choice(workers[queue]) if rng.random() < 0.8 else None
                    modified = created + (now - created) * rng.random()
                else:
                    status = Ticket.CLOSED_STATUS if rng.random() < 0.7 else Ticket.RESOLVED_STATUS
                    assignee = rng.choice(workers[queue])
                    modified = min(now, created + datetime.timedelta(days=rng.uniform(0.5, 20)))
                batch.append(
                    Ticket(
                        title=f"诉求 {i + 1}：居民反映的问题",
                        queue_id=queue,
                        created=created,
                        modified=modified,
                        submitter_email=f"resident{i}@example.org",
                        assigned_to_id=assignee,
                        status=status,
                        description="居民来电反映情况，需要社工跟进。",
                        priority=rng.choice([1, 2, 3, 3, 3, 4, 5]),
                        due_date=created + datetime.timedelta(days=7),
                        secret_key=str(uuid.uuid4()),
                    )
                )
            with transaction.atomic():
                created_tickets = Ticket.objects.bulk_create(batch)
                FollowUp.objects.bulk_create(
                    [
                        FollowUp(ticket=t, date=t.created, title="Ticket Opened", comment=t.description)
                        for t in created_tickets
                    ]
                )
            made += len(batch)
            self.stdout.write(f"  {made:,} / {tickets:,}")
        self.stdout.write(f"{n_open:,} open, {tickets - n_open:,} resolved or closed")
