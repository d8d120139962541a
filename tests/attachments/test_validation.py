"""What may be attached is decided by the bytes: allowed types by content, the rest refused with a
Chinese message that says why (attachments/validation.py)."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from attachments import validation
from tests.attachments import samples as s


def refused(content, name="file.jpg"):
    with pytest.raises(ValidationError) as caught:
        validation.inspect(s.upload(content, name))
    return caught.value


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        (s.jpeg_bytes, "IMG_0001.JPG", "jpeg"),
        (s.png_bytes, "截图.png", "png"),
        (s.pdf_bytes, "同意书.pdf", "pdf"),
        (s.docx_bytes, "会议纪要.docx", "docx"),
        (s.xlsx_bytes, "签到表.xlsx", "xlsx"),
        # The name is not asked: a photo called .pdf is a JPEG, a workbook called .txt a workbook.
        (s.jpeg_bytes, "scan.pdf", "jpeg"),
        (s.xlsx_bytes, "名单.txt", "xlsx"),
        (s.pdf_bytes, "no-extension", "pdf"),
    ],
)
def test_allowed_types_are_recognised_by_content(make, name, code):
    assert validation.inspect(s.upload(make(), name)).type.code == code


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (s.EXE, "photo.jpg", "可执行程序"),  # a renamed Windows program
        (s.ELF, "receipt.pdf", "可执行程序"),
        (b"#!/bin/sh\nrm -rf /\n", "list.xlsx", "可执行程序"),
        (s.SVG_SCRIPT, "logo.svg", "SVG"),
        (s.SVG_SCRIPT, "logo.png", "SVG"),  # an SVG with script, renamed
        (s.SVG_PLAIN, "chart.svg", "SVG"),  # even without script: SVG is not an image we keep
        (b"\xef\xbb\xbf" + s.SVG_PLAIN, "chart.jpg", "SVG"),
        ("\ufeff<svg onload='alert(1)'/>".encode("utf-16"), "a.png", "SVG"),
        (s.HTML, "page.pdf", "HTML"),
        (b"GIF89a\x01\x00\x01\x00", "anim.gif", "只能上传"),
        (b"just some text", "notes.docx", "只能上传"),
    ],
)
def test_programs_markup_and_other_types_are_refused(content, name, words):
    error = refused(content, name)
    assert words in " ".join(error.messages)


def test_a_jpeg_with_a_zip_appended_is_refused_as_a_polyglot():
    content = s.jpeg_zip_polyglot()
    Image.open(io.BytesIO(content)).verify()  # it is a picture …
    import zipfile

    assert zipfile.is_zipfile(io.BytesIO(content))  # … and an archive
    assert "夹带了其他文件" in refused(content).messages[0]


def test_a_png_with_a_pdf_appended_is_refused():
    assert refused(s.png_bytes() + s.pdf_bytes(), "a.png").code == "polyglot"


def test_a_jpeg_with_an_executable_after_its_end_is_refused():
    assert refused(s.jpeg_bytes() + s.EXE).code == "polyglot"


def test_harmless_bytes_after_a_jpeg_are_dropped_not_refused():
    """Phones append a second picture or padding after the first one's end: that is no polyglot; the
    re-encoding keeps only the picture."""
    content = s.jpeg_bytes() + b"\x00" * 64 + s.jpeg_bytes(size=(8, 8))
    checked = validation.inspect(s.upload(content))
    assert checked.type.code == "jpeg"
    assert len(checked.content) < len(content)
    assert Image.open(io.BytesIO(checked.content)).size == (40, 20)


@pytest.mark.parametrize(
    "extra",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>",  # a name with a #xx escape
        b"/OpenAction << /S /Launch /F (cmd.exe) >>",
        b"/Names << /EmbeddedFiles << /Names [(a.exe) 5 0 R] >> >>",
        b"/AcroForm << /XFA 6 0 R >>",
    ],
)
def test_a_pdf_that_runs_or_carries_something_is_refused(extra):
    assert refused(s.pdf_bytes(extra), "a.pdf").code == "pdf_active"


def test_javascript_in_a_compressed_stream_of_a_pdf_is_found():
    assert b"JavaScript" not in s.pdf_with_compressed_javascript()
    assert refused(s.pdf_with_compressed_javascript(), "a.pdf").code == "pdf_active"


def test_a_pdf_with_a_program_inside_is_refused():
    assert refused(s.pdf_bytes() + s.EXE, "a.pdf").code == "polyglot"


def test_a_pdf_that_is_also_a_zip_is_refused():
    assert refused(s.pdf_bytes() + s.plain_zip_bytes(), "a.pdf").code == "polyglot"


def test_an_ordinary_pdf_with_an_open_action_to_a_page_is_accepted():
    assert validation.inspect(s.upload(s.pdf_bytes(b"/OpenAction [3 0 R /Fit]"))).type.code == "pdf"


def test_a_macro_enabled_document_renamed_docx_is_refused():
    error = refused(s.docm_bytes(), "plan.docx")
    assert error.code == "macro" and "宏" in error.messages[0]


def test_a_plain_zip_is_refused():
    error = refused(s.plain_zip_bytes(), "photos.docx")
    assert error.code == "not_office" and ".docx" in error.messages[0]


def test_an_office_document_with_a_program_packed_inside_is_refused():
    content = s._ooxml(
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        extra_parts=[("xl/media/image1.png", s.EXE)],
    )
    assert refused(content, "a.xlsx").code == "polyglot"


def test_size_limit(settings):
    settings.SWS_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = s.jpeg_bytes(size=(2000, 2000)) + b"\x00" * (1024 * 1024)
    error = refused(big)
    assert error.code == "too_large" and "不能超过 1 MB" in error.messages[0]


def test_an_empty_file_is_refused():
    assert refused(b"").code == "empty"


def test_a_damaged_image_is_refused():
    assert refused(s.jpeg_bytes()[:200]).code == "damaged"


def test_gps_and_exif_are_gone_after_the_check():
    original = s.jpeg_bytes(gps=True, comment=b"taken at home")
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(s.GPS_IFD)  # the sample has a position
    cleaned = validation.inspect(s.upload(original)).content
    image = Image.open(io.BytesIO(cleaned))
    exif = image.getexif()
    assert not exif.get_ifd(s.GPS_IFD)
    assert len(exif) == 0
    assert b"PhoneMaker" not in cleaned and b"taken at home" not in cleaned
    assert "exif" not in image.info and "comment" not in image.info


def test_orientation_is_applied_before_the_tag_is_dropped():
    """A phone photo stored sideways with 'rotate 90°' in EXIF comes out upright, without the tag."""
    original = s.jpeg_bytes(size=(40, 20), orientation=6)
    cleaned = Image.open(io.BytesIO(validation.inspect(s.upload(original)).content))
    assert cleaned.size == (20, 40)
    assert s.ORIENTATION not in cleaned.getexif()
    # Orientation 6 turns the blue left half to the top.
    top, bottom = cleaned.getpixel((10, 5)), cleaned.getpixel((10, 35))
    assert top[2] > 150 and bottom[0] > 150


def test_png_text_chunks_are_dropped():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "张桂兰 13820135678")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG", pnginfo=info)
    cleaned = validation.inspect(s.upload(out.getvalue(), "a.png")).content
    assert "张桂兰".encode() not in cleaned and b"13820135678" not in cleaned


def test_a_decompression_bomb_is_refused(settings, monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    assert refused(s.png_bytes(size=(64, 64)), "a.png").code == "image_too_large"
