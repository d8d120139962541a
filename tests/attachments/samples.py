"""Files to upload, built in the test: good ones of every allowed type and the bad ones the rules refuse."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(size=(40, 20), gps=False, orientation=None, comment=None) -> bytes:
    """A JPEG, optionally with an EXIF GPS position (天津, 39.1°N 117.2°E) and an orientation tag."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 2, size[1]))  # left half blue: orientation shows
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (39.0, 6.0, 0.0), 3: "E", 4: (117.0, 12.0, 0.0)}
    out = io.BytesIO()
    kwargs = {"exif": exif.tobytes()}
    if comment:
        kwargs["comment"] = comment
    image.save(out, format="JPEG", **kwargs)
    return out.getvalue()


def png_bytes(size=(16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 128, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def pdf_bytes(extra: bytes = b"") -> bytes:
    """A minimal one-page PDF; `extra` goes into the catalogue dictionary (e.g. an /OpenAction)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def pdf_with_compressed_javascript() -> bytes:
    """JavaScript hidden in a Flate-compressed object stream (a raw scan of the file would not see it)."""
    import zlib

    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    body = pdf_bytes()
    stream = b"9 0 obj\n<< /Type /ObjStm /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
    return body.replace(b"xref\n", stream + hidden + b"\nendstream\nendobj\nxref\n", 1)


def _ooxml(main_part: str, main_type: str, extra_types: str = "", extra_parts=()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main_part}" ContentType="{main_type}"/>{extra_types}</Types>',
        )
        archive.writestr(main_part, "<document/>")
        for name, data in extra_parts:
            archive.writestr(name, data)
    return out.getvalue()


DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx_bytes() -> bytes:
    return _ooxml("word/document.xml", DOCX_MAIN)


def docm_bytes() -> bytes:
    """A Word document with macros (as saved as .docm), renamed .docx."""
    return _ooxml(
        "word/document.xml",
        DOCM_MAIN,
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
        [("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")],
    )


def xlsx_bytes() -> bytes:
    """A real workbook, as openpyxl writes it (the exports' library)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active["A1"] = "签到表"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def plain_zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"This program cannot be run in DOS mode"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SVG_SCRIPT = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
SVG_PLAIN = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def jpeg_zip_polyglot() -> bytes:
    """A valid JPEG with a zip appended: opens as a photo and as an archive."""
    return jpeg_bytes() + plain_zip_bytes()


def upload(content: bytes, name="file.bin") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")
