from django.db import migrations

# A referral to a partner is now of a request or of a case: the shipped texts said 诉求 whatever was
# referred. Stored texts still as shipped are rewritten with {subject}; texts an admin edited stay.
OLD_TO_NEW = {
    ("referral_answered", "inbox"): (
        "诉求 {reference}：{partner}回复“{outcome}”",
        "{subject} {reference}：{partner}回复“{outcome}”",
    ),
    ("referral_answered", "sms"): (
        "【社工站】诉求{reference}转介的{partner}回复“{outcome}”，请登录系统查看。",
        "【社工站】{subject}{reference}转介的{partner}回复“{outcome}”，请登录系统查看。",
    ),
    ("referral_unanswered", "inbox"): (
        "诉求 {reference} 转介{partner}已{days}天未回复",
        "{subject} {reference} 转介{partner}已{days}天未回复",
    ),
    ("referral_unanswered", "sms"): (
        "【社工站】诉求{reference}转介{partner}已{days}天未回复，请跟进。",
        "【社工站】{subject}{reference}转介{partner}已{days}天未回复，请跟进。",
    ),
    ("partner_referral", "sms"): (
        "【{station}】向{partner}转介一件{category}诉求，请点击链接查看并回复：{link}",
        "【{station}】向{partner}转介一件{category}{subject}，请点击链接查看并回复：{link}",
    ),
    ("partner_reminder", "sms"): (
        "【{station}】转介给{partner}的{category}诉求已{days}天未回复，请点击链接回复：{link}",
        "【{station}】转介给{partner}的{category}{subject}已{days}天未回复，请点击链接回复：{link}",
    ),
}


def rewrite(apps, schema_editor, forward=True):
    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (code, channel), (old, new) in OLD_TO_NEW.items():
        before, after = (old, new) if forward else (new, old)
        MessageTemplate.objects.filter(code=code, channel=channel, text=before).update(text=after)


def unrewrite(apps, schema_editor):
    rewrite(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0013_transfer_subjects"),
    ]

    operations = [
        migrations.RunPython(rewrite, unrewrite),
    ]
