"""`mcreview agreement` and `mcreview calibration`: how consistent the assessors are."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import click

from mcreview.cli.output import raw_json, say
from mcreview.cli.settings import Settings
from mcreview.core.agreement import SMALL_SAMPLE, Agreement
from mcreview.services.agreement import agreement_report, calibration_report
from mcreview.services.session import ReviewError


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _kappa(figures: Agreement) -> str:
    if figures.kappa is None:
        return "n/a"
    return f"{figures.kappa:.2f}{' (weighted)' if figures.weighted else ''}"


def _small(figures: Agreement) -> str:
    return f"  small sample (under {SMALL_SAMPLE})" if figures.small and figures.pairs else ""


@click.command("agreement")
@click.option("--credential", help="Only this credential id.")
@click.option("--since", metavar="DATE", help="Only pairs whose second reading was recorded on or after DATE.")
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
@click.pass_obj
def agreement_command(settings: Settings, credential: str | None, since: str | None, as_json: bool) -> None:
    """Agreement between independent readings: per credential and component, the readings
    compared, exact agreement and Cohen's kappa (weighted on ordered scales), and outcome
    agreement overall and by assessor pair."""
    with settings.session() as session:
        report = agreement_report(session.store, credential=credential, since=since)
    if as_json:
        rows: list[dict[str, Any]] = []
        for entry in report:
            rows.append(
                {
                    "credential": entry.credential,
                    "outcome": {**asdict(entry.outcome), "small_sample": entry.outcome.small},
                    "components": [
                        {"component": c.component_id, **asdict(c.figures), "small_sample": c.figures.small}
                        for c in entry.components
                    ],
                    "by_pair": [
                        {"assessors": list(who), **asdict(f), "small_sample": f.small}
                        for who, f in entry.by_pair.items()
                    ],
                }
            )
        raw_json(json.dumps(rows))
        return
    if not report:
        say("no attempt has two recorded readings yet")
        return
    for entry in report:
        out = entry.outcome
        say(f"{entry.title} ({entry.credential}): {out.pairs} pairs of readings{_small(out)}")
        say(f"  outcome agreement {_percent(out.exact)}, kappa {_kappa(out)}")
        say(f"  {'component':<40} {'pairs':>5} {'exact':>6}  kappa")
        for component in entry.components:
            f = component.figures
            say(f"  {component.title[:40]:<40} {f.pairs:>5} {_percent(f.exact):>6}  {_kappa(f)}{_small(f)}")
        for (first, second), f in entry.by_pair.items():
            say(f"  {first} and {second}: {f.pairs} pairs, outcome agreement {_percent(f.exact)}{_small(f)}")


@click.group("calibration", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON array, for scripts.")
@click.pass_context
def calibration_command(ctx: click.Context, as_json: bool) -> None:
    """Each assessor's agreement with gold submissions, per component and overall, against
    the programme's bar (calibration_bar, 80 % by default)."""
    if ctx.invoked_subcommand is not None:
        return
    settings: Settings = ctx.obj
    with settings.session() as session:
        report = calibration_report(session.store)
    if as_json:
        raw_json(
            json.dumps(
                [
                    {
                        "assessor": c.assessor,
                        "readings": c.readings,
                        "overall": c.overall,
                        "bar": c.bar,
                        "meets_bar": c.meets_bar,
                        "outcome_matched": c.outcome_matched,
                        "components": {cid: {"matched": m, "compared": n} for cid, (m, n) in c.components.items()},
                    }
                    for c in report
                ]
            )
        )
        return
    if not report:
        say("no calibration readings yet (mcreview calibration gold ID, then seed ID --to NAMES)")
        return
    for c in report:
        verdict = "meets the bar" if c.meets_bar else "below the bar"
        say(
            f"{c.assessor}: {_percent(c.overall)} of {c.compared} levels match gold"
            f" over {c.readings} submissions ({verdict} of {c.bar}%); outcome matched {c.outcome_matched}/{c.readings}"
        )
        for component_id, (matched, compared) in c.components.items():
            say(f"  {component_id:<30} {matched}/{compared}")


@calibration_command.command("gold")
@click.argument("submission_id", metavar="ID")
@click.pass_obj
def calibration_gold(settings: Settings, submission_id: str) -> None:
    """Mark decided submission ID as gold: its final levels become the true score (leads)."""
    with settings.session() as session:
        try:
            session.mark_gold(submission_id)
        except ReviewError as error:
            raise click.ClickException(str(error)) from None
    say(f"{submission_id}: gold")


@calibration_command.command("seed")
@click.argument("submission_id", metavar="ID")
@click.option("--to", "assessors", required=True, help="Comma-separated assessors to calibrate.")
@click.pass_obj
def calibration_seed(settings: Settings, submission_id: str, assessors: str) -> None:
    """Put an unmarked copy of gold submission ID in each assessor's queue (leads); copies
    are scored like any other submission and never exported."""
    names = [name.strip() for name in assessors.split(",") if name.strip()]
    with settings.session() as session:
        try:
            made = session.seed_calibration(submission_id, assessors=names)
        except ReviewError as error:
            raise click.ClickException(str(error)) from None
    for name, copy_id in zip(names, made, strict=True):
        say(f"{copy_id}: a copy of {submission_id} for {name}")
