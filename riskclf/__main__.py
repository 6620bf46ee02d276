"""Allow ``python -m riskclf``."""

from riskclf.cli import main

main()
