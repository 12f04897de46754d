"""Checks a blind set: python check.py FILE YEAR"""
import math, re, sys, unicodedata
from pathlib import Path
from datetime import datetime
import yaml

KINDS = {"deadline", "where-to-send", "what-to-send", "who-inspected", "when", "prepare", "coverage", "derived",
         "coordinator", "document", "signer", "legal-basis", "purpose", "requirements", "content", "funding",
         "after", "contact", "not-in-plan", "out-of-scope", "small-talk", "follow-up"}
here = Path(__file__).parent
path, year = sys.argv[1], sys.argv[2]
nfc = lambda s: unicodedata.normalize("NFC", s).casefold()
text = nfc((here / f"plan_{year}.txt").read_text() + (here / f"units_{year}.txt").read_text())
text = re.sub(r"\s+", " ", text)
units = {l.strip()[2:].strip() for l in (here / f"units_{year}.txt").read_text().splitlines() if l.strip().startswith("- ")}
items = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
errors = []
for i, it in enumerate(items):
    where = f"item {i + 1} ({str(it.get('q'))[:40]!r})"
    if not isinstance(it.get("q"), str) or not it["q"].strip():
        errors.append(f"{where}: q missing")
    if it.get("kind") not in KINDS:
        errors.append(f"{where}: bad kind {it.get('kind')}")
    u = it.get("unit")
    if u and u not in units and not re.fullmatch(r"UBND (xã|phường|thị trấn) .+, huyện .+", u):
        errors.append(f"{where}: unit {u!r} not in units file")
    if it.get("inspection"):
        try:
            datetime.strptime(it["inspection"], "%d/%m/%Y %H:%M")
        except ValueError:
            errors.append(f"{where}: inspection must be dd/mm/yyyy HH:MM")
    cov = it.get("covered", True)
    if it["kind"] in ("not-in-plan", "out-of-scope"):
        if cov is not False or it.get("expect"):
            errors.append(f"{where}: {it['kind']} needs covered: false and no expect")
    elif it["kind"] != "small-talk" and not it.get("expect"):
        errors.append(f"{where}: expect missing")
    for e in it.get("expect", []) + it.get("then_expect", []):
        e = str(e)
        if re.fullmatch(r"[\d%/:.]+", e):
            continue
        if nfc(e) not in text:
            errors.append(f"{where}: expect {e!r} is not word for word in the plan or units text")
    if it["kind"] == "follow-up" and not (it.get("then") and it.get("then_expect")):
        errors.append(f"{where}: follow-up needs then and then_expect")
print("\n".join(errors) if errors else f"OK: {len(items)} items")
