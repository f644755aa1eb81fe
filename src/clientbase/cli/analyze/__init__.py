"""`clientbase analyze`: ABC/XYZ (:mod:`.abc_xyz`) and the customers' value: RFM, LTV and churn
(:mod:`.value`)."""

import typer

from clientbase.cli.analyze.abc_xyz import abc_xyz_cmd
from clientbase.cli.analyze.value import churn_cmd, ltv_cmd, rfm_cmd

app = typer.Typer(help="Analyses of the purchase history.", no_args_is_help=True)

# In this order in `clientbase analyze --help`.
for name, command, short_help in (
    ("abc-xyz", abc_xyz_cmd, None),
    ("rfm", rfm_cmd, "RFM scores and named segments (Champions, At risk, ...)."),
    ("ltv", ltv_cmd, "Lifetime value: historical, per cohort, or predicted (BG/NBD)."),
    ("churn", churn_cmd, "Base loss per year and cohort retention."),
):
    app.command(name, short_help=short_help)(command)
