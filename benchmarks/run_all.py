"""Every benchmark in one command, on SQLite and PostgreSQL, summed up in one table.

    make bench                                          # = .venv/bin/python benchmarks/run_all.py --quick
    .venv/bin/python benchmarks/run_all.py --quick --json benchmarks/results/all-quick.json   # a few minutes
    .venv/bin/python benchmarks/run_all.py              # the full sizes: about an hour

It runs, one after the other and each with its own --json option, the scripts beside it:
availability.py (throughput of the public availability endpoint and its ratio to the bare-Flask
baseline of baseline_app.py), restock.py (planning a restock campaign, sending it, the first email),
reports.py (every admin report over a seeded history) and import_csv.py (a CSV import of new and
then updated products). Each script does its own seeding and cleaning up, on SQLite and on the
PostgreSQL server of --postgres-url (skipped by each, with a message, when unreachable); their
progress goes to this terminal, then one table of the figures that matter. A script that fails is
named in the table and the others still run. Exits 0 when every script ran. Results: docs/benchmarks.md.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BENCHMARKS = ("availability", "restock", "reports", "import")
DATABASES = {"sqlite": "SQLite", "postgres": "PostgreSQL", "postgresql": "PostgreSQL"}


def commands(args, out):
    """{benchmark: (argv, JSON path)}: each script with its own options, quick or full."""
    pg = ["--postgres-url", args.postgres_url]
    quick = args.quick
    return {
        "availability": (["availability.py", *pg, "--repeat", str(args.repeat)]
                         + (["--quick", "--products", "20000"] if quick else []), out / "availability.json"),
        "restock": (["restock.py", *pg] + (["--sizes", "1000", "--send-seconds", "5", "--first-seconds", "30"]
                                           if quick else []), out / "restock.json"),
        "reports": (["reports.py", *pg, "--scale", "0.01" if quick else "1", "--repeat", "1" if quick else "3"],
                    out / "reports.json"),
        "import": (["import_csv.py", *pg] + (["--sizes", "1000", "--repeat", "1"] if quick else []),
                   out / "import.json"),
    }


def availability_rows(found):
    rows = [("availability", "-", "-", "baseline (bare Flask)", f"{found['baseline']['rps']:,.0f} req/s", "1.00")]
    for row in found["results"]:
        verdict = f" {row['verdict']}" if row.get("verdict") else ""
        case = row["case"] + ("" if row.get("cache", "on") == "on" else ", answer cache off")
        rows.append(("availability", row["database"], f"{row['products']:,} products", case,
                     f"{row['rps']:,.0f} req/s, p99 {row['p99_ms']:.1f} ms",
                     f"{row['ratio']:.2f} ({row.get('target', '-')}{verdict})"))
    return rows


def restock_rows(found):
    def rate(send):
        return "–" if send["rate"] is None else f"{send['rate']:,.0f} msg/s" + ("" if send["complete"] else " (window)")

    rows = []
    for row in found["results"]:
        where = (DATABASES[row["database"]], f"{row['size']:,} waiting")
        plan, first = row["plan"], row["first"]
        rows += [
            ("restock", *where, "plan the campaign", "ERROR" if "error" in plan else f"{plan['plan_s']:.2f} s", "< 2 s at 10,000"),
            ("restock", *where, "send, 1 worker", rate(row["send_1"]), ">= 200 msg/s"),
            ("restock", *where, "send, 4 workers", rate(row["send_4"]), ">= 200 msg/s a worker"),
            ("restock", *where, "restock to first email",
             "none" if first.get("first_s") is None else f"{first['first_s']:.2f} s", "< 5 s"),
        ]
    return rows


def reports_rows(found):
    rows = []
    for run in found["runs"]:
        size = f"{run['counts'].get('product', 0):,} products" if run.get("counts") else "-"
        for row in run["results"]:
            rows.append(("reports", run["database"], size, row["case"], f"{row['median_s']:.3f} s", "< 2 s"))
    return rows


def import_rows(found):
    rows = []
    for row in found["results"]:
        for step, label in (("check", "read and check the file"), ("new", "import, new products"),
                            ("update", "import again, updates")):
            wall, cpu = row[step]
            rows.append(("import", DATABASES[row["database"]], f"{row['rows']:,} rows", label,
                         f"{wall:.2f} s (CPU {cpu:.2f} s)", "-"))
    return rows


SUMMARIES = {"availability": availability_rows, "restock": restock_rows, "reports": reports_rows,
             "import": import_rows}


def table(rows):
    """The rows as one Markdown table (pasted into docs/benchmarks.md as it is)."""
    header = ("benchmark", "database", "size", "case", "result", "ratio / target")
    widths = [max(len(str(row[n])) for row in [header, *rows]) for n in range(len(header))]
    lines = ["| " + " | ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) + " |"
             for row in [header, *rows]]
    lines.insert(1, "|" + "|".join("-" * (width + 2) for width in widths) + "|")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and short runs: a few minutes (availability 20,000 products and 3 s runs, "
                             "restock 1,000 sign-ups, reports at scale 0.01, import 1,000 rows)")
    parser.add_argument("--only", default=",".join(BENCHMARKS), help="comma-separated subset of " + ", ".join(BENCHMARKS))
    parser.add_argument("--repeat", type=int, default=None, help="availability: wrk runs per case (default 3, quick 1)")
    parser.add_argument("--postgres-url", default=os.environ.get("BACKORDER_BENCH_DATABASE_URL", DEFAULT_PG),
                        help="PostgreSQL server for every script (default %(default)s)")
    parser.add_argument("--json", type=Path, help="also write every script's results here")
    args = parser.parse_args()
    args.repeat = args.repeat or (1 if args.quick else 3)
    chosen = args.only.split(",")
    if unknown := set(chosen) - set(BENCHMARKS):
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    revision = subprocess.run(["git", "-C", str(HERE), "describe", "--always", "--dirty"],
                              capture_output=True, text=True).stdout.strip()
    started_at = datetime.now(timezone.utc)
    print(f"run_all at {revision}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"{'quick' if args.quick else 'full'} sizes: {', '.join(chosen)}", flush=True)
    rows, outcome, failed = [], {}, []
    with tempfile.TemporaryDirectory(prefix="backorder-all-") as tmp:
        for name, (argv, json_path) in commands(args, Path(tmp)).items():
            if name not in chosen:
                continue
            command = [sys.executable, str(HERE / argv[0]), *argv[1:], "--json", str(json_path)]
            print(f"\n######## {name}: {' '.join(command[1:])}", flush=True)
            started = time.monotonic()
            status = subprocess.run(command, cwd=HERE.parent).returncode
            seconds = time.monotonic() - started
            if status != 0 or not json_path.exists():
                failed.append(name)
                rows.append((name, "-", "-", "FAILED", f"exit status {status} after {seconds:.0f} s", "-"))
                continue
            outcome[name] = dict(json.loads(json_path.read_text()), seconds=seconds)
            rows += SUMMARIES[name](outcome[name])
    print(f"\n######## every benchmark, at {revision} ({started_at:%Y-%m-%d %H:%M} UTC, "
          f"{'quick' if args.quick else 'full'}; load {os.getloadavg()[0]:.1f} at the end)\n")
    print(table(rows))
    print("\n" + ", ".join(f"{name} {found['seconds']:.0f} s" for name, found in outcome.items()))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(dict(date=started_at.isoformat(timespec="seconds"), revision=revision,
                                             quick=args.quick, failed=failed, benchmarks=outcome), indent=1))
        print(f"results written to {args.json}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
