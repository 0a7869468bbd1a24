"""A finished trace as a graph (nodes, edges, amounts, labels) in JSON, CSV, GraphML or a self-contained HTML page,
and the freeze list an exchange or police unit acts on."""

from __future__ import annotations

import csv
import html
import io
import json
import xml.etree.ElementTree as ET
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from heistguard.chain.trace import TraceResult, edge_id
from heistguard.errors import BadInput

GRAPH_FORMATS = ("json", "csv", "graphml", "html")


def _units(value: Fraction) -> str:
    """Base units, exact: an integer when whole, else the integer part and the exact fraction."""
    return str(value.numerator) if value.denominator == 1 else f"{int(value)} (+{value - int(value)})"


def trace_graph(result: TraceResult) -> dict[str, Any]:
    decoy_ids = {edge_id(d.edge): d.reason for d in result.decoys}
    nodes = []
    received: dict[str, Fraction] = {}
    for e in result.edges:
        if e.get("taint"):
            received[e["to_address"]] = received.get(e["to_address"], Fraction(0)) + e["taint"]
    for address, info in sorted(result.nodes.items(), key=lambda kv: (kv[1]["hop"], kv[0])):
        nodes.append(
            {
                "id": address,
                "hop": info["hop"],
                "role": info["role"],
                "entity": info.get("entity"),
                "category": info.get("category"),
                "label": info.get("label"),
                "tainted_received": _units(received.get(address, Fraction(0))),
            }
        )
    shown = set(result.nodes)
    for d in result.decoys:
        if d.edge["to_address"] not in shown:
            nodes.append({"id": d.edge["to_address"], "hop": None, "role": "decoy", "label": d.reason})
            shown.add(d.edge["to_address"])
    edges = []
    seen = set()
    for e in result.edges:
        key = edge_id(e)
        if key in seen or e["from_address"] not in shown or e["to_address"] not in shown:
            continue
        seen.add(key)
        edges.append(
            {
                "source": e["from_address"],
                "target": e["to_address"],
                "tx": e["tx"],
                "time": e["time"].isoformat(sep=" "),
                "asset": e["asset"],
                "amount": str(e["amount"]),
                "tainted": _units(e.get("taint") or Fraction(0)),
                "decoy": decoy_ids.get(key),
            }
        )
    return {
        "start": result.start,
        "direction": result.direction.value,
        "model": result.model.value,
        "hops": result.hops,
        "stolen": {a: str(v) for a, v in result.stolen.items()},
        "endpoints": [
            {
                "entity": t.entity,
                "category": t.category,
                "amounts": {a: _units(v) for a, v in sorted(t.amounts.items())},
                "share": {a: float(v) for a, v in sorted(t.share.items())},
                "addresses": sorted(t.addresses),
            }
            for t in result.by_entity()
        ],
        "nodes": nodes,
        "edges": edges,
    }


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return out.getvalue()


def _graphml(graph: dict[str, Any]) -> str:
    root = ET.Element("graphml", xmlns="http://graphml.graphdrawing.org/xmlns")
    node_keys = ("hop", "role", "entity", "category", "label", "tainted_received")
    edge_keys = ("tx", "time", "asset", "amount", "tainted", "decoy")
    for key in node_keys:
        ET.SubElement(root, "key", id=f"n_{key}", attrib={"for": "node", "attr.name": key, "attr.type": "string"})
    for key in edge_keys:
        ET.SubElement(root, "key", id=f"e_{key}", attrib={"for": "edge", "attr.name": key, "attr.type": "string"})
    g = ET.SubElement(root, "graph", id="trace", edgedefault="directed")
    for node in graph["nodes"]:
        n = ET.SubElement(g, "node", id=node["id"])
        for key in node_keys:
            if node.get(key) is not None:
                ET.SubElement(n, "data", key=f"n_{key}").text = str(node[key])
    for i, edge in enumerate(graph["edges"]):
        e = ET.SubElement(g, "edge", id=f"e{i}", source=edge["source"], target=edge["target"])
        for key in edge_keys:
            if edge.get(key) is not None:
                ET.SubElement(e, "data", key=f"e_{key}").text = str(edge[key])
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _html(graph: dict[str, Any]) -> str:
    script = resources.files("heistguard.chain").joinpath("data/tracegraph.js").read_text("utf-8")
    data = json.dumps(graph).replace("</", "<\\/")
    title = html.escape(f"HeistGuard trace from {graph['start']}")
    rows = "".join(
        f"<tr><td>{html.escape(e['entity'])}</td><td>{html.escape(e['category'])}</td>"
        f"<td>{html.escape(', '.join(f'{v} {a}' for a, v in e['amounts'].items()))}</td>"
        f"<td>{sum(e['share'].values()):.2%}</td><td>{html.escape(' '.join(e['addresses']))}</td></tr>"
        for e in graph["endpoints"]
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        "<style>body{font:13px sans-serif;margin:0}#info{padding:8px;background:#f4f4f4;min-height:2em}"
        "table{border-collapse:collapse;margin:4px 8px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}"
        "svg{width:100vw;height:70vh}</style></head><body>"
        f"<div><b>{title}</b> — model {html.escape(graph['model'])}; drag nodes, click a node or an edge for details."
        "<table><tr><th>entity</th><th>category</th><th>amount (base units)</th><th>share</th><th>addresses</th></tr>"
        f"{rows}</table></div><div id='info'></div>"
        "<svg id='graph'></svg>"
        f"<script>const TRACE = {data};</script><script>{script}</script></body></html>\n"
    )


def write_graph(result: TraceResult, path: Path) -> list[Path]:
    """Write the trace graph in the format its file name says (.json, .csv, .graphml, .html)."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in GRAPH_FORMATS:
        raise BadInput("unknown graph format", str(path), "use a .json, .csv, .graphml or .html file name")
    graph = trace_graph(result)
    try:
        if fmt == "json":
            path.write_text(json.dumps(graph, indent=2) + "\n")
            return [path]
        if fmt == "graphml":
            path.write_text(_graphml(graph))
            return [path]
        if fmt == "html":
            path.write_text(_html(graph))
            return [path]
        nodes_path = path.with_name(path.stem + ".nodes.csv")
        path.write_text(_csv(graph["edges"]))
        nodes_path.write_text(_csv(graph["nodes"]))
        return [path, nodes_path]
    except OSError as exc:
        raise BadInput("cannot write the graph", str(path), exc.strerror or str(exc)) from None


def freeze_list(result: TraceResult) -> list[dict[str, Any]]:
    """Per exchange: each deposit (or wallet) address, the stolen amount that reached it, when, and in which txs."""
    rows = []
    for end in sorted(result.endpoints.values(), key=lambda e: (e.entity, e.address)):
        if end.category != "exchange":
            continue
        for asset, amount in sorted(end.amounts.items()):
            rows.append(
                {
                    "exchange": end.entity,
                    "address": end.address,
                    "kind": "deposit address" if end.deposit_of else "exchange wallet",
                    "sweeps_into": end.deposit_of or "",
                    "asset": asset,
                    "amount": _units(amount),
                    "share": f"{float(sum(end.share.values(), Fraction(0))):.6f}" if end.share else "",
                    "first_seen": end.first_time.isoformat(sep=" ") if end.first_time else "",
                    "last_seen": end.last_time.isoformat(sep=" ") if end.last_time else "",
                    "transactions": " ".join(end.txs),
                }
            )
    return rows


def freeze_list_text(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2) + "\n"
    return (
        _csv(rows)
        if rows
        else "exchange,address,kind,sweeps_into,asset,amount,share,first_seen,last_seen,transactions\n"
    )
