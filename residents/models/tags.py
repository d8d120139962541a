"""Vulnerability tags (脆弱性标签) that residents carry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VulnerabilityTag(models.Model):
    """A recorded vulnerability (老小残弱: 独居老人, 残疾, 困境儿童 …). Age-based tags are derived."""

    code = models.SlugField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    sensitive = models.BooleanField(
        _("敏感"),
        default=False,
        help_text=_("如困境儿童：查看此类居民档案需要额外权限。"),
    )

    class Meta:
        verbose_name = _("困难标签")
        verbose_name_plural = _("困难标签")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name
