from celery import shared_task


@shared_task
def remind_unanswered():
    """Referrals partners have not answered after PARTNER_REMINDER_DAYS (settings.CELERY_BEAT_SCHEDULE)."""
    from partners.services import remind_unanswered as remind

    return remind()
