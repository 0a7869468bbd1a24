"""A small data-flow check over source text: does a decoded string reach code execution or a
network call? Intra-file, assignment-by-assignment, so a keyword alone never makes a finding."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

# --- JavaScript (regex level: fast enough for whole node_modules trees, tolerant of minified code) --

JS_DECODER = re.compile(
    r"\batob\s*\(|Buffer\.from\s*\([^()]*(?:\([^()]*\)[^()]*)*,\s*['\"](?:base64|base64url|hex)['\"]|"
    r"String\.fromCharCode\s*\(|\bdecodeURIComponent\s*\(|\bunescape\s*\(|"
    r"\bzlib\.(?:inflate|gunzip|brotliDecompress|inflateRaw|unzip)\w*\s*\(|"
    r"\.split\(\s*['\"]['\"]\s*\)\s*\.reverse\(\s*\)\s*\.join\(|"
    r"\b_0x[0-9a-f]{3,}\s*\(",  # javascript-obfuscator's string-array accessor
)
JS_EXEC_SINK = re.compile(
    r"(?<![\w$.])eval\s*\(|\bnew\s+Function\s*\(|(?<![\w$.])Function\s*\(|"
    r"\b(?:exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)\s*\(|\bvm\.run\w*\s*\(|"
    r"(?<![\w$.])require\s*\((?!\s*['\"`])"
)
JS_NET_SINK = re.compile(
    r"\b(?:https?\.(?:get|request)|fetch|axios(?:\.(?:get|post|request))?|request(?:\.(?:get|post))?|"
    r"got(?:\.(?:get|post))?|needle(?:\.\w+)?|new\s+WebSocket)\s*\("
)
_JS_ASSIGN = re.compile(r"(?:\b(?:const|let|var)\s+|[,;{(]\s*|^\s*)([A-Za-z_$][\w$]*)\s*=(?![=>])\s*", re.M)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_JS_TRIGGERS_DECODE = (
    b"atob",
    b"base64",
    b"fromCharCode",
    b"_0x",
    b"decodeURIComponent",
    b"unescape",
    b"inflate",
    b"gunzip",
    b"reverse()",
    b"'hex'",
    b'"hex"',
)
_JS_TRIGGERS_SINK = (
    b"eval",
    b"Function(",
    b"exec",
    b"spawn",
    b"fork(",
    b"vm.run",
    b"require(",
    b"fetch(",
    b".get(",
    b".request(",
    b"axios",
    b"WebSocket",
)


@dataclass(frozen=True, slots=True)
class Flow:
    """A decoded value reaching a sink: where the sink is, what kind and the call's text."""

    offset: int
    sink: str  # "exec" or "network"
    call: str


def _call_args(text: str, open_paren: int, limit: int = 600) -> str:
    depth = 0
    for i in range(open_paren, min(len(text), open_paren + limit)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                return text[open_paren + 1 : i]
    return text[open_paren + 1 : open_paren + limit]


def _expression_end(text: str, start: int, limit: int = 2000) -> int:
    depth = 0
    for i in range(start, min(len(text), start + limit)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return i
            depth -= 1
        elif depth == 0 and c in ";\n,":
            return i
    return min(len(text), start + limit)


def js_may_flow(data: bytes) -> bool:
    """Cheap byte test before the real check: a decoder and a sink both appear somewhere."""
    return any(t in data for t in _JS_TRIGGERS_DECODE) and any(t in data for t in _JS_TRIGGERS_SINK)


def js_flows(text: str) -> Iterator[Flow]:
    # Tainted names with where they were assigned; minified one-letter names are reused in every
    # function, so they only carry taint a short way.
    tainted: dict[str, int] = {}
    for _ in range(3):
        changed = False
        for match in _JS_ASSIGN.finditer(text):
            name = match.group(1)
            if name in tainted:
                continue
            start = match.end()
            rhs = text[start : _expression_end(text, start)]
            if JS_DECODER.search(rhs) or _mentions_tainted(rhs, tainted, start):
                tainted[name] = start
                changed = True
        if not changed:
            break
    for sink_re, kind in ((JS_EXEC_SINK, "exec"), (JS_NET_SINK, "network")):
        for match in sink_re.finditer(text):
            args = _call_args(text, match.end() - 1)
            if JS_DECODER.search(args) or _mentions_tainted(args, tainted, match.start()):
                yield Flow(match.start(), kind, text[match.start() : match.end()] + args[:120] + ")")


def _mentions_tainted(expr: str, tainted: dict[str, int], at: int) -> bool:
    if not tainted:
        return False
    for ident in _IDENT.findall(expr):
        where = tainted.get(ident)
        if where is None or where > at:
            continue
        reach = 20000 if len(ident) >= 3 else 300
        if at - where <= reach:
            return True
    return False


# --- Python (the standard library's parser: the code is parsed, never run) -----------------------

PY_DECODERS = frozenset(
    {
        "b64decode",
        "b32decode",
        "b16decode",
        "b85decode",
        "a85decode",
        "urlsafe_b64decode",
        "decodebytes",
        "decompress",
        "loads",
        "fromhex",
        "unhexlify",
        "a2b_base64",
        "a2b_hex",
        "decode",
    }
)
_PY_DECODER_MODULES = frozenset(
    {"base64", "zlib", "bz2", "lzma", "gzip", "marshal", "binascii", "codecs", "pickle", "bytes"}
)
PY_EXEC_SINKS = frozenset(
    {"exec", "eval", "compile", "system", "popen", "Popen", "run", "call", "check_output", "check_call", "__import__"}
)
PY_NET_SINKS = frozenset(
    {"urlopen", "urlretrieve", "get", "post", "request", "Request", "connect", "create_connection"}
)
_PY_SINK_MODULES_EXEC = frozenset({"os", "subprocess", "builtins"})
_PY_BUILTIN_SINKS = frozenset({"exec", "eval", "compile", "__import__"})
_PY_NET_OWNERS = frozenset(
    {"requests", "httpx", "urllib", "request", "urllib2", "session", "client", "socket", "aiohttp", "http"}
)
_PY_TRIGGERS_DECODE = (
    b"b64decode",
    b"decompress",
    b"marshal",
    b"fromhex",
    b"unhexlify",
    b"a2b_",
    b"codecs",
    b"b32decode",
    b"b85decode",
    b"decodebytes",
)
_PY_TRIGGERS_SINK = (
    b"exec",
    b"eval",
    b"compile",
    b"system",
    b"subprocess",
    b"popen",
    b"urlopen",
    b"requests",
    b"socket",
    b"urlretrieve",
)


def py_may_flow(data: bytes) -> bool:
    return any(t in data for t in _PY_TRIGGERS_DECODE) and any(t in data for t in _PY_TRIGGERS_SINK)


def _call_name(node: ast.Call) -> tuple[str | None, str]:
    func = node.func
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value
        if isinstance(owner, ast.Name):
            return owner.id, func.attr
        if isinstance(owner, ast.Attribute):
            return owner.attr, func.attr
        return "", func.attr
    return None, ""


def _is_decoder(node: ast.Call) -> bool:
    owner, name = _call_name(node)
    if name not in PY_DECODERS:
        return False
    if name == "decode":
        # `.decode('rot13')` / codecs.decode(x, 'base64') decode; a plain bytes.decode() only does when its input did.
        return owner == "codecs" or any(
            isinstance(a, ast.Constant) and a.value in ("rot13", "rot_13", "base64", "hex", "zlib") for a in node.args
        )
    if name in ("loads", "decompress"):
        return owner in _PY_DECODER_MODULES
    return True


def _tainted_expr(node: ast.AST, tainted: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _is_decoder(sub):
            return True
        if isinstance(sub, ast.Name) and sub.id in tainted:
            return True
    return False


def py_flows(text: str) -> Iterator[Flow]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        yield from _py_flows_text(text)
        return
    tainted: set[str] = set()
    for _ in range(3):
        before = len(tainted)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign)
                and node.value is not None
                and _tainted_expr(node.value, tainted)
            ):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    tainted.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        if len(tainted) == before:
            break
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        owner, name = _call_name(node)
        if name in PY_EXEC_SINKS and (owner in _PY_SINK_MODULES_EXEC or (owner is None and name in _PY_BUILTIN_SINKS)):
            kind = "exec"
        elif name in PY_NET_SINKS and (
            owner in _PY_NET_OWNERS or name in ("urlopen", "urlretrieve", "create_connection")
        ):
            kind = "network"
        else:
            continue
        if any(_tainted_expr(arg, tainted) for arg in [*node.args, *(k.value for k in node.keywords)]):
            offset = starts[node.lineno - 1] + node.col_offset if node.lineno - 1 < len(starts) else 0
            yield Flow(offset, kind, ast.get_source_segment(text, node) or name)


_PY_TEXT_FLOW = re.compile(
    r"\b(?:exec|eval)\s*\(?\s*(?:[\w.]+\s*\(\s*)*(?:base64|zlib|marshal|codecs|bz2|lzma|binascii)\.\w+\s*\("
)


def _py_flows_text(text: str) -> Iterator[Flow]:
    """Python 2 or broken files: the direct nested form `exec(zlib.decompress(base64.b64decode(...)))`."""
    for match in _PY_TEXT_FLOW.finditer(text):
        yield Flow(match.start(), "exec", text[match.start() : match.start() + 120])
