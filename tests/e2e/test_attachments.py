"""Attachments on an activity page, on a phone (375 px) and a desktop (1440 px): upload a photo (the
camera input) and a sign-in sheet, see them listed, download the photo (GPS gone), a renamed program
refused with its reason. No sideways scroll, no accessibility faults, no JavaScript needed."""

import io

import pytest
from PIL import Image

from attachments.models import Attachment
from tests.attachments import samples as s
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.projects import factories as pf


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_photo_and_sign_in_sheet_on_an_activity(device, request, worker2, guoyuan):
    page = request.getfixturevalue(device)
    width = page.viewport_size["width"]
    activity = pf.make_activity(guoyuan, title="重阳节敬老活动")
    log_in_quickly(page, request.getfixturevalue("client"), worker2)
    page.goto(activity.get_absolute_url())
    # The activity page has other panels with their own forms (resources used): ask the attachments' own.
    panel = page.get_by_role("region", name="照片与签到表")

    panel.get_by_label("拍照上传").set_input_files(
        {"name": "IMG_0917.jpg", "mimeType": "image/jpeg", "buffer": s.jpeg_bytes(size=(600, 400), gps=True)}
    )
    panel.get_by_label("类别").select_option(label="照片")
    panel.get_by_label("说明").fill("活动合影")
    panel.get_by_role("button", name="上传附件").click()
    page.get_by_text("附件已上传").wait_for()
    panel.get_by_label("选择文件").set_input_files(
        {"name": "签到表.xlsx", "mimeType": "application/octet-stream", "buffer": s.xlsx_bytes()}
    )
    panel.get_by_label("类别").select_option(label="签到表")
    panel.get_by_role("button", name="上传附件").click()
    page.get_by_text("附件已上传").wait_for()
    assert Attachment.objects.filter(object_id=activity.pk).count() == 2
    page.get_by_role("link", name="签到表.xlsx").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check_a11y(page)
    shoot(page, f"activity-attachments-{width}")

    with page.expect_download() as info:
        page.get_by_role("link", name="IMG_0917.jpg").click()
    download = info.value
    assert download.suggested_filename == "IMG_0917.jpg"
    image = Image.open(io.BytesIO(download.path().read_bytes()))
    assert image.size == (600, 400) and not image.getexif().get_ifd(s.GPS_IFD)

    page.get_by_label("拍照上传").set_input_files(
        {"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": s.EXE}
    )
    panel.get_by_role("button", name="上传附件").click()
    page.get_by_text("这是可执行程序或脚本").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert Attachment.objects.filter(object_id=activity.pk).count() == 2
