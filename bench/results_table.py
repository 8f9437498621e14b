"""The "Search benchmark" table of docs/search.md, from bench/results/*.json.

    .venv/bin/python bench/results_table.py            # print the table
    .venv/bin/python bench/results_table.py --docs     # and put it in docs/search.md

The latest result of each corpus size and engine (files written by
search_bench.py) makes one column; the table sits between two marker
comments in the page.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
PAGE = ROOT / "docs" / "search.md"
START, END = "<!-- search-bench:start -->", "<!-- search-bench:end -->"


# Engines named in a column's heading (the Whoosh engine, the default, is not).
ENGINE_LABELS = {"PostgresSearchEngine": "PostgreSQL FTS"}


def engine_label(figures: dict) -> str:
    return ENGINE_LABELS.get(figures["engine"].rsplit(".", 1)[-1], "")


def latest_by_size(folder: Path = RESULTS) -> dict[tuple, dict]:
    """The latest run of each (size, engine)."""
    latest = {}
    for path in sorted(folder.glob("*.json")):
        try:
            figures = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(figures, dict) or figures.get("benchmark") != "search":
            continue
        figures["file"] = path.name
        key = (figures["size"], engine_label(figures))
        if key not in latest or figures["date"] >= latest[key]["date"]:
            latest[key] = figures
    return latest


def _ms(block: dict | None) -> str:
    if not block or block.get("p50") is None:
        return "–"
    return f"{block['p50']:.0f} / {block['p95']:.0f}"


def rows(figures: dict) -> list[tuple[str, str]]:
    """(what, value) pairs of one run, in the table's order."""
    latency = figures["queries"]["latency_ms"]
    withdrawal = figures["withdrawal_to_gone_ms"]
    out = [
        ("testimonies (indexed)", f"{figures['corpus']['testimonies']:,} "
                                  f"({figures['corpus']['indexed']:,})"),
        ("rebuild, testimonies/s", _rate(figures.get("rebuild"))),
        ("save → searchable, p50 / p95 ms", _ms(figures["save_to_searchable_ms"])),
        (f"withdrawal → gone with {withdrawal['concurrent_savers']} saving, "
         "p50 / p95 ms", _ms(withdrawal)),
    ]  # fmt: skip
    for kind in ["all", *(k for k in latency["api"] if k != "all")]:
        for engine, label in [
            ("api", "/api/search/"),
            ("page", "/search/ (HTML)"),
            ("whoosh_raw", "raw Whoosh"),
            ("postgres_raw", "raw PostgreSQL"),
            ("fts5", "SQLite FTS5"),
        ]:
            if engine in latency:
                out.append(
                    (f"{label} ({kind}), p50 / p95 ms", _ms(latency[engine].get(kind)))
                )
        ratios = figures["queries"].get("p95_ratios", {}).get(kind)
        if ratios:
            out += [
                (f"p95 API ÷ FTS5 ({kind})", _times(ratios["api_to_fts5"])),
                (f"p95 HTML ÷ API ({kind})", _times(ratios["page_to_api"])),
            ]
    ratio = figures.get("api_to_whoosh_p95")
    postgres_ratio = figures.get("api_to_postgres_p95")
    phases = figures["phase_seconds"]
    out += [
        ("API p95 ÷ raw Whoosh p95", f"{ratio:.1f}" if ratio else "–"),
        ("API p95 ÷ raw PostgreSQL p95",
         f"{postgres_ratio:.1f}" if postgres_ratio else "–"),
        ("search index on disk, MB", _mb(figures.get("disk_mb"))),
        ("peak memory of the web process, MB",
         _mb(figures.get("web_process_peak_rss_mb"))),
        ("peak memory of the benchmark process, MB", _mb(figures["peak_rss_mb"])),
        ("run time, s", " + ".join(
            f"{name} {seconds:.0f}" for name, seconds in phases.items()
        )),
    ]  # fmt: skip
    return out


def _rate(rebuild: dict | None) -> str:
    """Testimonies a second, marked when the rebuild ran apart from the run
    (search_bench.py --no-rebuild, its figures given by --rebuild-seconds)."""
    if not rebuild:
        return "–"
    rate = f"{rebuild['testimonies_per_s']:.0f}"
    return rate + (" (measured apart)" if rebuild.get("apart") else "")


def _times(value) -> str:
    return "–" if value is None else f"{value:.2f}"


def _mb(value) -> str:
    return "–" if value is None else f"{value:.0f}"


def summary_lines(figures: dict) -> list[str]:
    """One run as aligned text, for the terminal."""
    pairs = rows(figures)
    width = max(len(what) for what, _ in pairs)
    return [f"{what:<{width}}  {value}" for what, value in pairs]


def _source(figures: dict) -> str:
    engine = figures["engine"].rsplit(".", 1)[-1]
    machine = figures["machine"]
    loads = [
        machine.get("load_average_at_start"),
        machine.get("load_average_before_queries"),
        machine["load_average"],
    ]
    load = " / ".join(f"{load[0]:.1f}" for load in loads if load)
    return (
        f"`bench/results/{figures['file']}` ({engine}, commit {figures['commit']}, "
        f"load average {load} on {machine['cpus']} cores"
        + (" at the start / before the queries / at the end)" if loads[0] else ")")
    )


def _heading(figures: dict) -> str:
    engine = engine_label(figures)
    return f"{figures['size']:,} testimonies" + (f", {engine}" if engine else "")


def table(latest: dict) -> str:
    sizes = sorted(latest, key=lambda k: (engine_label(latest[k]), latest[k]["size"]))
    if not sizes:
        return "No results yet: run bench/search_bench.py."
    columns = {size: dict(rows(latest[size])) for size in sizes}
    labels = list(dict.fromkeys(k for size in sizes for k, _ in rows(latest[size])))
    lines = [
        "| | " + " | ".join(_heading(latest[size]) for size in sizes) + " |",
        "|---|" + "--:|" * len(sizes),
    ]
    for label in labels:
        values = [columns[size].get(label, "–") for size in sizes]
        lines.append(f"| {label} | " + " | ".join(values) + " |")
    sources = ", ".join(_source(latest[size]) for size in sizes)
    return "\n".join(lines) + f"\n\nFrom {sources}."


def page_update(text: str, rendered: str) -> str:
    if START not in text or END not in text:
        raise ValueError("docs/search.md has no search benchmark markers")
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    return f"{head}{START}\n{rendered}\n{END}{tail}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", action="store_true", help="update docs/search.md")
    args = parser.parse_args(argv)
    rendered = table(latest_by_size())
    print(rendered)
    if args.docs:
        PAGE.write_text(
            page_update(PAGE.read_text(encoding="utf-8"), rendered),
            encoding="utf-8",
        )


if __name__ == "__main__":
    sys.exit(main())
