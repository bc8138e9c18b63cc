from pathlib import Path

TRICKY = Path(__file__).parent / "data" / "tricky"
