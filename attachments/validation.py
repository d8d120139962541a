"""What may be attached: JPEG, PNG, PDF, DOCX and XLSX, recognised from the bytes, never from the name.

`inspect(uploaded_file)` reads the upload once and answers a `Checked` (the detected type and the bytes
to store) or raises ValidationError with a Chinese message. The rules, in order:

1. Size: empty files and files over settings.SWS_ATTACHMENT_MAX_BYTES are refused.
2. Programs and web pages, whatever their name: Windows/Linux/macOS executables (MZ, ELF, Mach-O),
   scripts (#!), SVG, HTML and XML.
3. The type from the first bytes: JPEG (FF D8 FF), PNG (its 8-byte signature), PDF (%PDF- at byte 0),
   a zip (PK 03 04) only as an Office Open XML document. Anything else is refused.
4. Polyglots, files that are two things at once (a photo that is also a zip, a PDF that carries a
   program): refused when
   - an image or a PDF is also a readable zip (zipfile finds an archive directory in it);
   - after the image's own end (JPEG's EOI, PNG's IEND) follows a zip, PDF, program or markup
     (other trailing bytes, e.g. a phone's second picture, are dropped by the re-encoding below);
   - an image carries "%PDF-" in its first 1,024 bytes (PDF readers look there);
   - a PDF names JavaScript (/JS, /JavaScript), launches something (/Launch), embeds files
     (/EmbeddedFile), rich media or XFA forms, or holds a program's bytes; its compressed streams are
     opened (to a bounded size) and read too, and names written with #xx escapes are decoded first;
   - a DOCX/XLSX has macros (vbaProject, macroEnabled types), ActiveX, or an embedded program.
5. Images are decoded and encoded again with Pillow, after turning them upright (EXIF orientation): the
   stored file has no EXIF, GPS or comments, and nothing the decoder did not understand survives.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
ALLOWED_MESSAGE = "只能上传 JPEG、PNG 图片，或 PDF、Word（.docx）、Excel（.xlsx）文件。"


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    content_type: str
    extension: str
    is_image: bool = False


JPEG = FileType("jpeg", "JPEG 图片", "image/jpeg", "jpg", is_image=True)
PNG = FileType("png", "PNG 图片", "image/png", "png", is_image=True)
PDF = FileType("pdf", "PDF 文档", "application/pdf", "pdf")
DOCX = FileType(
    "docx",
    "Word 文档",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
)
XLSX = FileType(
    "xlsx",
    "Excel 表格",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
)
TYPES = {t.code: t for t in (JPEG, PNG, PDF, DOCX, XLSX)}
# The accept= list of the upload inputs (a hint to the phone's picker; the server decides by content).
ACCEPT = "image/jpeg,image/png,application/pdf,.pdf,.docx,.xlsx," + ",".join(
    t.content_type for t in (DOCX, XLSX)
)


@dataclass(frozen=True)
class Checked:
    type: FileType
    content: bytes


def max_bytes() -> int:
    return getattr(settings, "SWS_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _refuse(message, code):
    raise ValidationError(message, code=code)


# --- 2. Programs and web pages --------------------------------------------------------------------------

_PROGRAM_SIGNATURES = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O 32
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",  # Mach-O 64
    b"\xca\xfe\xba\xbe",  # Mach-O universal (also Java classes)
    b"#!",  # scripts
)
_MARKUP = re.compile(rb"^\s*(<\?xml|<svg|<!doctype|<html|<script|<head|<body|<iframe)", re.IGNORECASE)


def _refuse_programs_and_markup(head: bytes):
    body = head.removeprefix(b"\xef\xbb\xbf")
    if any(body.startswith(signature) for signature in _PROGRAM_SIGNATURES):
        _refuse("这是可执行程序或脚本，不能作为附件上传。" + ALLOWED_MESSAGE, "program")
    if body[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 text (an SVG saved by Windows tools)
        body = body.decode("utf-16", "ignore").lstrip("\ufeff").encode("utf-8", "ignore")
    if _MARKUP.match(body):
        _refuse("不能上传 SVG、HTML 等网页或矢量图文件。" + ALLOWED_MESSAGE, "markup")


# --- 4. Polyglots -----------------------------------------------------------------------------------------

_EMBEDDED = re.compile(
    rb"%PDF-|PK\x03\x04|PK\x05\x06|\x7fELF|<script|<html|<svg|<\?php|This program cannot be run",
    re.IGNORECASE,
)
POLYGLOT_MESSAGE = "文件中夹带了其他文件（如压缩包、程序或网页），不能上传。请重新导出或拍照后再上传。"


def _is_zip(content: bytes) -> bool:
    return zipfile.is_zipfile(io.BytesIO(content))


def _jpeg_end(data: bytes) -> int:
    """Where the first picture of a JPEG ends (just past its EOI marker): walk the segments, and through
    each scan's entropy-coded data to the next marker (FF 00 is a stuffed byte, FF D0–D7 restarts)."""
    pos, size = 2, len(data)
    while pos + 1 < size:
        if data[pos] != 0xFF:
            raise ValueError("not a marker")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            return pos + 2
        if marker == 0x01 or 0xD0 <= marker <= 0xD8:  # no length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        pos += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data up to the next real marker
            while pos + 1 < size:
                if data[pos] == 0xFF and data[pos + 1] != 0x00 and not 0xD0 <= data[pos + 1] <= 0xD7:
                    break
                pos += 1
    raise ValueError("no end of image")


def _png_end(data: bytes) -> int:
    """Just past the IEND chunk (signature, then length-type-data-CRC chunks)."""
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind = data[pos + 4 : pos + 8]
        pos += 12 + length
        if kind == b"IEND":
            return pos
    raise ValueError("no end of image")


def _refuse_image_polyglot(kind: FileType, content: bytes):
    try:
        end = _jpeg_end(content) if kind is JPEG else _png_end(content)
    except (ValueError, IndexError):
        _refuse("图片文件已损坏，无法读取。请重新拍照或导出后再上传。", "damaged")
    if _EMBEDDED.search(content[end:]) or _is_zip(content) or b"%PDF-" in content[:1024]:
        _refuse(POLYGLOT_MESSAGE, "polyglot")


# PDF names that run, launch or carry something: refused wherever they appear.
_PDF_ACTIVE_NAMES = {
    b"/JS",
    b"/JavaScript",
    b"/Launch",
    b"/EmbeddedFile",
    b"/EmbeddedFiles",
    b"/RichMedia",
    b"/XFA",
    b"/ImportData",
    b"/SubmitForm",
}
_PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_PDF_STREAM = re.compile(rb"stream\r?\n")
_PDF_PROGRAM = re.compile(rb"This program cannot be run|\x7fELF")
_PDF_INFLATE_LIMIT = 64 * 1024 * 1024  # all streams together, opened: a zip bomb stops here


def _pdf_names(data: bytes):
    for match in _PDF_NAME.finditer(data):
        name = match.group(0)
        if b"#" in name:  # /J#61vaScript is /JavaScript
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        yield name


def _pdf_streams(data: bytes):
    """The contents of the PDF's streams, inflated where they are Flate-compressed (bounded in total)."""
    budget = _PDF_INFLATE_LIMIT
    for match in _PDF_STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        try:
            inflater = zlib.decompressobj()
            opened = inflater.decompress(data[start:end], budget)
        except zlib.error:
            continue  # not Flate (an image, or another filter): its raw bytes were read with the rest
        budget -= len(opened)
        yield opened
        if budget <= 0:
            _refuse("PDF 文件过于复杂，无法检查，不能上传。", "pdf_too_complex")


def _refuse_active_pdf(content: bytes):
    if _is_zip(content):
        _refuse(POLYGLOT_MESSAGE, "polyglot")
    for part in (content, *_pdf_streams(content)):
        if _PDF_PROGRAM.search(part):
            _refuse(POLYGLOT_MESSAGE, "polyglot")
        if any(name in _PDF_ACTIVE_NAMES for name in _pdf_names(part)):
            _refuse("PDF 中含有脚本、附带文件或自动操作，不能上传。请“打印为 PDF”后再上传。", "pdf_active")


# --- 3. Office Open XML -----------------------------------------------------------------------------------

_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (DOCX, "word/"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (XLSX, "xl/"),
}
# Macros, controls and embedded OLE objects (which can wrap a program); printer settings (.bin) are fine.
_OOXML_MACROS = re.compile(r"macroEnabled|vbaProject|vbaData|activeX|oleObject|/embeddings/.*\.bin$", re.I)
_OOXML_UNPACKED_LIMIT = 200 * 1024 * 1024  # the sum of the parts' sizes: a zip bomb is refused unopened
OOXML_MESSAGE = "只接受 Word（.docx）和 Excel（.xlsx）文档；其他压缩包、含宏的文档（.docm/.xlsm）不能上传。"


def _office_type(content: bytes) -> FileType:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
        if sum(info.file_size for info in infos) > _OOXML_UNPACKED_LIMIT:
            _refuse(OOXML_MESSAGE, "not_office")
        names = {info.filename for info in infos}
        types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, RuntimeError, NotImplementedError):
        _refuse(OOXML_MESSAGE, "not_office")
    declared = [element.get("ContentType", "") for element in types.iter()]
    if any(_OOXML_MACROS.search(value) for value in declared) or any(_OOXML_MACROS.search(n) for n in names):
        _refuse("文档中含有宏或控件，不能上传。请另存为普通 .docx / .xlsx 后再上传。", "macro")
    overrides = {
        element.get("PartName", "").lstrip("/"): element.get("ContentType", "")
        for element in types.iter(f"{_CT_NS}Override")
    }
    found = {
        _OOXML_MAIN[kind]
        for part, kind in overrides.items()
        if kind in _OOXML_MAIN and part in names and part.startswith(_OOXML_MAIN[kind][1])
    }
    if len(found) != 1:
        _refuse(OOXML_MESSAGE, "not_office")
    for info in infos:  # a program packed among the parts
        with archive.open(info) as part:
            head = part.read(4)
        if head.startswith(b"MZ") or head.startswith(b"\x7fELF"):
            _refuse(POLYGLOT_MESSAGE, "polyglot")
    return found.pop()[0]


# --- 5. Images: upright, re-encoded, without metadata -----------------------------------------------------


def _reencode(kind: FileType, content: bytes) -> bytes:
    import warnings

    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(content)) as image:
                if image.format != ("JPEG" if kind is JPEG else "PNG"):
                    _refuse("图片格式与内容不符，无法读取。", "damaged")
                upright = ImageOps.exif_transpose(image)  # keeps orientation, drops the EXIF tag itself
                upright.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        _refuse("图片尺寸过大，无法处理。请缩小后再上传。", "image_too_large")
    except (OSError, SyntaxError, ValueError):
        _refuse("图片文件已损坏，无法读取。请重新拍照或导出后再上传。", "damaged")
    # Only the pixels and the colour profile go on: no comment, EXIF, XMP or text chunk (Pillow would
    # otherwise carry a JPEG comment over from `info`).
    icc_profile = upright.info.get("icc_profile")
    upright.info = {}
    extra = {"icc_profile": icc_profile} if icc_profile else {}
    out = io.BytesIO()
    if kind is JPEG:
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.save(out, format="JPEG", quality=88, optimize=True, **extra)
    else:
        if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            upright = upright.convert("RGBA")
        upright.save(out, format="PNG", optimize=True, **extra)
    return out.getvalue()


# --- The entry point ----------------------------------------------------------------------------------------


def detect(content: bytes) -> FileType:
    """The allowed type of `content` (refusing programs and markup first), or ValidationError."""
    head = content[:512]
    _refuse_programs_and_markup(head)
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return _office_type(content)
    _refuse(ALLOWED_MESSAGE, "type")


def inspect(uploaded_file) -> Checked:
    """Read, identify and clean an upload; ValidationError (Chinese message) when it may not be kept."""
    limit = max_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        _refuse(f"文件过大：不能超过 {limit // (1024 * 1024)} MB。", "too_large")
    uploaded_file.seek(0)
    content = uploaded_file.read(limit + 1)
    if len(content) > limit:
        _refuse(f"文件过大：不能超过 {limit // (1024 * 1024)} MB。", "too_large")
    if not content:
        _refuse("文件是空的，请重新选择。", "empty")
    kind = detect(content)
    if kind.is_image:
        _refuse_image_polyglot(kind, content)
        content = _reencode(kind, content)
    elif kind is PDF:
        _refuse_active_pdf(content)
    return Checked(kind, content)
