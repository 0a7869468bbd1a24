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
    r"String\.fromCharCode\s*\(|"
    r"\bzlib\.(?:inflate|gunzip|brotliDecompress|inflateRaw|unzip)\w*\s*\(|"
    r"\.split\(\s*['\"]['\"]\s*\)\s*\.reverse\(\s*\)\s*\.join\(|"
    r"\b_0x[0-9a-f]{3,}\s*\(",  # javascript-obfuscator's string-array accessor
)
# URL-escaping is only hiding when it feeds eval and friends; for a URL it is ordinary decoding.
JS_WEAK_DECODER = re.compile(r"\bdecodeURIComponent\s*\(|\bunescape\s*\(")
_ANY_DECODER = re.compile(f"{JS_DECODER.pattern}|{JS_WEAK_DECODER.pattern}")
# child_process calls count only in files that load child_process (or hide its name, as obfuscated
# files do), and never on a regular expression: `re.exec(s)` is not a process.
_REGEX_EXEC = re.compile(
    r"(?:/[gimsuy]*|\w*(?:re|Re|RE|regex|Regex|REGEX|regexp|RegExp|REGEXP|pattern|Pattern)\w*)\.exec\b"
)
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_JS_TRIGGERS_DECODE = (
    b"atob(",
    b"base64",
    b"fromCharCode",
    b"_0x",
    b"decodeURIComponent(",
    b"unescape(",
    b"inflate",
    b"gunzip",
    b"reverse()",
    b"'hex'",
    b'"hex"',
)
_JS_TRIGGERS_SINK = (
    b"eval",
    b"Function(",
    b"child_process",
    b"_0x",
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


# The assignment a decoder call sits in: `name = <no ; or = up to the call>`.
_ASSIGNED_BEFORE = re.compile(r"([A-Za-z_$][\w$]*)\s*=(?![=>])[^;={}]*$")
_PROPAGATE_MAX = 1_000_000


def _call_args(text: str, open_paren: int, limit: int = 300) -> str:
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


def js_may_flow(data: bytes) -> bool:
    """Cheap byte test before the real check: a decoder and a sink both appear somewhere."""
    return any(t in data for t in _JS_TRIGGERS_DECODE) and any(t in data for t in _JS_TRIGGERS_SINK)


# (anchor, pattern matched at the anchor, whether a '.' may precede it). Literal anchors found with
# str.find keep the scan at memchr speed on multi-megabyte bundles, where a regex alternation is slow.
_Spec = tuple[str, re.Pattern[str], bool]
_DECODE_SPECS: tuple[_Spec, ...] = (
    ("atob", re.compile(r"atob\s*\("), False),
    (
        "Buffer.from",
        re.compile(r"Buffer\.from\s*\([^()]*(?:\([^()]*\)[^()]*)*,\s*['\"](?:base64|base64url|hex)['\"]"),
        False,
    ),
    ("fromCharCode", re.compile(r"fromCharCode\s*\("), True),
    ("zlib.", re.compile(r"zlib\.(?:inflate|gunzip|brotliDecompress|inflateRaw|unzip)\w*\s*\("), False),
    (".reverse()", re.compile(r"\.reverse\(\s*\)\s*\.join\("), True),
    ("_0x", re.compile(r"_0x[0-9a-f]{3,}\s*\("), False),
)
_WEAK_DECODE_SPECS: tuple[_Spec, ...] = (
    ("decodeURIComponent", re.compile(r"decodeURIComponent\s*\("), False),
    ("unescape", re.compile(r"unescape\s*\("), False),
)
_EXEC_SPECS: tuple[_Spec, ...] = (
    ("eval", re.compile(r"eval\s*\("), False),
    ("Function", re.compile(r"Function\s*\("), False),
    ("vm.run", re.compile(r"vm\.run\w*\s*\("), False),
    ("require", re.compile(r"require\s*\((?!\s*['\"`])"), False),
)
_SPAWN_SPECS: tuple[_Spec, ...] = (
    ("exec", re.compile(r"exec(?:Sync|File|FileSync)?['\"]?\]?\s*\("), True),
    ("spawn", re.compile(r"spawn(?:Sync)?['\"]?\]?\s*\("), True),
    ("fork", re.compile(r"fork['\"]?\]?\s*\("), True),
)
_NET_SPECS: tuple[_Spec, ...] = (
    ("fetch", re.compile(r"fetch\s*\("), True),
    ("request", re.compile(r"request(?:\.(?:get|post))?\s*\("), True),
    ("http", re.compile(r"https?\.(?:get|request)\s*\("), True),
    ("require(", re.compile(r"require\(\s*['\"]https?['\"]\s*\)\s*\.\s*(?:get|request)\s*\("), False),
    ("axios", re.compile(r"axios(?:\.(?:get|post|request))?\s*\("), False),
    ("got", re.compile(r"got(?:\.(?:get|post))?\s*\("), False),
    ("needle", re.compile(r"needle(?:\.\w+)?\s*\("), False),
    ("WebSocket", re.compile(r"WebSocket\s*\("), True),
)
_MAX_HITS = 2000  # per anchor; enough for any loader, bounded for generated code


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "_$"


def _find(text: str, specs: tuple[_Spec, ...]) -> Iterator[tuple[int, int]]:
    """(start, end) of every match of the specs, found from their literal anchors."""
    for anchor, pattern, dot_ok in specs:
        pos = text.find(anchor)
        hits = 0
        while pos >= 0 and hits < _MAX_HITS:
            before = text[pos - 1] if pos else " "
            if not _word_char(before) and (dot_ok or before != "."):
                match = pattern.match(text, pos)
                if match:
                    hits += 1
                    yield pos, match.end()
            pos = text.find(anchor, pos + 1)


def _js_taint(text: str, specs: tuple[_Spec, ...]) -> dict[str, int]:
    """Names assigned a decoded value, directly or through one or two other such names, with where.

    Seeds are found from each decoder call back to the assignment it sits in, so the cost follows
    the number of decoder calls, not the size of a minified bundle."""
    tainted: dict[str, int] = {}
    for start, _ in _find(text, specs):
        seed = _ASSIGNED_BEFORE.search(text, max(0, start - 300), start)
        if seed and seed.group(1) not in tainted:
            tainted[seed.group(1)] = start
    frontier = [n for n in tainted if len(n) >= 3]
    for _ in range(2):
        found: list[str] = []
        for name in frontier[:200]:
            pos = text.find(name, tainted[name])
            seen = 0
            while pos >= 0 and seen < 100:
                end = pos + len(name)
                if (not pos or not _word_char(text[pos - 1])) and (end >= len(text) or not _word_char(text[end])):
                    seen += 1
                    assigned = _ASSIGNED_BEFORE.search(text, max(0, pos - 300), pos)
                    if assigned and assigned.group(1) not in tainted:
                        tainted[assigned.group(1)] = pos
                        found.append(assigned.group(1))
                pos = text.find(name, end)
        frontier = [n for n in found if len(n) >= 3]
        if not frontier:
            break
    return tainted


def js_flows(text: str) -> Iterator[Flow]:
    # Minified one-letter names are reused in every function, so they only carry taint a short way.
    strong = _DECODE_SPECS
    every = _DECODE_SPECS + _WEAK_DECODE_SPECS
    spawns = "child_process" in text or "_0x" in text
    sinks: list[tuple[tuple[_Spec, ...], str, tuple[_Spec, ...]]] = [(_EXEC_SPECS, "exec", every)]
    if spawns:
        sinks.append((_SPAWN_SPECS, "exec", every))
    sinks.append((_NET_SPECS, "network", strong))
    taints: dict[int, dict[str, int]] = {}
    for sink_specs, kind, decoders in sinks:
        direct = JS_DECODER if decoders is strong else _ANY_DECODER
        for start, end in _find(text, sink_specs):
            if sink_specs is _SPAWN_SPECS and _REGEX_EXEC.search(text, max(0, start - 40), end):
                continue
            args = _call_args(text, end - 1)
            if not direct.search(args):
                tainted = taints.get(len(decoders))
                if tainted is None:
                    tainted = taints[len(decoders)] = _js_taint(text, decoders)
                if not _mentions_tainted(args, tainted, start):
                    continue
            yield Flow(start, kind, text[start:end] + args[:120] + ")")


_EVAL_SPECS: tuple[_Spec, ...] = (
    ("eval", re.compile(r"eval\s*\("), False),
    ("Function", re.compile(r"Function\s*\("), False),
    ("vm.run", re.compile(r"vm\.run\w*\s*\("), False),
    ("_compile", re.compile(r"_compile\s*\("), True),
)
_STRING_LITERAL = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"|`(?:\\.|[^`\\])*`")
_REMOTE_WINDOW = 1200  # characters after a network call where its response handler sits


def js_remote_exec(text: str) -> Iterator[Flow]:
    """eval/Function/vm on a non-literal right after a network call: code run as it arrives."""
    for _, end in _find(text, _NET_SPECS):
        window = text[end : end + _REMOTE_WINDOW]
        for start, call_end in _find(window, _EVAL_SPECS):
            args = _call_args(window, call_end - 1)
            if _IDENT.search(_STRING_LITERAL.sub("", args)):  # something other than string literals
                yield Flow(end + start, "exec", window[start:call_end] + args[:120] + ")")
                return


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


JS_DECODE_TRIGGERS = _JS_TRIGGERS_DECODE
PY_DECODE_TRIGGERS = _PY_TRIGGERS_DECODE


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


def _is_decoder(node: ast.Call, tainted: set[str]) -> bool:
    owner, name = _call_name(node)
    if name not in PY_DECODERS:
        return False
    if name == "decode":
        # `.decode('rot13')` / codecs.decode(x, 'base64') decode; a plain bytes.decode() only does when its input did.
        return owner == "codecs" or any(
            isinstance(a, ast.Constant) and a.value in ("rot13", "rot_13", "base64", "hex", "zlib") for a in node.args
        )
    if name in ("loads", "decompress"):
        # marshal.loads(file bytes) is how .pyc files load; it hides code when its input is a literal
        # blob in the source or something decoded from one.
        if owner not in _PY_DECODER_MODULES:
            return False
        return any(
            (isinstance(a, ast.Constant) and isinstance(a.value, bytes | str)) or _tainted_expr(a, tainted)
            for a in node.args
        )
    return True


def _tainted_expr(node: ast.AST, tainted: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _is_decoder(sub, tainted):
            return True
        if isinstance(sub, ast.Name) and sub.id in tainted:
            return True
    return False


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _scope_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one function (or of the module outside functions), not of functions inside it."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, _SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _sink_kind(node: ast.Call) -> str | None:
    owner, name = _call_name(node)
    if name in PY_EXEC_SINKS and (owner in _PY_SINK_MODULES_EXEC or (owner is None and name in _PY_BUILTIN_SINKS)):
        return "exec"
    if name in PY_NET_SINKS and (owner in _PY_NET_OWNERS or name in ("urlopen", "urlretrieve", "create_connection")):
        return "network"
    return None


def _sink_inputs(node: ast.Call, kind: str) -> list[ast.AST]:
    """What a sink runs or connects to: the command or code, not `input=` data piped into it."""
    owner, _ = _call_name(node)
    if owner == "subprocess" or (kind == "exec" and owner == "os"):
        return [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("args", "cmd", "command"))]
    if kind == "exec":
        return list(node.args[:1])
    return [*node.args[:1], *(k.value for k in node.keywords if k.arg in ("url", "address", "host"))]


def py_flows(text: str) -> Iterator[Flow]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        yield from _py_flows_text(text)
        return
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    scopes: list[ast.AST] = [tree, *(n for n in ast.walk(tree) if isinstance(n, _SCOPES))]
    for scope in scopes:
        nodes = list(_scope_nodes(scope))
        # Taint is per function and flows forward: a name decoded on line 10 taints a sink on line 12.
        tainted: dict[str, int] = {}
        for _ in range(3):
            before = len(tainted)
            for node in nodes:
                if (
                    isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign)
                    and node.value is not None
                    and _tainted_expr(node.value, set(tainted))
                ):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    for target in targets:
                        for name in ast.walk(target):
                            if isinstance(name, ast.Name):
                                tainted.setdefault(name.id, node.lineno)
            if len(tainted) == before:
                break
        for node in nodes:
            if not isinstance(node, ast.Call):
                continue
            kind = _sink_kind(node)
            if kind is None:
                continue
            live = {name for name, line in tainted.items() if line <= node.lineno}
            if any(_tainted_expr(arg, live) for arg in _sink_inputs(node, kind)):
                offset = starts[node.lineno - 1] + node.col_offset if node.lineno - 1 < len(starts) else 0
                yield Flow(offset, kind, ast.get_source_segment(text, node) or kind)


def _fetched_expr(node: ast.AST, fetched: set[str]) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call) and _sink_kind(sub) == "network":
            return True
        if isinstance(sub, ast.Name) and sub.id in fetched:
            return True
    return False


def py_remote_exec(text: str) -> Iterator[Flow]:
    """exec/eval/compile of what a network call returned, in the same function."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        for match in _PY_TEXT_REMOTE.finditer(text):
            yield Flow(match.start(), "exec", text[match.start() : match.start() + 120])
        return
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for scope in [tree, *(n for n in ast.walk(tree) if isinstance(n, _SCOPES))]:
        nodes = list(_scope_nodes(scope))
        fetched: dict[str, int] = {}
        for node in nodes:
            if (
                isinstance(node, ast.Assign | ast.AnnAssign)
                and node.value is not None
                and _fetched_expr(node.value, set(fetched))
            ):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    for name in ast.walk(target):
                        if isinstance(name, ast.Name):
                            fetched.setdefault(name.id, node.lineno)
        for node in nodes:
            if not isinstance(node, ast.Call) or _sink_kind(node) != "exec":
                continue
            live = {name for name, line in fetched.items() if line <= node.lineno}
            if any(_fetched_expr(arg, live) for arg in _sink_inputs(node, "exec")):
                offset = starts[node.lineno - 1] + node.col_offset if node.lineno - 1 < len(starts) else 0
                yield Flow(offset, "exec", ast.get_source_segment(text, node) or "exec")
                return


_PY_TEXT_REMOTE = re.compile(
    r"\b(?:exec|eval)\s*\(?\s*(?:urllib2?\.)?(?:request\.)?urlopen\s*\(|\b(?:exec|eval)\s*\(?\s*requests\.get\s*\("
)


_PY_TEXT_FLOW = re.compile(
    r"\b(?:exec|eval)\s*\(?\s*(?:[\w.]+\s*\(\s*)*(?:base64|zlib|marshal|codecs|bz2|lzma|binascii)\.\w+\s*\("
)


def _py_flows_text(text: str) -> Iterator[Flow]:
    """Python 2 or broken files: the direct nested form `exec(zlib.decompress(base64.b64decode(...)))`."""
    for match in _PY_TEXT_FLOW.finditer(text):
        yield Flow(match.start(), "exec", text[match.start() : match.start() + 120])
